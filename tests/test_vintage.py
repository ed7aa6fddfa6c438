"""Notebooks of every vintage: a 2020 notebook grades like its modern twin,
a notebook of another assignment gets a clear message, not zeros, and the 2021
edition and its later revision are recognised (tests/test_editions.py grades them)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import SOLUTION, edited_solution
from corpus.wrong import WRONG

from grader.errors import NotAssignmentError, OtherEditionError
from grader.grading import grade
from grader.notebooks.read import find_graded_cells, read_notebook
from grader.notebooks.recognise import check_assignment, recognise

NOTEBOOKS = Path(__file__).parent / "notebooks"
CORRECT_2020 = NOTEBOOKS / "vintage_2020_correct.ipynb"
STRIDE_1_2020 = NOTEBOOKS / "vintage_2020_stride_1.ipynb"
CORRECT_2021 = NOTEBOOKS / "vintage_2021_w2a1.ipynb"
NO_TRAINING_2021 = NOTEBOOKS / "vintage_2021_w2a1_no_training.ipynb"


def _verdicts(report):
    return [(c.title, c.points, c.message) for c in report.checks]


def test_fixtures_are_saved_the_old_way():
    for path in (CORRECT_2020, STRIDE_1_2020):
        raw = json.loads(path.read_text())
        assert (raw["nbformat"], raw["nbformat_minor"]) == (4, 2)
        assert all("id" not in cell for cell in raw["cells"])
        text = path.read_text()
        for name in (
            "set_learning_phase",
            "tf.Session",
            "tf.placeholder",
            "vis_utils",
            "scipy.misc.imread",
            "reset_default_graph",
        ):
            assert name in text


def test_correct_2020_notebook_earns_full_marks_and_lists_its_old_cells(graded):
    report = graded("vintage-2020-correct", CORRECT_2020)
    modern = graded("solution", SOLUTION)
    assert report.score == report.max_score == 100
    assert [(n, p) for n, p, _ in _verdicts(report)] == [
        (n, p) for n, p, _ in _verdicts(modern)
    ]
    notes = "\n".join(report.notes)
    assert "notebook format 4.2" in notes
    assert "uses K.set_learning_phase" in notes
    assert "uses tf.reset_default_graph, tf.Session, tf.placeholder" in notes
    assert "uses scipy.misc.imread" in notes
    assert "saved with an error (NameError: name 'load_model' is not defined)" in notes
    assert "costs no points" in notes


def test_wrong_2020_notebook_grades_exactly_like_its_modern_twin(graded):
    twin = next(case for case in WRONG if case.name == "resnet-stride-1-in-every-stage")
    options = {"functions": [twin.function], "visible_only": not twin.hidden}
    modern = graded(twin.name, edited_solution(list(twin.edits)), **options)
    old = graded("vintage-2020-stride-1", STRIDE_1_2020, **options)
    assert _verdicts(old) == _verdicts(modern)
    assert old.score < old.max_score


def _notebook_with(tmp_path, sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / "other.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_notebook_of_another_assignment_is_named_as_such(tmp_path):
    path = _notebook_with(
        tmp_path, ["import numpy as np", "def model(X):\n    return X"]
    )
    with pytest.raises(
        NotAssignmentError, match="not the Residual Networks assignment"
    ):
        grade(path)


# --- the 2021 edition ("W2A1") and its later revision ------------------------
#
# Told from the 2020 edition by the blocks' signatures (grader.editions; the
# recognition table is tests/test_editions.py). All of it is read from the
# code, so none of these tests starts a kernel.

DEF_LINES = {
    "identity_block": "def identity_block(X, f, filters, stage, block):",
    "convolutional_block": "def convolutional_block(X, f, filters, stage, block, s=2):",
    "ResNet50": "def ResNet50(input_shape=(64, 64, 3), classes=6):",
}
def _solution_with(defs=(), *, calls_2021=False):
    """The solution with some ``def`` lines replaced (``(function, new line)``);
    with ``calls_2021``, ResNet50 calls the blocks as the 2021 edition does."""
    nb = edited_solution([(name, DEF_LINES[name], line) for name, line in defs])
    if calls_2021:
        cell = nb.cells[find_graded_cells(nb)["ResNet50"].index]
        cell.source, count = re.subn(r", stage=\d, block='\w'", "", cell.source)
        assert count == 16
    return nb


def _file(tmp_path, notebook):
    if isinstance(notebook, Path):
        return notebook
    path = tmp_path / "Residual_Networks.ipynb"
    nbformat.write(notebook, path)
    return path


RECOGNISED = {
    "2021-edition": (CORRECT_2021, "2021"),
    "2021-later-revision-without-training": (NO_TRAINING_2021, "2021-initializer-only"),
}


@pytest.mark.parametrize("case", list(RECOGNISED))
def test_the_2021_editions_are_recognised_and_graded_as_such(case):
    path, edition = RECOGNISED[case]
    graded = recognise(find_graded_cells(read_notebook(path)), str(path))
    assert {cell.edition for cell in graded.values()} == {edition}
    assert not any(cell.signature_problem for cell in graded.values())


IDENTITY_OTHER = (
    "does not take the arguments of identity_block(X, f, filters, stage, block)"
)
GRADED = {
    "ResNet50-calls-blocks-2021-style": (
        _solution_with,
        {"calls_2021": True},
        {},
    ),
    "identity-block-extra-required-training": (
        _solution_with,
        {
            "defs": [
                (
                    "identity_block",
                    "def identity_block(X, f, filters, stage, block, training):",
                )
            ]
        },
        {
            "identity_block": "identity_block(X, f, filters, stage, block, "
            f"training) {IDENTITY_OTHER}"
        },
    ),
    "identity-block-without-block": (
        _solution_with,
        {"defs": [("identity_block", "def identity_block(X, f, filters, stage):")]},
        {"identity_block": f"identity_block(X, f, filters, stage) {IDENTITY_OTHER}"},
    ),
    "convolutional-block-initializer-beside-stage-and-block": (
        _solution_with,
        {
            "defs": [
                (
                    "convolutional_block",
                    "def convolutional_block(X, f, filters, stage, block, s=2, "
                    "initializer=glorot_uniform):",
                )
            ]
        },
        {},
    ),
}


@pytest.mark.parametrize("case", list(GRADED))
def test_other_signatures_of_one_block_are_graded_as_answers(tmp_path, case):
    make, options, problems = GRADED[case]
    path = _file(tmp_path, make(**options))
    graded = find_graded_cells(read_notebook(path))
    check_assignment(graded, str(path))  # no error: graded function by function
    assert {
        name: cell.signature_problem
        for name, cell in graded.items()
        if cell.signature_problem
    } == problems


def test_a_block_of_another_signature_fails_each_of_its_checks_saying_so():
    from grader.judging.checks import run_checks, select
    from grader.judging.judge import Expected, Judge
    from grader.kernel.protocol import KernelRun

    _, options, problems = GRADED["identity-block-extra-required-training"]
    graded = find_graded_cells(_solution_with(**options))
    nothing_ran = KernelRun(cells={}, answers={}, probe_cells={})
    judge = Judge(nothing_ran, graded, Expected.load())
    checks = select(("identity_block",))
    results = run_checks(judge, checks)
    assert [(r.points, r.message) for r in results] == [
        (0.0, problems["identity_block"])
    ] * len(checks)


def test_every_signature_of_another_version_is_named(tmp_path):
    path = _file(
        tmp_path,
        _solution_with(
            [
                ("identity_block", "def identity_block(X, filters):"),
                ("convolutional_block", "def convolutional_block(X, filters):"),
                ("ResNet50", "def ResNet50(shape):"),
            ]
        ),
    )
    with pytest.raises(NotAssignmentError) as raised:
        check_assignment(find_graded_cells(read_notebook(path)), str(path))
    assert not isinstance(raised.value, OtherEditionError)
    assert str(raised.value) == (
        f"{path}: this is not the version of the Residual Networks assignment that "
        "this grader grades: identity_block(X, filters) does not take the arguments "
        "of identity_block(X, f, filters, stage, block); convolutional_block(X, "
        "filters) does not take the arguments of convolutional_block(X, f, filters, "
        "stage, block, s=2); ResNet50(shape) does not take the arguments of "
        "ResNet50(input_shape=(64, 64, 3), classes=6)"
    )


def test_the_command_line_says_so_in_one_line(tmp_path):
    path = _notebook_with(tmp_path, ["print('hello')"])
    done = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"grader: error: {path}: this is not the Residual Networks assignment: "
        "no cell defines identity_block, convolutional_block or ResNet50"
    ]
