"""The similarity page and CSV: ``similarity.html`` and ``similarity.csv``.

Rendering only: the pairs, their evidence and the shared regions come from
``grader.similarity``. The page is one file that opens from disk (no script,
no network); every piece of a notebook on it is escaped. Its markup is the
template ``similarity.html.j2`` (``grader.reports.templating``); this module picks
the pairs, lines and marks it shows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.reports import templating
from grader.similarity import Comparison, Pair
from grader.similarity.cohorts import Cohort
from grader.similarity.documents import Document
from grader.similarity.evidence import (
    Region,
    common_limit,
    holder_counts,
    shared_regions,
)
from grader.similarity.scoring import KIND_TABLE, KINDS

PAIRS_LISTED = 100
"""Pairs the page's table lists; the CSV has every pair."""
PAIRS_SHOWN = 25
"""Pairs shown side by side, and flagged pairs up to ``FLAGGED_SHOWN``."""
FLAGGED_SHOWN = 100
"""Flagged pairs shown side by side at most: the page stays a page."""
LINES_SHOWN = 60
"""Lines of one cell's source or output shown side by side."""
MEMBERS_SHOWN = 12
"""A cohort's notebooks named on the page; a larger one is counted."""
FOUND_FROM = {
    "edition": "the graded functions' signatures",
    "metadata": "cells carrying the same hand-out metadata",
    "rest": "an edition's notebooks carrying none of the metadata that sets "
    "its other cohorts apart",
}
CSV_HEADER = ("submission_a", "submission_b", "score", "flagged", "known", "evidence")

#: The page's template (``grader.reports.templating``).
TEMPLATE = "similarity.html.j2"


