"""Notebooks of every vintage: a 2020 notebook grades like its modern twin,
and a notebook of another assignment gets a clear message, not zeros."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import SOLUTION, edited_solution
from corpus.wrong import WRONG

from grader.errors import NotAssignmentError
from grader.grade import grade

NOTEBOOKS = Path(__file__).parent / "notebooks"
CORRECT_2020 = NOTEBOOKS / "vintage_2020_correct.ipynb"
STRIDE_1_2020 = NOTEBOOKS / "vintage_2020_stride_1.ipynb"


def _verdicts(report):
    return [(c.name, c.points, c.message) for c in report.checks]


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


def test_the_2021_signatures_are_another_version_not_zeros(tmp_path):
    path = _notebook_with(
        tmp_path,
        [
            "# GRADED FUNCTION: identity_block\n"
            "def identity_block(X, f, filters, training=True, initializer=None):\n"
            "    return X",
            "# GRADED FUNCTION: convolutional_block\n"
            "def convolutional_block(X, f, filters, s=2, training=True,"
            " initializer=None):\n    return X",
        ],
    )
    with pytest.raises(NotAssignmentError) as raised:
        grade(path)
    message = str(raised.value)
    assert "not the version of the Residual Networks assignment" in message
    assert (
        "identity_block(X, f, filters, training=True, initializer=None) does "
        "not take the arguments of identity_block(X, f, filters, stage, block)"
        in message
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
