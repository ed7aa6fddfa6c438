"""Whole gradings on a real kernel: the solution, the stub, and functions
that hang, go missing or raise. (Wrong answers are in ``test_corpus.py``.)"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import STUDENT, edited_solution, printed_vector, seeded

from grader.sandbox.choice import Limits, choose

FAILURE_SCENARIOS = {
    # A hanging function, and one whose marked cell defines another name,
    # cost only their own checks.
    "hanging-and-missing": (
        [
            (
                "identity_block",
                "    ### START CODE HERE ###\n",
                "    ### START CODE HERE ###\n    while True:\n        pass\n",
            ),
            ("ResNet50", "def ResNet50(", "def ResNet_50("),
        ],
        {
            "identity_block": "identity_block did not finish in time",
            "ResNet50": "ResNet50 is not defined after running its cell",
        },
    ),
    # A block that hangs costs one time limit: ResNet50, which calls it, is
    # stopped at its first call of it, and says so.
    "hanging-block-called-by-resnet50": (
        [
            (
                "identity_block",
                "    ### START CODE HERE ###\n",
                "    ### START CODE HERE ###\n    while True:\n        pass\n",
            ),
        ],
        {
            "identity_block": "identity_block did not finish in time",
            "ResNet50": "ResNet50 did not finish in time: it calls identity_block, "
            "which did not finish in time on its own either",
        },
    ),
    # An exception is shown with the student's own line, not grader internals.
    "raising": (
        [
            (
                "convolutional_block",
                "X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)",
                "X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X_missing)",
            )
        ],
        {
            "convolutional_block": "convolutional_block raised NameError: name "
            "'X_missing' is not defined (in convolutional_block, line 50: "
            "`X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X_missing)`)",
            "ResNet50": "ResNet50 raised NameError: name 'X_missing' is not defined "
            "(in ResNet50, line 32: `X = convolutional_block(X, f=3, filters=[64, "
            "64, 256], stage=2, block='a', s=1)`; then in convolutional_block, "
            "line 50:",
        },
    ),
}


@pytest.mark.parametrize("scenario", sorted(FAILURE_SCENARIOS))
def test_broken_functions_fail_alone_with_the_reason(graded, scenario):
    edits, reasons = FAILURE_SCENARIOS[scenario]
    report = graded(
        scenario, _apply(edits), sandbox=choose(limits=Limits(probe_seconds=10))
    )
    for check in report.checks:
        if check.function in reasons:
            assert not check.passed and reasons[check.function] in check.message, check
            assert "grader/" not in check.message and "Traceback" not in check.message
        else:
            assert check.passed, check


def _apply(edits):
    return edited_solution(list(edits))


def test_solution_earns_full_marks(graded):
    from conftest import SOLUTION

    report = graded("solution", SOLUTION)
    failed = {c.title: c.message for c in report.checks if not c.passed}
    assert failed == {}
    assert report.score == report.max_score == 100
    seeded_message = report.for_function("identity_block")[0].message
    printed = printed_vector(seeded_message, "out[1][1][0] = ")
    assert np.allclose(printed, seeded("identity_block"), rtol=0, atol=1e-5)
    assert "23,600,006" in report.for_function("ResNet50")[0].message


def test_student_stub_scores_zero_with_a_reason_per_function(graded):
    report = graded("stub", STUDENT)
    assert report.score == 0
    for check in report.checks:
        assert check.message.startswith(f"{check.function} is still the stub"), check
