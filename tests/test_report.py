from __future__ import annotations

import pytest

from grader.report import CheckResult, GradeReport, Protection, SubmissionResult

# No kernel and no TensorFlow: the fast tier (pytest -m fast).
pytestmark = pytest.mark.fast

REPORT = GradeReport(
    notebook="sub.ipynb",
    checks=(
        CheckResult("f", "seeded output", 3, 3, "fine"),
        CheckResult("g", "layer names", 2, 0, "no layer named res2a", False),
    ),
    notes=("a note",),
    seconds=1.5,
    protections=(Protection("network", True, "no network"),),
    phases=(("graded cells", 0.5),),
)


def test_a_checks_title_is_its_function_and_name():
    assert [check.title for check in REPORT.checks] == [
        "f: seeded output",
        "g: layer names",
    ]


def test_reports_and_results_read_back_what_they_wrote():
    assert GradeReport.from_dict(REPORT.to_dict()) == REPORT
    result = SubmissionResult("ada", "sub.ipynb", "0" * 64, "graded", report=REPORT)
    assert SubmissionResult.from_dict(result.to_dict()) == result


def test_a_report_stored_with_titles_as_names_reads_as_parts():
    data = REPORT.to_dict()
    for check in data["checks"]:
        check["name"] = f"{check['function']}: {check['name']}"
    assert GradeReport.from_dict(data) == REPORT
