from __future__ import annotations

from pathlib import Path

import pytest

from grader.reports.results import (
    CheckResult,
    GradeReport,
    Protection,
    SubmissionResult,
    notebook_name,
)

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


def test_a_result_keeps_where_its_notebook_was_read_apart_from_its_name():
    result = SubmissionResult(
        "ada", "ada/nb.ipynb", "0" * 64, "invalid", path="/srv/course/subs/ada/nb.ipynb"
    )
    assert SubmissionResult.from_dict(result.to_dict()) == result
    assert str(result.source) == "/srv/course/subs/ada/nb.ipynb"
    # A result stored before the two were apart: its notebook is the path.
    old = result.to_dict()
    del old["path"]
    assert SubmissionResult.from_dict(old).source == Path("ada/nb.ipynb")


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("/home/me/subs/s1.ipynb", "subs/s1.ipynb"),
        ("subs/s1.ipynb", "subs/s1.ipynb"),
        ("./s1.ipynb", "s1.ipynb"),
        ("subs/../s1.ipynb", "s1.ipynb"),
        ("/tmp/x/subs/s1.ipynb", "s1.ipynb"),
        ("../other/s1.ipynb", "s1.ipynb"),
        # A folder whose name starts as the current one's is not inside it.
        ("/home/me-too/s1.ipynb", "s1.ipynb"),
    ],
)
def test_a_notebook_is_named_below_the_current_folder_or_by_its_file_name(given, name):
    assert notebook_name(given, cwd="/home/me") == name
