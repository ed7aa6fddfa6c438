from __future__ import annotations

import nbformat
import pytest
from conftest import SOLUTION, STUDENT

from grader import AssignError
from grader.commands.cli import main
from grader.distribution.assign import assign, stub_source, student_notebook

# No kernel and no TensorFlow: the fast tier (pytest -m fast).
pytestmark = pytest.mark.fast


def test_assignments_become_stubs_and_comments_stay():
    source = (
        "def f(X):\n"
        "    X = keep(X)\n"
        "    ### START CODE HERE ###\n"
        "    # Second part (≈2 lines)\n"
        "    X = Conv2D(4, (3, 3),\n"
        "               padding='same')(X)\n"
        "    X_shortcut = X\n"
        "    ### END CODE HERE ###\n"
        "    return X"
    )
    assert stub_source(source) == (
        "def f(X):\n"
        "    X = keep(X)\n"
        "    ### START CODE HERE ###\n"
        "    # Second part (≈2 lines)\n"
        "    X = None\n"
        "    X_shortcut = None\n"
        "    ### END CODE HERE ###\n"
        "    return X"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    for i in range(3):\n        X = g(X)\n", "cell: line 3 inside START/END"),
        ("    X, Y = g(X)\n", "cell: line 3 inside START/END"),
    ],
)
def test_regions_that_cannot_become_stubs_are_refused(body, message):
    source = (
        "def f(X):\n    ### START CODE HERE ###\n" + body + "    ### END CODE HERE ###"
    )
    with pytest.raises(AssignError, match=message):
        stub_source(source)


def test_unpaired_markers_are_refused():
    with pytest.raises(AssignError, match="do not pair up"):
        stub_source("    ### START CODE HERE ###\n    X = 1\n")


def test_committed_student_notebook_is_up_to_date_with_the_solution():
    expected = student_notebook(nbformat.read(SOLUTION, as_version=4))
    committed = nbformat.read(STUDENT, as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in expected.cells], (
        "assignment/ is stale: run `grader assign solutions/Residual_Networks.ipynb "
        "assignment`"
    )
    assert committed == expected
    for image in (SOLUTION.parent / "images").iterdir():
        assert (
            STUDENT.parent / "images" / image.name
        ).read_bytes() == image.read_bytes()


def test_assign_writes_notebook_and_helpers(tmp_path, capsys):
    assert main(["assign", str(SOLUTION), str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == [
        "Residual_Networks.ipynb",
        "images",
        "public_tests.py",
        "resnets_utils.py",
    ]
    assert (tmp_path / "images" / "my_hand.png").read_bytes() == (
        SOLUTION.parent / "images" / "my_hand.png"
    ).read_bytes()
    assert "wrote" in capsys.readouterr().out
    assert nbformat.read(tmp_path / "Residual_Networks.ipynb", 4) == student_notebook(
        nbformat.read(SOLUTION, 4)
    )
    assert assign(SOLUTION, tmp_path)[0].name == "Residual_Networks.ipynb"
