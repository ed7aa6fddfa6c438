"""The similarity page and CSV: ``similarity.html`` and ``similarity.csv``.

Rendering only: the pairs, their evidence and the shared regions come from
``grader.similarity``. The page is one file that opens from disk (no script,
no network); every piece of a notebook on it is escaped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from html import escape

from grader.similarity import Comparison, Pair
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
CSV_HEADER = ("submission_a", "submission_b", "score", "flagged", "known", "evidence")

STYLE = """
body { font-family: system-ui, "DejaVu Sans", Arial, sans-serif; color: #1a1a1a;
  background: #fff; line-height: 1.4; max-width: 90rem; margin: 1.5rem auto;
  padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .3rem; }
.muted { color: #5f6368; }
a { color: #1a56a8; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #f4f6f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.flag { color: #8a4b00; font-weight: 600; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; }
.sides > div { min-width: 0; }
.cell { border: 1px solid #ddd; border-radius: 4px; margin: .4rem 0; }
.cell > div { font-size: .8rem; color: #5f6368; padding: .1rem .4rem;
  background: #f4f6f9; }
pre { margin: 0; padding: .3rem .4rem; overflow-x: auto; font-size: .8rem; }
pre.out { background: #fafafa; border-top: 1px dashed #ddd; }
mark { background: #fde6a8; }
"""


def _page(title: str, body: Iterable[str]) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _evidence_words(pair: Pair) -> str:
    return "; ".join(
        f"{escape(KINDS[e.kind].title)} {e.weight:.2f}"
        for e in sorted(pair.evidence, key=lambda e: -e.weight)
        if e.weight >= 0.005
    )


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


def render_similarity_html(comparison: Comparison) -> str:
    """The page: counts, the evidence's meaning, the ranked pairs, and more.

    The strongest pairs are shown side by side with what they share marked.
    """
    flagged = comparison.flagged
    size = comparison.class_size
    compared = size * (size - 1) // 2 + size * comparison.known
    body = [
        "<h1>Similar submissions</h1>",
        f"<p class='muted'>{size} submissions"
        + (
            f" and {comparison.known} notebooks of known work"
            if comparison.known
            else ""
        )
        + f"; {compared} pairs compared; {len(flagged)} at or above the threshold "
        f"({comparison.threshold:g}). Nothing was run: the notebooks were read as "
        "submitted. What a pair shares is evidence for a person to weigh, not a "
        "verdict.</p>",
    ]
    if comparison.unread:
        body.append("<p>Not read:</p><ul>")
        body += [f"<li>{escape(line)}</li>" for line in comparison.unread]
        body.append("</ul>")
    body += _kinds()
    body += _table(comparison)
    shown = list(comparison.pairs[: max(PAIRS_SHOWN, len(flagged))])
    shown = shown[: max(PAIRS_SHOWN, FLAGGED_SHOWN)]
    if shown:
        body.append("<h2 id='pairs'>Pairs side by side</h2>")
        counts = holder_counts(list(comparison.fingerprints.values()))
        limit = common_limit(len(comparison.documents))
        for rank, pair in enumerate(shown, 1):
            left, right = shared_regions(
                comparison.fingerprints[pair.a],
                comparison.fingerprints[pair.b],
                counts,
                limit,
            )
            body += _side_by_side(
                rank,
                pair,
                comparison.documents[pair.a],
                comparison.documents[pair.b],
                left,
                right,
                comparison.threshold,
            )
    return _page("Similar submissions", body)


def _kinds() -> list[str]:
    rows = [
        f"<tr><td>{escape(k.title)}</td><td class='num'>{k.weight:g}</td>"
        f"<td>{escape(k.sentence)}</td></tr>"
        for k in KIND_TABLE
    ]
    return [
        "<h2 id='evidence'>What the evidence means</h2>",
        "<p>Material the hand-out gives, and material more than a few notebooks "
        "of the class share, counts for nobody. A pair's score combines its "
        "kinds: each adds up to its weight, and one strong kind is enough.</p>",
        "<table><thead><tr><th>kind</th><th>weight</th><th>meaning</th></tr>"
        "</thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


def _table(comparison: Comparison) -> list[str]:
    listed = comparison.pairs[:PAIRS_LISTED]
    body = ["<h2 id='ranking'>Pairs by strength of evidence</h2>"]
    if not listed:
        return body + ["<p>No two notebooks share anything uncommon.</p>"]
    body.append(
        "<table><thead><tr><th>#</th><th>submission</th><th>submission</th>"
        "<th>score</th><th>evidence (weight)</th></tr></thead><tbody>"
    )
    for rank, pair in enumerate(listed, 1):
        flag = (
            " <span class='flag'>flagged</span>"
            if pair.score >= comparison.threshold
            else ""
        )
        link = (
            f"<a href='#pair-{rank}'>{rank}</a>"
            if _shown(rank, pair, comparison)
            else str(rank)
        )
        body.append(
            f"<tr><td class='num'>{link}</td><td>{escape(pair.a)}</td>"
            f"<td>{escape(pair.b)}</td><td class='num'>{pair.score:.2f}{flag}</td>"
            f"<td>{_evidence_words(pair)}</td></tr>"
        )
    body.append("</tbody></table>")
    more = len(comparison.pairs) - len(listed)
    if more > 0:
        body.append(
            f"<p class='muted'>{more} more pairs share less; see similarity.csv.</p>"
        )
    return body


def _shown(rank: int, pair: Pair, comparison: Comparison) -> bool:
    flagged = pair.score >= comparison.threshold
    return rank <= PAIRS_SHOWN or (flagged and rank <= FLAGGED_SHOWN)


def _side_by_side(
    rank: int,
    pair: Pair,
    a: Document,
    b: Document,
    left: Sequence[Region],
    right: Sequence[Region],
    threshold: float,
) -> list[str]:
    flag = " · flagged" if pair.score >= threshold else ""
    sentences = [
        f"<li>{escape(KINDS[e.kind].sentence)}: {e.shared} shared "
        f"(weight {e.weight:.2f})</li>"
        for e in sorted(pair.evidence, key=lambda e: -e.weight)
    ]
    return [
        f"<h3 id='pair-{rank}'>{rank}. {escape(pair.a)} and {escape(pair.b)}: "
        f"score {pair.score:.2f}{flag}</h3>",
        "<ul>",
        *sentences,
        "</ul>",
        "<div class='sides'>",
        _column(a, left),
        _column(b, right),
        "</div>",
    ]


def _column(doc: Document, regions: Sequence[Region]) -> str:
    marked: dict[tuple[int, str], set[int]] = {}
    for region in regions:
        lines = marked.setdefault((region.cell, region.area), set())
        lines.update(range(region.first, region.last + 1))
    cells = sorted({cell for cell, _ in marked})
    parts = [f"<div><b>{escape(doc.id)}</b>"]
    if not cells:
        parts.append("<p class='muted'>nothing shown</p>")
    for index in cells:
        cell = doc.cells[index]
        label = f"cell {index + 1} ({cell.kind})"
        if index in doc.functions:
            label += f", {doc.functions[index]}"
        if (index, "meta") in marked:
            label += f", metadata or execution count ({cell.execution_count}) shared"
        parts.append(f"<div class='cell'><div>{escape(label)}</div>")
        parts.append(
            _lines("src", cell.source.splitlines(), marked.get((index, "src")))
        )
        if (index, "out") in marked:
            parts.append(_lines("out", list(cell.printed), marked[(index, "out")]))
        parts.append("</div>")
    parts.append("</div>")
    return "\n".join(parts)


def _lines(area: str, lines: list[str], marked: set[int] | None) -> str:
    marked = marked or set()
    shown = []
    for number, line in enumerate(lines[:LINES_SHOWN]):
        text = escape(line)
        shown.append(f"<mark>{text}</mark>" if number in marked else text)
    if len(lines) > LINES_SHOWN:
        shown.append(escape(f"... {len(lines) - LINES_SHOWN} more lines"))
    css = " class='out'" if area == "out" else ""
    return f"<pre{css}>" + "\n".join(shown) + "</pre>"
