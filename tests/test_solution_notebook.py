"""The solution notebook runs top to bottom, as a student would run it.

The training runs one short epoch on a small generated SIGNS set: the
``parameters`` cell is overridden the way papermill does it, by a cell
injected after it. The later editions' solutions run their blocks' cells:
their public checks pass and their examples print what the checks hold.
"""

from __future__ import annotations

import re
import shutil

import nbformat
import numpy as np
import pytest
from conftest import SOLUTION, printed_vector, seeded
from nbclient import NotebookClient

from grader import editions
from grader.fixtures.make_signs import write_signs
from grader.judging.judge import Expected

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
    for function, cell_id in (
        ("identity_block", "identity-block-test"),
        ("convolutional_block", "convolutional-block-test"),
    ):
        text = _text(cells[cell_id])
        out = printed_vector(text, "out = ")
        assert np.allclose(out, seeded(function), rtol=0, atol=1e-5), (function, out)
        assert "All tests passed." in text
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


def _run_cells(nb, tmp_path, wanted):
    nb.cells = [cell for cell in nb.cells if cell.get("id") in wanted]
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    return {cell.get("id"): cell for cell in nb.cells}


def test_public_check_under_a_stub_says_what_to_do(tmp_path):
    from conftest import STUDENT

    nb = nbformat.read(STUDENT, as_version=4)
    cells = _run_cells(
        nb, tmp_path, ("imports", "identity-block", "identity-block-test")
    )
    errors = [
        o for o in cells["identity-block-test"].outputs if o.output_type == "error"
    ]
    assert [(e.ename, e.evalue) for e in errors] == [
        (
            "AssertionError",
            "identity_block: seeded output: identity_block is still the stub: write "
            "your code between ### START CODE HERE ### and ### END CODE HERE ###",
        )
    ]


TEST_CELLS = {
    "identity_block": "identity-block-test",
    "convolutional_block": "convolutional-block-test",
    "ResNet50": "build-model",
}


def test_the_notebook_and_grader_check_say_the_same(tmp_path, graded):
    """One mistake per function: the public checks print, line for line, what
    `grader check` reports for the same notebook."""
    from conftest import edited_solution
    from corpus.wrong import WRONG

    from grader.reports.render import render_checks

    names = (
        "identity-batchnorm-on-wrong-axis",
        "convolutional-stride-on-the-fxf-conv",
        "resnet-dense-without-softmax",
    )
    edits = [edit for case in WRONG if case.name in names for edit in case.edits]
    nb = edited_solution(edits)
    path = tmp_path / "three-mistakes.ipynb"
    nbformat.write(nb, path)
    report = graded("three-mistakes-checked", path, visible_only=True)

    wanted = ("imports", "identity-block", "convolutional-block", "resnet50")
    cells = _run_cells(nb, tmp_path, (*wanted, *TEST_CELLS.values()))
    for function, cell_id in TEST_CELLS.items():
        printed = _text(cells[cell_id]).splitlines()
        assert printed[0] == function
        lines = render_checks(report.for_function(function))
        assert printed[1 : 1 + len(lines)] == lines
        assert any(not check.passed for check in report.for_function(function))


NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?")


@pytest.mark.parametrize("name", ["2021", "2021-initializer-only"])
def test_a_later_editions_examples_print_what_its_checks_hold(tmp_path, name):
    """The blocks' cells of a later edition's solution, run in that edition's
    hand-out as a student runs them: each public check passes, and each
    example prints, in both modes, the table the edition's expected file holds
    (the convolutional block's with the stateless glorot draw the notebook
    builds), to its 5 decimals."""
    from grader.distribution.release import release

    edition = editions.get(name)
    handout, _ = release(tmp_path / "handout", edition=name)
    nb = nbformat.read(edition.solution, as_version=4)
    # ResNet50's cells are left out: building it costs, and is checked elsewhere.
    cut = next(
        i for i, c in enumerate(nb.cells) if "GRADED FUNCTION: ResNet50" in c.source
    )
    nb.cells = nb.cells[:cut]
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(handout)}},
    ).execute()
    expected = Expected.load(edition)
    for function in ("identity_block", "convolutional_block"):
        test = f"{function}_test({function})"
        checked = next(c for c in nb.cells if c.source == test)
        assert "All tests passed." in _text(checked), _text(checked)
        example = next(
            c
            for c in nb.cells
            if c.source.startswith("X = np.concatenate") and f"{function}(" in c.source
        )
        inference, training = _text(example).split("training=True:")
        for printed, key in (
            (inference.split("training=False:")[1], "seeded"),
            (training, "seeded-training"),
        ):
            want = np.ravel(expected.examples[function][key])
            got = np.array([float(v) for v in NUMBER.findall(printed)])
            assert got.shape == want.shape, (function, key, printed)
            assert np.allclose(got, want, rtol=1e-5, atol=1e-5), (function, key)
