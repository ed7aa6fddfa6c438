"""The solution notebook runs top to bottom, as a student would run it.

The training runs one short epoch on a small generated SIGNS set: the
``parameters`` cell is overridden the way papermill does it, by a cell
injected after it.
"""

from __future__ import annotations

import shutil

import nbformat
from conftest import SOLUTION
from nbclient import NotebookClient

from grader.fixtures.make_signs import write_signs

OVERRIDES = "epochs = 1\nbatch_size = 16\ntrain_subset = 32\ndata_dir = 'datasets'\n"


def _text(cell):
    return "".join(
        output.get("text", "")
        for output in cell.outputs
        if output.output_type == "stream"
    )


def test_solution_notebook_runs_end_to_end(tmp_path):
    shutil.copytree(SOLUTION.parent / "images", tmp_path / "images")
    write_signs(tmp_path / "datasets", n_train=48, n_test=12)
    nb = nbformat.read(SOLUTION, as_version=4)
    at = next(
        i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])
    )
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(OVERRIDES))
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()

    cells = {cell.get("id"): cell for cell in nb.cells}
    identity = _text(cells["identity-block-test"])
    assert "out = [0.94822997 0.         1.1610146  2.747859   0." in identity
    assert "All tests passed." in identity
    convolutional = _text(cells["convolutional-block-test"])
    assert "out = [0.09018461 1.2348979  0.4682202  0.03671762 0." in convolutional
    assert "All tests passed." in convolutional
    assert "All tests passed." in _text(cells["build-model"])
    assert "number of training examples = 32" in _text(cells["load-data"])
    assert "predicted class:" in _text(cells["own-image"])
    assert "Model parameters: 23,600,006" in _text(cells["summary"])
    errors = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []


def test_public_check_under_a_stub_says_what_to_do(tmp_path):
    from conftest import STUDENT

    nb = nbformat.read(STUDENT, as_version=4)
    wanted = ("imports", "identity-block", "identity-block-test")
    nb.cells = [cell for cell in nb.cells if cell.get("id") in wanted]
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = [o for o in nb.cells[2].outputs if o.output_type == "error"]
    assert [(e.ename, e.evalue) for e in errors] == [
        (
            "AssertionError",
            "The function returned None: fill in the code between "
            "### START CODE HERE ### and ### END CODE HERE ###.",
        )
    ]
