"""The batch's renderers on hand-made results: the gradebook CSV, JUnit XML,
Gradescope's not-graded result, progress lines and the summary. No kernel,
no TensorFlow."""

from __future__ import annotations

import pytest

from grader.reports.render import (
    gradescope_not_graded,
    render_bar,
    render_gradebook,
    render_junit,
    render_progress,
    render_summary,
    result_to_gradescope,
)
from grader.reports.results import CheckResult, GradeReport, SubmissionResult
from grader.reports.tally import Tally

pytestmark = pytest.mark.fast

REPORT = GradeReport(
    notebook="subs/a/n.ipynb",
    checks=(
        CheckResult(
            function="identity_block",
            name="seeded output",
            max_points=8,
            points=8,
            message="matches",
        ),
        CheckResult(
            function="identity_block",
            name="layer names",
            max_points=4,
            points=0,
            message='res2a_branch2a: named "conv2d"',
            visible=False,
        ),
    ),
    seconds=2.5,
)
GRADED = SubmissionResult(
    student="a",
    notebook="subs/a/n.ipynb",
    sha256="aa",
    status="graded",
    report=REPORT,
    seconds=2.54,
)
INVALID = SubmissionResult(
    student="b",
    notebook="subs/b/n.ipynb",
    sha256="bb",
    status="invalid",
    message="subs/b/n.ipynb: not a Jupyter notebook (not valid JSON: x)",
    seconds=0.5,
)
ERROR = SubmissionResult(
    student="c",
    notebook="subs/c/n.ipynb",
    sha256="cc",
    status="error",
    message="the grader crashed (exit status -9)",
    seconds=300,
    reused=True,
)
RESULTS = [GRADED, INVALID, ERROR]


def test_the_gradebook_has_a_row_per_submission_and_a_column_per_check():
    assert render_gradebook(RESULTS).splitlines() == [
        "student,status,score,max_score,identity_block: seeded output,"
        "identity_block: layer names,seconds,notebook,sha256,message",
        "a,graded,8,12,8,0,2.5,subs/a/n.ipynb,aa,",
        "b,invalid,0,12,,,0.5,subs/b/n.ipynb,bb,"
        "subs/b/n.ipynb: not a Jupyter notebook (not valid JSON: x)",
        "c,error,0,12,,,300.0,subs/c/n.ipynb,cc,the grader crashed (exit status -9)",
    ]


def test_junit_has_a_suite_per_submission_a_failure_per_failed_check():
    assert render_junit(RESULTS).splitlines() == [
        "<?xml version='1.0' encoding='utf-8'?>",
        '<testsuites name="resnet-grader">',
        '  <testsuite name="a" time="2.540" tests="2" failures="1" errors="0">',
        '    <testcase classname="a.identity_block" name="seeded output" />',
        '    <testcase classname="a.identity_block" name="layer names">',
        '      <failure message="res2a_branch2a: named &quot;conv2d&quot;" '
        'type="0/4">res2a_branch2a: named "conv2d"</failure>',
        "    </testcase>",
        "  </testsuite>",
        '  <testsuite name="b" time="0.500" tests="1" failures="0" errors="1">',
        '    <testcase classname="b" name="grading">',
        '      <error message="subs/b/n.ipynb: not a Jupyter notebook (not valid '
        'JSON: x)" type="invalid">subs/b/n.ipynb: not a Jupyter notebook (not '
        "valid JSON: x)</error>",
        "    </testcase>",
        "  </testsuite>",
        '  <testsuite name="c" time="300.000" tests="1" failures="0" errors="1">',
        '    <testcase classname="c" name="grading">',
        '      <error message="the grader crashed (exit status -9)" type="error">'
        "the grader crashed (exit status -9)</error>",
        "    </testcase>",
        "  </testsuite>",
        "</testsuites>",
    ]


def test_a_result_not_graded_scores_0_on_gradescope_with_the_reason():
    assert list(result_to_gradescope(INVALID).items()) == [
        ("score", 0),
        ("execution_time", 0.5),
        ("output", INVALID.message),
        ("tests", []),
    ]
    assert list(gradescope_not_graded("no notebook").items()) == [
        ("score", 0),
        ("output", "no notebook"),
        ("tests", []),
    ]


def test_progress_and_the_bar_count_graded_and_not_graded():
    tally = Tally(total=4, started=0.0)
    for result in RESULTS:
        tally.add(result)
    assert (tally.graded, tally.invalid, tally.errors, tally.reused) == (1, 1, 1, 1)
    assert (tally.not_graded, tally.finished, tally.remaining) == (2, 3, 1)
    tally.started = tally.started + tally.elapsed - 75.5  # 1:15 ago
    assert render_progress(ERROR, tally) == (
        "[3/4] done 1, failed 2, remaining 1, elapsed 1:15  "
        "c: error: the grader crashed (exit status -9) (unchanged, kept)"
    )
    assert render_bar(tally, width=8) == (
        "[######..] 3/4  done 1  failed 2  remaining 1  1:15"
    )


def test_the_summary_has_a_line_per_student_and_the_totals():
    assert render_summary(RESULTS).splitlines() == [
        "a  8/12  (2.5 s)",
        "b  invalid: not a Jupyter notebook (not valid JSON: x)  (0.5 s)",
        "c  error: the grader crashed (exit status -9)  (300.0 s)  (kept)",
        "3 submissions: 1 graded, 2 not gradable or failed, 1 kept from an earlier run",
    ]
