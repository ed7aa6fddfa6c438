"""What each edition's hand-out gives its students: nobody's evidence.

By default every edition the grader knows brings its own stub notebook (the
one ``grader assign`` makes from the edition's solution; for the 2020
edition, the assignment's own). A hand-out counts for the notebooks of its
own edition only: what a 2021 hand-out gives is a 2020 student's own work.
A hand-out of no edition the grader tells counts for every notebook, and a
notebook of no told edition (or of one without a hand-out) has every
hand-out taken from it, as before editions were told apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.similarity.documents import Document, document, read_document
from grader.similarity.fingerprints import (
    KINDS,
    Fingerprints,
    fingerprint,
    imported_names,
)

HANDOUT = Path(__file__).resolve().parents[2] / "assignment" / "Residual_Networks.ipynb"
"""The 2020 edition's stub notebook, as the assignment ships it."""


def edition_handouts() -> list[Document]:
    """Every known edition's stub notebook, each read as a ``Document``.

    An edition whose solution notebook this install lacks brings none.
    """
    from grader import editions
    from grader.distribution.assign import student_notebook
    from grader.notebooks.read import read_notebook

    found = []
    for name in editions.names():
        if name == editions.DEFAULT and HANDOUT.is_file():
            found.append(read_document(f"hand-out {name}", HANDOUT))
            continue
        solution = editions.get(name).solution
        if solution.is_file():
            stub = student_notebook(read_notebook(solution))
            found.append(document(f"hand-out {name}", solution, stub))
    return found


@dataclass(frozen=True)
class Handouts:
    """The hand-outs' names kept as spelled and fingerprints, by edition.

    The key None holds what hand-outs of no told edition give everyone.
    """

    kept: Mapping[str | None, frozenset[str]]
    prints: Mapping[str | None, Mapping[str, frozenset[int]]]

    def _editions(self, edition: str | None) -> list[str | None]:
        if edition is not None and edition in self.kept:
            return [edition, None]
        return list(self.kept)

    def fingerprint(self, doc: Document) -> Fingerprints:
        """``doc``'s fingerprints, less those of its edition's hand-outs."""
        chosen = self._editions(doc.edition)
        kept = frozenset().union(*(self.kept[e] for e in chosen))
        common = {
            kind: set().union(*(self.prints[e].get(kind, ()) for e in chosen))
            for kind in KINDS
        }
        return fingerprint(doc, kept).without(common)


def handouts(boilerplate: Sequence[Document]) -> Handouts:
    """Sort the hand-outs by edition: their imports and their fingerprints."""
    by_edition: dict[str | None, list[Document]] = {}
    for doc in boilerplate:
        by_edition.setdefault(doc.edition, []).append(doc)
    by_edition.setdefault(None, [])
    kept = {e: imported_names(docs) for e, docs in by_edition.items()}
    prints = {}
    for edition, docs in by_edition.items():
        taken = [fingerprint(doc, kept[edition]) for doc in docs]
        prints[edition] = {
            kind: frozenset(h for p in taken for h in p.by_kind[kind]) for kind in KINDS
        }
    return Handouts(kept, prints)
