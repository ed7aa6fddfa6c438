"""Solutions with known verdicts: wrong ones in ``wrong.py``, correct rewrites
in ``correct/`` (one file of graded cells per rewrite); the later editions'
in ``editions/``.

``graded_cells`` reads a file of graded cells; ``swapped_in`` puts cells in
place of a solution notebook's own."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import nbformat

from grader.notebooks.read import MARKER, find_graded_cells


def graded_cells(text: str) -> list[tuple[str, str]]:
    """A file's graded cells, ``(function, source)`` in order.

    Each runs from its ``# GRADED FUNCTION: name`` line to the next one (or
    the end), stripped, with one newline at its end; anything before the
    first is a comment.
    """
    starts = [m.start() for m in MARKER.finditer(text)]
    cells = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        source = text[start:end].strip() + "\n"
        match = MARKER.match(source)
        assert match is not None
        cells.append((match.group(1), source))
    return cells


def swapped_in(
    cells: Iterable[tuple[str, str]], solution: Path
) -> nbformat.NotebookNode:
    """The notebook ``solution`` with each ``(function, source)`` in place of
    that function's cell, in order (a later one replaces an earlier one)."""
    nb: nbformat.NotebookNode = nbformat.read(solution, as_version=4)
    found = find_graded_cells(nb)
    for function, source in cells:
        nb.cells[found[function].index].source = source
    return nb
