"""The later editions' corpora, one folder per edition (``README.md``).

In each, ``solution.py`` holds the edition's three graded cells written
right and ``correct/`` the rewrites that must earn full marks, each a file
of whole cells; ``wrong.py`` (here) writes every wrong variant as edits of
its edition's ``solution.py``. ``variants`` reads them all alike: a variant
is the cells it swaps into the edition's solution notebook (``rewritten``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from corpus import graded_cells, swapped_in
from corpus.editions.wrong import WRONG, Edit
from grader import editions

FOLDER = Path(__file__).parent
KINDS = ("wrong", "more", "correct")
"""``wrong``: graded in the suite; ``more``: by ``bench/editions/grade_corpus.py``
only; ``correct``: rewrites that must earn full marks."""


@dataclass(frozen=True)
class Variant:
    """One variant of an edition's solution: its cells and the verdict it must get."""

    edition: str
    kind: str
    stem: str
    #: The graded cells it swaps in, ``(function, source)``.
    cells: tuple[tuple[str, str], ...]
    #: A wrong variant's failing checks, in the report's order, and words the
    #: first one's message holds.
    fails: tuple[str, ...] = ()
    says: str = ""
    #: The file that holds it, a correct one's; None: made by edits.
    path: Path | None = None

    @property
    def name(self) -> str:
        """``edition/kind/stem``, the test's id."""
        return f"{self.edition}/{self.kind}/{self.stem}"

    @property
    def functions(self) -> tuple[str, ...]:
        """The functions whose cells it swaps in, in order."""
        return tuple(dict.fromkeys(function for function, _ in self.cells))


def solution_cells(edition: str) -> dict[str, str]:
    """The edition's ``solution.py``: its cells by function."""
    text = (FOLDER / edition / "solution.py").read_text(encoding="utf-8")
    return dict(graded_cells(text))


def edited(edition: str, edits: Iterable[Edit]) -> tuple[tuple[str, str], ...]:
    """The cells of the edition's ``solution.py`` that ``edits`` change, changed.

    Each edit ``(function, old, new)`` finds ``old`` exactly once in that
    function's cell as the edits before it left it (with a count as fourth
    element, that many times) and replaces it with ``new``.
    """
    base = solution_cells(edition)
    changed: dict[str, str] = {}
    for function, old, new, *count in edits:
        source = changed.get(function, base[function])
        times = count[0] if count else 1
        if source.count(old) != times:
            raise ValueError(
                f"{edition}, {function}: {old!r} is found "
                f"{source.count(old)} times, not {times}"
            )
        changed[function] = source.replace(old, new)
    return tuple(changed.items())


def variants(kind: str) -> list[Variant]:
    """Every later edition's variants of ``kind``, edition by edition, by name."""
    assert kind in KINDS, kind
    found = []
    for edition in editions.names():
        if kind == "correct":
            for path in sorted((FOLDER / edition / kind).glob("*.py")):
                cells = graded_cells(path.read_text(encoding="utf-8"))
                found.append(Variant(edition, kind, path.stem, tuple(cells), path=path))
            continue
        rows = [row for row in WRONG.get(edition, ()) if row.more == (kind == "more")]
        for row in sorted(rows, key=lambda row: row.name):
            cells = edited(edition, row.edits)
            found.append(Variant(edition, kind, row.name, cells, row.fails, row.says))
    return found


def rewritten(variants: Iterable[Variant]) -> nbformat.NotebookNode:
    """Their edition's solution notebook with the variants' cells swapped in."""
    chosen = list(variants)
    (edition,) = {variant.edition for variant in chosen}
    cells = [cell for variant in chosen for cell in variant.cells]
    return swapped_in(cells, editions.get(edition).solution)
