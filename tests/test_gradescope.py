"""Gradescope's autograder bundle: built by ``grader gradescope build``, then
run as Gradescope runs it, against a folder laid out like ``/autograder``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import SOLUTION, STUDENT

from grader.notebook import find_graded_cells


def _grader(*args):
    return subprocess.run(
        [sys.executable, "-m", "grader", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    target = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    result = _grader("gradescope", "build", target)
    assert result.returncode == 0, result.stderr
    return target


def _autograder(tmp_path: Path, bundle: Path, files: dict[str, object]) -> Path:
    """A folder laid out as Gradescope lays out /autograder, the bundle
    unpacked in ``source``, ``files`` in ``submission``."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for name, content in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            nbformat.write(content, path)
    (root / "submission").mkdir(exist_ok=True)
    (root / "results").mkdir()
    return root


def _run_autograder(root: Path) -> subprocess.CompletedProcess:
    script = root / "source" / "run_autograder"
    # zipfile does not restore permissions; Gradescope's unpacking does.
    script.chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    return subprocess.run(
        [str(script)], capture_output=True, text=True, env=env, timeout=600
    )


def test_the_bundle_holds_what_gradescope_runs(bundle):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        setup = archive.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder"} <= set(names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    for needed in (
        "grader-src/pyproject.toml",
        "grader-src/grader/grade.py",
        "grader-src/grader/jail.py",
        "grader-src/fixtures/expected.json",
        "grader-src/fixtures/resnet50_layers.tsv",
        "grader-src/assignment/resnets_utils.py",
    ):
        assert needed in names
    # Nothing of the solution travels in the bundle.
    assert not [name for name in names if "solutions" in name]
    assert subprocess.run(["bash", "-n", "-c", setup]).returncode == 0
    assert 'pip" install -q "$ROOT/source/grader-src"' in setup


def test_run_autograder_writes_gradescope_results(bundle, tmp_path):
    # identity_block done, the other two still stubs: a real grading, in the
    # sandbox, with visible and hidden checks, at a third of the full cost.
    nb = nbformat.read(STUDENT, as_version=4)
    solved = nbformat.read(SOLUTION, as_version=4)
    cell = find_graded_cells(nb)["identity_block"].index
    nb.cells[cell] = solved.cells[find_graded_cells(solved)["identity_block"].index]
    root = _autograder(tmp_path, bundle, {"Residual_Networks.ipynb": nb})
    result = _run_autograder(root)
    assert result.returncode == 0, result.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 30
    tests = results["tests"]
    assert len(tests) == 17
    for test in tests:
        assert set(test) >= {"name", "score", "max_score", "status", "visibility"}
        assert test["status"] in ("passed", "failed")
    hidden = {t["name"] for t in tests if t["visibility"] == "after_published"}
    assert "ResNet50: short training run" in hidden
    assert len(hidden) == 6
    assert all(t["visibility"] in ("visible", "after_published") for t in tests)
    assert "Total: 30/100" in result.stdout


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({}, "no .ipynb file in the submission"),
        ({"notes.txt": "hello"}, "no .ipynb file in the submission"),
        ({"Residual_Networks.ipynb": '{"cells": ['}, "not valid JSON"),
    ],
    ids=["empty", "no-notebook", "broken"],
)
def test_a_submission_without_a_gradable_notebook_scores_0_with_a_reason(
    bundle, tmp_path, files, words
):
    root = _autograder(tmp_path, bundle, files)
    result = _run_autograder(root)
    assert result.returncode == 0, result.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and results["tests"] == []
    assert words in results["output"]
    # The student sees their own file's name, not the grader's folders.
    assert str(root) not in results["output"]
