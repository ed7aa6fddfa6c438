"""Writing ``similarity.html`` and ``similarity.csv``.

Also the evidence a batch's stored results give: each student's failed checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from grader.files import write_atomically
from grader.reports.results import SubmissionResult
from grader.similarity import Comparison
from grader.similarity.render import render_similarity_csv, render_similarity_html

PAGE = "similarity.html"
TABLE = "similarity.csv"


def write_similarity(
    out: Path, comparison: Comparison, *, templates: Path | None = None
) -> list[Path]:
    """Write the page and the CSV under ``out``, each whole or not at all.

    ``templates``: a folder whose page templates replace the shipped ones.
    """
    page, table = out / PAGE, out / TABLE
    write_atomically(page, render_similarity_html(comparison, templates=templates))
    write_atomically(table, render_similarity_csv(comparison))
    return [page, table]


def failed_checks(results: Iterable[SubmissionResult]) -> dict[str, frozenset[str]]:
    """Each graded student's failed checks as ``function|check|message``.

    Two students failing the same check with the same graph difference share
    one.
    """
    failed = {}
    for result in results:
        if result.report is None:
            continue
        failed[result.student] = frozenset(
            f"{c.function}|{c.name}|{c.message}"
            for c in result.report.checks
            if not c.passed
        )
    return failed
