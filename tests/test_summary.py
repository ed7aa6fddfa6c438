"""The class report's figures on hand-made results: messages normalised and
grouped into mistakes, pass rates, the histogram, mean and median. No
kernel, no TensorFlow."""

from __future__ import annotations

import pytest

from grader.reports.class_summary import ClassSummary, normalise
from grader.reports.results import CheckResult, GradeReport, SubmissionResult

pytestmark = pytest.mark.fast

#: (message as a student got it, what it is once normalised)
NORMALISED = [
    (
        "res3a_branch2a: strides (1, 1), expected (2, 2)",
        "res*_branch2a: strides (#, #), expected (#, #)",
    ),
    (
        "bn4f_branch2b normalizes axis 1, expected the channels axis (3)",
        "bn*_branch2b normalizes axis #, expected the channels axis (#)",
    ),
    (
        "after the Add of bn1a_branch2c and the input the reference applies a ReLU;"
        " yours has nothing there",
        "after the Add of bn*_branch2c and the input the reference applies a ReLU;"
        " yours has nothing there",
    ),
    (
        "out[1][1][0] is [0.09024893 1.2349315  0.4683735  0.03675304 0. ], "
        "expected [0.09018463 1.23489773 0.46822017 0.0367176  0. ]",
        "out[#][#][#] is […], expected […]",
    ),
    (
        "parameters: total 23,589,054, expected 23,600,006",
        "parameters: total #, expected #",
    ),
    (
        "after activation_12 yours applies Conv2D (conv2d_3); the reference adds "
        "the shortcut",
        "after activation_# yours applies Conv2D (conv2d_#); the reference adds "
        "the shortcut",
    ),
    (
        "identity_block raised ValueError: bad (in identity_block, line 32: "
        "`X = Add()([X, Y])`)",
        "identity_block raised ValueError: bad (in identity_block, line #: `…`)",
    ),
    ("no layer named bn_conv1 (and 3 more)", "no layer named bn_conv1 (and # more)"),
    ("epsilon 1e-05, expected 0.001", "epsilon #, expected #"),
]


@pytest.mark.parametrize(("message", "normalised"), NORMALISED)
def test_a_message_is_normalised(message, normalised):
    assert normalise(message) == normalised


def test_the_same_mistake_in_two_stages_is_one_pattern():
    assert normalise("res4a_branch2a: strides (1, 1), expected (2, 2)") == normalise(
        "res3a_branch2a: strides (1, 1), expected (2, 2)"
    )
    assert normalise("res3a_branch2a: kernel_size (1, 1)") != normalise(
        "res3a_branch2a: strides (1, 1)"
    )


def _check(function, name, points, message, *, max_points=5, visible=True):
    return CheckResult(function, name, max_points, points, message, visible)


def _graded(student, *checks):
    report = GradeReport(notebook=f"{student}.ipynb", checks=checks)
    return SubmissionResult(
        student, f"{student}.ipynb", "0" * 64, "graded", report=report, seconds=10.0
    )


STRIDE = "res{}a_branch2a: strides (1, 1), expected (2, 2)"
HIDDEN = "on hidden inputs the output differs from the reference too"
RESULTS = [
    _graded(
        "c",
        _check("ResNet50", "layers and settings", 0, STRIDE.format(3)),
        _check("ResNet50", "hidden run", 0, HIDDEN, visible=False),
        _check("identity_block", "seeded output", 5, "fine"),
    ),
    _graded(
        "a",
        _check("ResNet50", "layers and settings", 0, STRIDE.format(4)),
        _check("ResNet50", "hidden run", 0, HIDDEN, visible=False),
        _check("identity_block", "seeded output", 5, "fine"),
    ),
    _graded(
        "b",
        _check("ResNet50", "layers and settings", 5, "as expected"),
        _check("ResNet50", "hidden run", 5, "fine", visible=False),
        _check("identity_block", "seeded output", 0, "stub"),
    ),
    SubmissionResult("d", "d.ipynb", "", "invalid", message="not JSON", seconds=1.0),
]


def test_mistakes_are_grouped_counted_and_linked_to_their_students():
    mistakes = ClassSummary.of(RESULTS).mistakes()
    assert [(m.count, m.function, m.checks, m.students) for m in mistakes] == [
        (2, "ResNet50", ("hidden run",), ("a", "c")),
        (2, "ResNet50", ("layers and settings",), ("a", "c")),
        (1, "identity_block", ("seeded output",), ("b",)),
    ]
    stride = mistakes[1]
    assert stride.pattern == "res*_branch2a: strides (#, #), expected (#, #)"
    assert stride.examples == (STRIDE.format(4), STRIDE.format(3))


def test_one_mistake_reported_by_several_checks_counts_a_student_once():
    stub = "identity_block is still the stub"
    results = [
        _graded(s, _check("f", "one", 0, stub), _check("f", "two", 0, stub))
        for s in ("x", "y")
    ]
    (mistake,) = ClassSummary.of(results).mistakes()
    assert (mistake.count, mistake.checks) == (2, ("one", "two"))


def test_a_failure_that_points_at_another_failed_check_is_not_a_mistake_of_its_own():
    follows = f"{HIDDEN}; fix what 'layers and settings' reports first"
    wrong = _check("ResNet50", "layers and settings", 0, STRIDE.format(3))
    results = [
        # The cause failed too: only the cause is a mistake.
        _graded("x", wrong, _check("ResNet50", "hidden run", 0, follows)),
        # Here the check it points at passed: the message is the mistake.
        _graded(
            "y",
            _check("ResNet50", "layers and settings", 5, "as expected"),
            _check("ResNet50", "hidden run", 0, follows),
        ),
    ]
    mistakes = ClassSummary.of(results).mistakes()
    assert [(m.checks, m.students) for m in mistakes] == [
        (("hidden run",), ("y",)),
        (("layers and settings",), ("x",)),
    ]


def test_pass_rates_follow_the_reports_order_and_count_graded_only():
    rates = ClassSummary.of(RESULTS).pass_rates()
    assert [(r.title, r.passed, r.graded, r.visible) for r in rates] == [
        ("ResNet50: layers and settings", 1, 3, True),
        ("ResNet50: hidden run", 1, 3, False),
        ("identity_block: seeded output", 2, 3, True),
    ]
    assert rates[0].rate == pytest.approx(1 / 3)
    assert rates[2].mean == pytest.approx(10 / 3)


def test_the_headline_counts_and_scores():
    summary = ClassSummary.of(RESULTS)
    assert [r.student for r in summary.results] == ["a", "b", "c", "d"]
    assert summary.counts == {"graded": 3, "invalid": 1, "error": 0}
    assert summary.scores == [5, 10, 5]
    assert (summary.mean, summary.median, summary.max_score) == (20 / 3, 5, 15)
    assert (summary.seconds, summary.longest) == (31.0, 10.0)
    assert summary.functions == ["ResNet50", "identity_block"]


def test_the_histogram_puts_full_marks_in_the_last_range():
    bins = ClassSummary.of(RESULTS).histogram(bins=3)
    assert bins == [(0.0, 5.0, 0), (5.0, 10.0, 2), (10.0, 15.0, 1)]


def test_an_empty_class_has_no_mean_and_no_mistakes():
    summary = ClassSummary.of([RESULTS[-1]])
    assert (summary.mean, summary.median, summary.mistakes()) == (None, None, [])
    assert [n for _, _, n in summary.histogram()] == [0] * 10