def render_similarity_csv(comparison: Comparison) -> str:
    """The CSV: one row per pair, strongest first.

    A pair is two submissions, or a submission and a known notebook; a row
    has both ids, the score, whether the threshold flags it, and the
    evidence kinds with their weights (``code:0.41;run:0.97``).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for pair in all_pairs(comparison):
        writer.writerow(
            (
                pair.a,
                pair.b,
                f"{pair.score:.4f}",
                "yes" if pair.score >= comparison.threshold else "no",
                "yes" if pair.known else "no",
                ";".join(f"{e.kind}:{e.weight:.2f}" for e in pair.evidence),
            )
        )
    return buffer.getvalue()


def all_pairs(comparison: Comparison) -> list[Pair]:
    """Every pair compared, those that share nothing uncommon last (score 0)."""
    seen = {(p.a, p.b) for p in comparison.pairs}
    docs = list(comparison.documents.values())
    rest = []
    for i, first in enumerate(docs):
        for second in docs[i + 1 :]:
            if first.known and second.known:
                continue
            a, b = (second, first) if first.known else (first, second)
            if (a.id, b.id) not in seen and (b.id, a.id) not in seen:
                rest.append(Pair(a.id, b.id, (), a.known or b.known))
    rest.sort(key=lambda p: (p.a, p.b))
    return list(comparison.pairs) + rest


def render_similarity_html(
    comparison: Comparison, *, templates: Path | None = None
) -> str:
    """The page: counts, the evidence's meaning, the ranked pairs, and more.

    The strongest pairs are shown side by side with what they share marked.
    ``templates``: a folder whose templates replace the shipped ones.
    """
    flagged = comparison.flagged
    size = comparison.class_size
    shown = list(comparison.pairs[: max(PAIRS_SHOWN, len(flagged))])
    shown = shown[: max(PAIRS_SHOWN, FLAGGED_SHOWN)]
    counts = holder_counts(list(comparison.fingerprints.values()))
    limit = common_limit(len(comparison.documents))
    return templating.render(
        TEMPLATE,
        templates,
        title="Similar submissions",
        size=size,
        known=comparison.known,
        compared=size * (size - 1) // 2 + size * comparison.known,
        flagged=len(flagged),
        threshold=comparison.threshold,
        unread=comparison.unread,
        kinds=KIND_TABLE,
        listed=[
            _row(rank, pair, comparison)
            for rank, pair in enumerate(comparison.pairs[:PAIRS_LISTED], 1)
        ],
        more=len(comparison.pairs) - PAIRS_LISTED,
        cohorts=[_cohort_row(cohort) for cohort in comparison.cohorts.found],
        untold=comparison.cohorts.untold,
        shown=[
            _side_by_side(rank, pair, comparison, counts, limit)
            for rank, pair in enumerate(shown, 1)
        ],
    )


@dataclass(frozen=True)
class Row:
    """A pair's row of the ranking: linked where it is also shown side by side.

    ``evidence`` is each kind's title and weight, strongest first.
    """

    rank: int
    pair: Pair
    flagged: bool
    linked: bool
    evidence: tuple[tuple[str, float], ...]


def _row(rank: int, pair: Pair, comparison: Comparison) -> Row:
    flagged = pair.score >= comparison.threshold
    evidence = tuple(
        (KINDS[e.kind].title, e.weight)
        for e in sorted(pair.evidence, key=lambda e: -e.weight)
        if e.weight >= 0.005
    )
    linked = rank <= PAIRS_SHOWN or (flagged and rank <= FLAGGED_SHOWN)
    return Row(rank, pair, flagged, linked, evidence)


@dataclass(frozen=True)
class CohortRow:
    """A cohort as the page lists it; ``members`` empty where it is large."""

    name: str
    found_from: str
    size: int
    members: tuple[str, ...]
    tellable: bool


def _cohort_row(cohort: Cohort) -> CohortRow:
    shown = cohort.members if len(cohort.members) <= MEMBERS_SHOWN else ()
    return CohortRow(
        cohort.name,
        FOUND_FROM[cohort.how],
        len(cohort.members),
        shown,
        cohort.tellable,
    )


@dataclass(frozen=True)
class Line:
    """A line of a cell, and whether the pair shares it."""

    text: str
    marked: bool


@dataclass(frozen=True)
class ShownCell:
    """A cell as the page shows it: its label, source, and printed text.

    ``printed`` is None where the pair shares none of what it printed.
    """

    label: str
    source: tuple[Line, ...]
    printed: tuple[Line, ...] | None


@dataclass(frozen=True)
class Side:
    """One notebook of a pair: its id and the cells it shares."""

    id: str
    cells: tuple[ShownCell, ...]


@dataclass(frozen=True)
class SideBySide:
    """A pair shown side by side.

    ``evidence`` is each kind's sentence, what is shared and its weight.
    """

    rank: int
    pair: Pair
    flagged: bool
    evidence: tuple[tuple[str, int, float], ...]
    left: Side
    right: Side


def _side_by_side(
    rank: int,
    pair: Pair,
    comparison: Comparison,
    counts: Mapping[str, Mapping[int, int]],
    limit: int,
) -> SideBySide:
    left, right = shared_regions(
        comparison.fingerprints[pair.a], comparison.fingerprints[pair.b], counts, limit
    )
    return SideBySide(
        rank,
        pair,
        pair.score >= comparison.threshold,
        tuple(
            (KINDS[e.kind].sentence, e.shared, e.weight)
            for e in sorted(pair.evidence, key=lambda e: -e.weight)
        ),
        _side(comparison.documents[pair.a], left),
        _side(comparison.documents[pair.b], right),
    )


def _side(doc: Document, regions: Sequence[Region]) -> Side:
    marked: dict[tuple[int, str], set[int]] = {}
    for region in regions:
        lines = marked.setdefault((region.cell, region.area), set())
        lines.update(range(region.first, region.last + 1))
    cells = []
    for index in sorted({cell for cell, _ in marked}):
        cell = doc.cells[index]
        label = f"cell {index + 1} ({cell.kind})"
        if index in doc.functions:
            label += f", {doc.functions[index]}"
        if (index, "meta") in marked:
            label += f", metadata or execution count ({cell.execution_count}) shared"
        printed = None
        if (index, "out") in marked:
            printed = _lines(list(cell.printed), marked[(index, "out")])
        source = _lines(cell.source.splitlines(), marked.get((index, "src")))
        cells.append(ShownCell(label, source, printed))
    return Side(doc.id, tuple(cells))


def _lines(lines: list[str], marked: set[int] | None) -> tuple[Line, ...]:
    marked = marked or set()
    shown = [
        Line(line, number in marked) for number, line in enumerate(lines[:LINES_SHOWN])
    ]
    if len(lines) > LINES_SHOWN:
        shown.append(Line(f"... {len(lines) - LINES_SHOWN} more lines", False))
    return tuple(shown)
