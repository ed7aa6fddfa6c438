"""Whole gradings on a real kernel: each scenario loses exactly its checks.

Each row is one submission, made from the solution by a small edit: the
checks it must fail, and words that the failure messages must contain.
"""

from __future__ import annotations

import pytest
from conftest import STUDENT, edited_solution

ID_TAIL = "    X = Add()([X, X_shortcut])\n    X = Activation('relu')(X)\n    ### END"
BN_SHORTCUT = (
    "    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + '1')(X_shortcut)\n"
)
LOOPED_STAGES = """\
    ### START CODE HERE ###
    stages = [(3, [128, 128, 512], 'bcd'), (4, [256, 256, 1024], 'bcdef'),
              (5, [512, 512, 2048], 'bc')]
    for stage, filters, blocks in stages:
        X = convolutional_block(X, 3, filters, stage, 'a', s=2)
        for block in blocks:
            X = identity_block(X, 3, filters, stage=stage, block=block)
    X = AveragePooling2D((2, 2), name='avg_pool')(X)
    ### END CODE HERE ###"""
RESNET_REGION_START = "    ### START CODE HERE ###\n    # Stage 3"
RESNET_REGION_END = "name='avg_pool')(X)\n    ### END CODE HERE ###"

# Parameters of one stage-4 identity block: three convolutions and their
# BatchNorms, read off the assignment's layer table (rows res4f_* and bn4f_*).
STAGE4_BLOCK = 262_400 + 1_024 + 590_080 + 1_024 + 263_168 + 4_096
# The four shortcut BatchNorms hold 4 parameters per channel.
SHORTCUT_BN = 4 * (256 + 512 + 1024 + 2048)

BLOCK_NUMERIC = ("seeded output", "hidden inputs, inference", "hidden inputs, training")
AFTER_EXAMPLE = "fix what 'layers and settings' reports first"
RESNET_SHAPE = ("layer table", "layers and settings")

SCENARIOS = {
    "no-final-relu": (
        [("identity_block", ID_TAIL, "    X = Add()([X, X_shortcut])\n    ### END")],
        {
            **{f"identity_block: {c}": AFTER_EXAMPLE for c in BLOCK_NUMERIC[1:]},
            "identity_block: seeded output": "first difference from the reference",
            "identity_block: layers and settings": "the ReLU after the Add of "
            "bn1a_branch2c and the input is missing",
            **{f"ResNet50: {c}": "ReLU" for c in RESNET_SHAPE},
        },
    ),
    "shortcut-without-batchnorm": (
        [("convolutional_block", BN_SHORTCUT, "")],
        {
            **{f"convolutional_block: {c}": AFTER_EXAMPLE for c in BLOCK_NUMERIC[1:]},
            "convolutional_block: seeded output": "first difference from the reference",
            "convolutional_block: layer names": "no layer named bn1a_branch1",
            "convolutional_block: layers and settings": "no layer named bn1a_branch1",
            "ResNet50: parameter counts": f"total {23_600_006 - SHORTCUT_BN:,}, "
            "expected 23,600,006",
            "ResNet50: layer names": "bn2a_branch1",
            **{f"ResNet50: {c}": "bn2a_branch1" for c in RESNET_SHAPE},
        },
    ),
    "stride-on-3x3": (
        [
            (
                "convolutional_block",
                "X = Conv2D(F1, (1, 1), strides=(s, s)",
                "X = Conv2D(F1, (1, 1), strides=(1, 1)",
            ),
            (
                "convolutional_block",
                "X = Conv2D(F2, (f, f), strides=(1, 1)",
                "X = Conv2D(F2, (f, f), strides=(s, s)",
            ),
        ],
        {
            **{f"convolutional_block: {c}": AFTER_EXAMPLE for c in BLOCK_NUMERIC[1:]},
            "convolutional_block: seeded output": "first difference from the reference",
            "convolutional_block: layers and settings": "res1a_branch2a: "
            "output shape (None, 4, 4, 2), expected (None, 2, 2, 2); "
            "res1a_branch2a: strides (1, 1), expected (2, 2)",
            "ResNet50: layer table": "res3a_branch2a: output shape (None, 15, 15, 128),"
            " expected (None, 8, 8, 128)",
            "ResNet50: layers and settings": "res3a_branch2a: strides (1, 1), "
            "expected (2, 2)",
        },
    ),
    "stage-4-with-four-identity-blocks": (
        [
            (
                "ResNet50",
                "    X = identity_block(X, 3, [256, 256, 1024], stage=4, block='f')\n",
                "",
            )
        ],
        {
            "ResNet50: parameter counts": f"total {23_600_006 - STAGE4_BLOCK:,}, "
            "expected 23,600,006",
            "ResNet50: layer names": "no layer named res4f_branch2a",
            **{f"ResNet50: {c}": "res4f_branch2a" for c in RESNET_SHAPE},
        },
    ),
    "rewrite-loop-and-swapped-add": (
        [
            (
                "identity_block",
                "X = Add()([X, X_shortcut])",
                "X = Add()([X_shortcut, X])",
            ),
            ("ResNet50", None, LOOPED_STAGES),
        ],
        {},
    ),
}


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
            "(in convolutional_block, line 50:",
        },
    ),
}


@pytest.mark.parametrize("scenario", sorted(FAILURE_SCENARIOS))
def test_broken_functions_fail_alone_with_the_reason(graded, scenario):
    edits, reasons = FAILURE_SCENARIOS[scenario]
    report = graded(scenario, _apply(edits), probe_timeout=30)
    for check in report.checks:
        if check.function in reasons:
            assert not check.passed and reasons[check.function] in check.message, check
            assert "grader/" not in check.message and "Traceback" not in check.message
        else:
            assert check.passed, check


def _apply(edits):
    concrete = []
    for function, old, new in edits:
        if old is None:  # replace the whole START/END region of the cell
            import nbformat
            from conftest import SOLUTION

            from grader.notebook import find_graded_cells

            nb = nbformat.read(SOLUTION, as_version=4)
            source = nb.cells[find_graded_cells(nb)[function].index].source
            start = source.index(RESNET_REGION_START)
            end = source.index(RESNET_REGION_END) + len(RESNET_REGION_END)
            old = source[start:end]
        concrete.append((function, old, new))
    return edited_solution(concrete)


def test_solution_earns_full_marks(graded):
    from conftest import SOLUTION

    report = graded("solution", SOLUTION)
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert failed == {}
    assert report.score == report.max_score == 100
    seeded = report.for_function("identity_block")[0].message
    assert "0.94823" in seeded and "2.7478" in seeded
    assert "23,600,006" in report.for_function("ResNet50")[0].message


def test_student_stub_scores_zero_with_a_reason_per_function(graded):
    report = graded("stub", STUDENT)
    assert report.score == 0
    for check in report.checks:
        function = check.name.split(":")[0]
        assert check.message.startswith(f"{function} is still the stub"), check


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_loses_exactly_its_checks(graded, scenario):
    edits, expected = SCENARIOS[scenario]
    report = graded(scenario, _apply(edits))
    failed = {check.name: check.message for check in report.checks if not check.passed}
    assert sorted(failed) == sorted(expected)
    for name, words in expected.items():
        assert words in failed[name], (name, failed[name])
    passed = {check.name for check in report.checks if check.passed}
    assert report.score == sum(
        check.max_points for check in report.checks if check.name in passed
    )
