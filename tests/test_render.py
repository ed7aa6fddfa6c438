from __future__ import annotations

import pytest

from grader.reports.render import render_text, to_gradescope
from grader.reports.results import CheckResult, GradeReport

# No kernel and no TensorFlow: the fast tier (pytest -m fast).
pytestmark = pytest.mark.fast

REPORT = GradeReport(
    notebook="sub.ipynb",
    checks=(
        CheckResult("f", "one", 3, 3, "fine"),
        CheckResult("f", "two", 2, 0, "res1a_branch2a: strides (1, 1)", False),
        CheckResult("g", "one", 4, 0, "g is still the stub"),
        CheckResult("g", "two", 1, 0, "g is still the stub"),
    ),
    notes=("a note",),
    seconds=1.25,
)


def test_text_report_lists_checks_and_total():
    assert render_text(REPORT).splitlines() == [
        "Grading sub.ipynb",
        "",
        "f",
        "  PASS      3/3  one",
        "                 fine",
        "  FAIL      0/2  two (hidden)",
        "                 res1a_branch2a: strides (1, 1)",
        "g",
        "  every check fails: g is still the stub",
        "  FAIL      0/4  one",
        "  FAIL      0/1  two",
        "note: a note",
        "",
        "Total: 3/10  (1.2 s)",
    ]


def test_gradescope_totals_are_derived_from_the_checks():
    data = to_gradescope(REPORT)
    assert (data["score"], data["max_score"]) == (3, 10)
    assert [t["status"] for t in data["tests"]] == [
        "passed",
        "failed",
        "failed",
        "failed",
    ]
    assert data["tests"][1]["visibility"] == "after_published"
    assert data["output"] == "a note"


def test_the_guide_points_table_is_the_checks_table():
    from pathlib import Path

    from grader.judging.checks import CHECKS
    from grader.reports.render import render_points

    guide = Path(__file__).parent.parent / "docs" / "points.md"
    assert render_points(CHECKS) in guide.read_text(encoding="utf-8")
    assert sum(check.points for check in CHECKS) == 100
