"""Similarity across a class, and against known work, without running anything.

``compare`` reads every notebook as submitted (outputs included), takes
fingerprints of four kinds (``fingerprints``), less those of its edition's
hand-out (each edition's stub notebook, ``handouts``) and those most of its
cohort hold (the notebooks that started from the same hand-out,
``cohorts``), finds the pairs that share uncommon ones through an inverted
index (``evidence``), and scores them (``scoring``); ``render`` writes the
HTML page and the CSV. The evidence is what two notebooks share, said
neutrally: it is for a person to judge.

May import: the folders below it (``grader.notebooks`` for reading and
student ids, ``grader.editions``, ``grader.distribution`` for each edition's
hand-out, ``grader.reports``), never batches, the service or the command
line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.errors import NotebookError
from grader.notebooks.discover import Submission
from grader.similarity.cohorts import Cohorts, count_by_cohort
from grader.similarity.documents import Document, read_document
from grader.similarity.evidence import Evidence, Pair, common_limit, find_pairs
from grader.similarity.fingerprints import Fingerprints
from grader.similarity.handouts import HANDOUT, edition_handouts, handouts
from grader.similarity.scoring import KINDS, THRESHOLD

__all__ = [
    "HANDOUT",
    "KINDS",
    "THRESHOLD",
    "Cohorts",
    "Comparison",
    "Document",
    "Evidence",
    "Pair",
    "compare",
    "compare_documents",
]


@dataclass(frozen=True)
class Comparison:
    """What ``compare`` found: the notebooks read, and the pairs ranked."""

    documents: Mapping[str, Document]
    fingerprints: Mapping[str, Fingerprints]
    pairs: tuple[Pair, ...]
    #: Notebooks that could not be read, with the reason (one line each).
    unread: tuple[str, ...] = ()
    threshold: float = THRESHOLD
    known: int = 0
    boilerplate: tuple[Path, ...] = field(default=())
    cohorts: Cohorts = field(default_factory=Cohorts)

    @property
    def flagged(self) -> tuple[Pair, ...]:
        """The pairs at or above the threshold."""
        return tuple(p for p in self.pairs if p.score >= self.threshold)

    @property
    def class_size(self) -> int:
        """Notebooks of the class (known work aside) that were read."""
        return len(self.documents) - self.known


def compare_documents(
    documents: Sequence[Document],
    boilerplate: Sequence[Document] = (),
    *,
    mistakes: Mapping[str, frozenset[str]] | None = None,
    threshold: float = THRESHOLD,
    by_cohort: bool = True,
) -> Comparison:
    """Rank every pair of ``documents`` (known work only against the class).

    ``boilerplate``'s fingerprints (the hand-outs) are nobody's in the
    notebooks of their edition (``handouts``); ``mistakes`` gives a
    student's failed checks (``function|check|message``) where a batch
    graded them. ``by_cohort``: also count each fingerprint within its
    cohort (``cohorts``); without, against the whole class alone.
    """
    given = handouts(boilerplate)
    prints = [given.fingerprint(doc) for doc in documents]
    cohorts = Cohorts()
    if by_cohort:
        limit = common_limit(len(documents))
        prints, cohorts = count_by_cohort(documents, prints, limit)
    pairs = find_pairs(
        [d.id for d in documents],
        [d.known for d in documents],
        prints,
        [(mistakes or {}).get(d.id, frozenset()) for d in documents],
    )
    return Comparison(
        documents={d.id: d for d in documents},
        fingerprints={d.id: p for d, p in zip(documents, prints, strict=True)},
        pairs=tuple(pairs),
        threshold=threshold,
        known=sum(d.known for d in documents),
        boilerplate=tuple(d.path for d in boilerplate),
        cohorts=cohorts,
    )


def compare(
    submissions: Sequence[Submission],
    known: Sequence[Submission] = (),
    *,
    boilerplate: Sequence[Path] | None = None,
    mistakes: Mapping[str, frozenset[str]] | None = None,
    threshold: float = THRESHOLD,
    by_cohort: bool = True,
) -> Comparison:
    """Read the class and the known work, and rank every pair.

    A submission that is no readable notebook is left out and named in
    ``Comparison.unread``; a hand-out notebook that cannot be read raises
    ``NotebookError``. ``boilerplate``: the hand-outs' stub notebooks
    (default: every edition's own, ``handouts.edition_handouts``). Known
    work's ids are prefixed ``known:``. ``by_cohort`` as for
    ``compare_documents``.
    """
    if boilerplate is None:
        handout = edition_handouts()
    else:
        handout = [read_document("hand-out", Path(p)) for p in boilerplate]
    documents, unread = [], []
    for group, is_known in ((submissions, False), (known, True)):
        for sub in group:
            student = f"known:{sub.student}" if is_known else sub.student
            try:
                documents.append(read_document(student, sub.path, known=is_known))
            except NotebookError as error:
                unread.append(str(error))
    found = compare_documents(
        documents, handout, mistakes=mistakes, threshold=threshold, by_cohort=by_cohort
    )
    return replace(found, unread=tuple(unread))
