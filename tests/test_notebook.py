from __future__ import annotations

import nbformat
import pytest

from grader import NotebookError
from grader.notebooks.read import find_graded_cells, is_stub, read_notebook

# No kernel and no TensorFlow: the fast tier (pytest -m fast).
pytestmark = pytest.mark.fast


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path}: no such file"),
        ("{", "{path}: not a Jupyter notebook (not valid JSON: "),
        ("[1, 2]", "{path}: not a Jupyter notebook (no cells)"),
        ('{"cells": "x", "nbformat": 4}', "{path}: not a Jupyter notebook ("),
    ],
)
def test_unreadable_files_say_why(tmp_path, content, message):
    path = tmp_path / "sub.ipynb"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(NotebookError) as info:
        read_notebook(path)
    assert str(info.value).startswith(message.format(path=path))


def test_a_directory_is_not_a_notebook(tmp_path):
    with pytest.raises(NotebookError, match="is a directory, not a notebook file"):
        read_notebook(tmp_path)


def test_graded_cells_found_by_marker_or_by_def():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("def identity_block(X):\n    return X"),
        nbformat.v4.new_code_cell(
            "# GRADED FUNCTION: convolutional_block\n%time\ndef convolutional_block(X):"
            "\n    return X"
        ),
        nbformat.v4.new_markdown_cell("def ResNet50(): pass"),
    ]
    found = find_graded_cells(nb)
    assert sorted(found) == ["convolutional_block", "identity_block"]
    assert found["identity_block"].index == 0 and not found["identity_block"].marked
    assert found["convolutional_block"].marked


def test_a_marked_cell_wins_over_a_later_plain_def():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("# GRADED FUNCTION: ResNet50\ndef ResNet50(): pass"),
        nbformat.v4.new_code_cell("def ResNet50(): return 1"),
    ]
    assert find_graded_cells(nb)["ResNet50"].index == 0


@pytest.mark.parametrize(
    ("region", "stub"),
    [
        ("    # hint (≈2 lines)\n    X = None\n    X_shortcut = None\n", True),
        ("    X = None\n    X = Add()([X, X_shortcut])\n", False),
        ("", True),
    ],
)
def test_stub_detection(region, stub):
    source = (
        "def f(X):\n    ### START CODE HERE ###\n"
        + region
        + "    ### END CODE HERE ###\n"
    )
    assert is_stub(source) is stub


def test_a_cell_without_markers_is_not_a_stub():
    assert not is_stub("def f(X):\n    X = None\n    return X\n")
