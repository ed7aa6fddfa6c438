"""A submission read once: ``read`` gives the ``Notebook`` the grading hands on.

Reading is the first step of a grading and the only one that looks at the
file. Everything after it (the kernel, the judge, the report) is handed the
``Notebook``: the graded cells with what was worked out of them, the
notebook's own imports, its edition, the notes a report gives on its cells,
and a digest of its bytes. None of them goes back to the file or to this
folder's modules.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.notebooks.read import (
    GradedCell,
    find_graded_cells,
    own_imports,
    parse_notebook,
    read_bytes,
)
from grader.notebooks.recognise import notebook_notes, recognise
from grader.reports.results import notebook_name

if TYPE_CHECKING:
    from grader.editions import Edition

NOT_MARKED = (
    "found {function} in cell {index} by its `def`: "
    "its `# GRADED FUNCTION: {function}` line is missing"
)


@dataclass(frozen=True)
class Notebook:
    """A notebook as read: what every step after reading needs of it."""

    #: The file as given (messages name it so).
    path: str
    #: The name reports give it (``grader.reports.results.notebook_name``).
    name: str
    #: Each graded function's cell, marked with the notebook's edition.
    graded: Mapping[str, GradedCell]
    #: The notebook's own top-level imports, as one cell that cannot fail.
    imports: str
    #: The edition it is graded as (``grader.editions``), by its name.
    edition: str
    #: The SHA-256 of the file's bytes.
    digest: str
    #: Notes on graded cells found by their ``def`` without their marker line.
    unmarked: tuple[str, ...]
    #: Notes on the cells not graded (old APIs, saved errors, old formats).
    notes: tuple[str, ...]


def read(
    path: str | Path, *, edition: str | None = None, only: str | None = None
) -> Notebook:
    """Read the notebook at ``path`` once and recognise it.

    ``edition`` forces the edition it is graded as; with ``only``, a notebook
    of another edition is refused. Raises ``NotebookError`` when the file is
    not a readable notebook (``NotAssignmentError`` when it holds another
    assignment, ``OtherEditionError`` when its edition cannot be told or is
    not ``only``).
    """
    from grader import editions

    shown = str(path)
    data = read_bytes(path)
    nb = parse_notebook(data, shown)
    graded = recognise(find_graded_cells(nb), shown, edition=edition, only=only)
    marked = next(iter(graded.values())).edition
    return Notebook(
        path=shown,
        name=notebook_name(path),
        graded=graded,
        imports=own_imports(nb),
        edition=editions.get(marked or editions.DEFAULT).name,
        digest=hashlib.sha256(data).hexdigest(),
        unmarked=tuple(
            NOT_MARKED.format(function=cell.function, index=cell.index + 1)
            for cell in graded.values()
            if not cell.marked
        ),
        notes=tuple(notebook_notes(nb, graded)),
    )


def read_solution(edition: Edition) -> Notebook:
    """``edition``'s solution notebook, read as the edition it is."""
    return read(edition.solution, edition=edition.name)
