"""Gradescope's autograder bundle: built by ``grader gradescope build``, then
run as Gradescope runs it, against a folder laid out like ``/autograder``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SOLUTION, STUDENT

from grader.notebooks.read import find_graded_cells


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


def _run_autograder(
    root: Path, python: str | None = sys.executable, **options
) -> subprocess.CompletedProcess:
    """Run the bundle's ``run_autograder`` on ``root``: with the grader of
    ``python`` (this one's, by default), or, where ``python`` is None, with
    the one ``setup.sh`` installed."""
    script = root / "source" / "run_autograder"
    # zipfile does not restore permissions; Gradescope's unpacking does.
    script.chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    env.pop("GRADER_PYTHON", None)
    if python is not None:
        env["GRADER_PYTHON"] = python
    env.update(options.pop("env", {}))
    return subprocess.run(
        [str(script)], capture_output=True, text=True, env=env, timeout=600, **options
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
        "grader-src/grader/grading.py",
        "grader-src/grader/sandbox/jail.py",
        "grader-src/fixtures/expected.json",
        "grader-src/fixtures/resnet50_layers.tsv",
        "grader-src/assignment/resnets_utils.py",
    ):
        assert needed in names
    # The solutions travel as the installed package's grader.solutions: each
    # edition's data file and reference (run once, by setup.sh), hidden from
    # the kernel as the grader is; nothing else of them (images).
    assert sorted(name for name in names if "solutions" in name) == [
        "grader-src/solutions/2021-initializer-only/Residual_Networks.ipynb",
        "grader-src/solutions/2021-initializer-only/edition.toml",
        "grader-src/solutions/2021/Residual_Networks.ipynb",
        "grader-src/solutions/2021/edition.toml",
        "grader-src/solutions/Residual_Networks.ipynb",
        "grader-src/solutions/__init__.py",
        "grader-src/solutions/edition.toml",
        "grader-src/solutions/make_editions.py",
    ]
    assert subprocess.run(["bash", "-n", "-c", setup]).returncode == 0
    assert 'pip install -q "$ROOT/source/grader-src"' in setup


@pytest.mark.fast
def test_every_module_of_the_package_travels_in_the_bundle():
    # A subpackage added to the grader but not to PROJECT_FILES would install
    # on Gradescope without it, and `grader gradescope run` would not import;
    # a template left behind would install a grader that cannot draw a page.
    from grader.distribution.gradescope import PROJECT_FILES
    from grader.reports.templating import SHIPPED

    carried = {path for pattern in PROJECT_FILES for path in ROOT.glob(pattern)}
    modules = set((ROOT / "grader").rglob("*.py"))
    templates = {ROOT / "grader" / "reports" / "templates" / n for n in SHIPPED}
    assert (modules | templates) - carried == set()


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


# Stand-ins for the commands setup.sh calls, which write what they were asked
# to $LOG: an apt-get, and a python3 whose venv has no pip until apt-get has
# installed python3-venv (as on Ubuntu), where $STATE/installed exists.
FAKE_APT_GET = """\
#!/usr/bin/env bash
echo "apt-get $*" >> "$LOG"
if [ "$1" = install ] && [ -z "${APT_FIXES_NOTHING:-}" ]; then
    touch "$STATE/installed"
fi
"""
FAKE_PYTHON3 = """\
#!/usr/bin/env bash
echo "python3 $*" >> "$LOG"
[ "$1 $2" = "-m venv" ] || exit 2
mkdir -p "$3/bin"
if [ ! -e "$STATE/installed" ]; then
    echo "ensurepip is not available" >&2
    exit 1
fi
printf '#!/usr/bin/env bash\\necho "venv $*" >> "$LOG"\\n' > "$3/bin/python"
chmod +x "$3/bin/python"
"""


def _fake_setup(tmp_path: Path, bundle: Path, installed: bool, **env):
    root = _autograder(tmp_path, bundle, {})
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    state.mkdir()
    for name, text in (("apt-get", FAKE_APT_GET), ("python3", FAKE_PYTHON3)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    if installed:
        (state / "installed").touch()
    log = tmp_path / "log"
    log.touch()
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "AUTOGRADER_ROOT": str(root),
        "LOG": str(log),
        "STATE": str(state),
        **env,
    }
    result = subprocess.run(
        ["bash", str(root / "source" / "setup.sh")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return result, log.read_text().splitlines()


PIP_INSTALLS = [
    "venv -m pip --version",
    "venv -m pip install -q --upgrade pip",
    "venv -m pip install -q {root}/source/grader-src",
    "venv -I -m grader cache warm",
]


@pytest.mark.parametrize("installed", [True, False], ids=["ensurepip", "no-ensurepip"])
def test_setup_installs_python3_venv_only_where_a_venv_gets_no_pip(
    bundle, tmp_path, installed
):
    result, log = _fake_setup(tmp_path, bundle, installed)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "autograder"
    venv = f"python3 -m venv {root}/venv"
    installs = [line.format(root=root) for line in PIP_INSTALLS]
    if installed:
        assert log == [venv, *installs]
    else:
        assert log == [
            venv,
            "apt-get update -q",
            "apt-get install -y -q python3-venv python3-pip",
            venv,
            *installs,
        ]
        assert "installing python3-venv" in result.stderr


def test_setup_fails_where_python3_venv_does_not_help(bundle, tmp_path):
    result, log = _fake_setup(tmp_path, bundle, False, APT_FIXES_NOTHING="1")
    assert result.returncode != 0
    assert not [line for line in log if "pip install" in line]


#: Run by the bundle's venv: every shipped template compiles, and the
#: grader that did it is the venv's (its package's folder is printed).
CHECK_TEMPLATES = """\
from pathlib import Path
import grader
from grader.reports.templating import check_templates
check_templates(None)
print(Path(grader.__file__).resolve().parent)
"""


def test_the_bundle_installs_and_grades_as_on_gradescope(bundle, tmp_path):
    """The bundle's own setup.sh, for real: a fresh venv, the grader and
    TensorFlow installed from the bundle; then its run_autograder on the
    solution (100) and on the assignment's stub (0), from a folder that holds
    a ``grader`` of its own. One test, so that one worker does the install."""
    root = _autograder(tmp_path, bundle, {})
    # setup.sh runs apt-get only where python3 cannot make a venv with pip;
    # here it can, and this apt-get says so if it is called.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apt-get").write_text("#!/bin/sh\necho apt-get called >&2\nexit 97\n")
    (bin_dir / "apt-get").chmod(0o755)
    setup_tmp = tmp_path / "setup-tmp"
    setup_tmp.mkdir()
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "AUTOGRADER_ROOT": str(root),
        "TMPDIR": str(setup_tmp),
    }
    env.pop("VIRTUAL_ENV", None)
    try:
        start = time.monotonic()
        setup = subprocess.run(
            ["bash", str(root / "source" / "setup.sh")],
            capture_output=True,
            text=True,
            env=env,
            timeout=1200,
        )
        took = time.monotonic() - start
        assert setup.returncode == 0, setup.stdout + setup.stderr
        assert "apt-get called" not in setup.stderr
        print(f"setup.sh: {took:.0f} s")
        venv_python = root / "venv" / "bin" / "python"
        assert venv_python.exists()
        # The installed grader has its page templates (package data).
        drawn = subprocess.run(
            [str(venv_python), "-c", CHECK_TEMPLATES],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert drawn.returncode == 0, drawn.stderr
        assert Path(drawn.stdout.strip()).is_relative_to(root.resolve() / "venv")
        # setup.sh ran each edition's solution (the reference) and computed
        # the reference's training run into the image (editions whose models
        # are the same but for their names share one).
        assert len(list((root / "cache").glob("solution-*.json"))) == 3
        assert 1 <= len(list((root / "cache").glob("training-*.json"))) <= 3

        for notebook, score in ((SOLUTION, 100), (STUDENT, 0)):
            submission = root / "submission"
            shutil.rmtree(submission)
            submission.mkdir()
            shutil.copy(notebook, submission / "Residual_Networks.ipynb")
            results_path = root / "results" / "results.json"
            results_path.unlink(missing_ok=True)
            run_tmp = tmp_path / f"tmp-{score}"
            run_tmp.mkdir()
            # The repository's root has a grader/ folder: `python -m grader`
            # run there would import it, not the venv's grader.
            assert (ROOT / "grader").is_dir()
            start = time.monotonic()
            # The cache run_autograder finds by itself, not the suite's.
            env = {"TMPDIR": str(run_tmp), "GRADER_CACHE_DIR": str(root / "cache")}
            result = _run_autograder(root, python=None, cwd=ROOT, env=env)
            print(f"run_autograder, score {score}: {time.monotonic() - start:.0f} s")
            output = result.stdout + result.stderr
            assert result.returncode == 0, output
            assert "Traceback" not in output
            results = json.loads(results_path.read_text())
            assert results["score"] == score, results.get("output")
            assert "Traceback" not in results["output"]
            tests = results["tests"]
            assert len(tests) == 17
            assert all(set(t) >= {"name", "score", "max_score"} for t in tests)
            assert sum(t["max_score"] for t in tests) == 100
            assert sum(t["score"] for t in tests) == score
            if score == 100:
                by_name = {t["name"]: t for t in tests}
                training = by_name["ResNet50: short training run"]
                assert "same architecture as the reference" in training["output"]
            assert {t["status"] for t in tests} == (
                {"passed"} if score == 100 else {"failed"}
            )
            assert f"Total: {score}/100" in result.stdout
            # The grading cleaned up after itself.
            assert list(run_tmp.iterdir()) == []
    finally:
        # A venv with TensorFlow weighs gigabytes; pytest keeps old tmp_paths.
        shutil.rmtree(root / "venv", ignore_errors=True)


def test_a_bundle_built_with_points_grades_with_them(tmp_path):
    example = ROOT / "docs" / "points.example.toml"
    target = tmp_path / "with-points.zip"
    result = _grader("gradescope", "build", target, "--points", example)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(target) as archive:
        assert archive.read("points.toml") == example.read_bytes()
        script = archive.read("run_autograder").decode()
    assert subprocess.run(["bash", "-n", "-c", script]).returncode == 0
    # run_autograder hands the file to `grader gradescope run`, which reads
    # it (a broken one would fail the autograder, not score 0): here on a
    # submission without a notebook, which needs no kernel.
    root = _autograder(tmp_path, target, {"notes.txt": "hello"})
    (root / "source" / "points.toml").write_text("[ResNet50]\nx = 1\n")
    run = _run_autograder(root)
    assert run.returncode == 2
    assert "no check 'x'" in run.stderr
    (root / "source" / "points.toml").write_bytes(example.read_bytes())
    run = _run_autograder(root)
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "no .ipynb file" in results["output"]


def test_a_bundle_with_a_bad_points_file_is_not_built(tmp_path):
    bad = tmp_path / "points.toml"
    bad.write_text('[ResNet50]\n"layer names" = -5\n', encoding="utf-8")
    result = _grader("gradescope", "build", tmp_path / "b.zip", "--points", bad)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"grader: error: {bad}: ResNet50: layer names: points must be 0 or more, not -5"
    )
    assert not (tmp_path / "b.zip").exists()


@pytest.mark.fast
def test_a_container_too_small_to_grade_in_says_so_in_its_results(tmp_path):
    from grader.distribution.gradescope import (
        MEMORY_NEEDED_MB,
        grade_gradescope_submission,
    )

    submission = tmp_path / "submission" / "Residual_Networks.ipynb"
    submission.parent.mkdir(parents=True)
    shutil.copy(SOLUTION, submission)
    before = submission.read_bytes()
    results, text = grade_gradescope_submission(tmp_path, memory_mb=512)
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written == results
    assert results["score"] == 0 and results["tests"] == []
    assert "has 512 MB of memory" in text
    assert f"needs about {MEMORY_NEEDED_MB} MB" in results["output"]
    assert "Autograder Settings" in results["output"]
    assert submission.read_bytes() == before


def test_a_grading_killed_for_memory_still_leaves_results_that_say_so(bundle, tmp_path):
    # 256 MB is less than TensorFlow's import: the grading is killed by the
    # OOM killer whatever the notebook, and writes nothing itself. The
    # refusal of small containers is turned off (GRADER_MEMORY_MB, as if
    # the limit were unknown) so that the grading really starts.
    from grader.sandbox import cgroup

    group = cgroup.make_child(f"grader-oom-{os.getpid()}", 256)
    if group is None:
        pytest.skip("no memory cgroup can be made here (not root, or none delegated)")
    root = _autograder(
        tmp_path, bundle, {"Residual_Networks.ipynb": nbformat.read(SOLUTION, 4)}
    )
    script = root / "source" / "run_autograder"
    script.chmod(0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    env["GRADER_MEMORY_MB"] = "unlimited"
    try:
        result = subprocess.run(
            ["sh", "-c", f'echo $$ > {group.folder}/cgroup.procs && exec "$0"', script],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        kills = group.oom_kills()
    finally:
        cgroup.remove(group)
    assert kills >= 1, result.stderr
    assert result.returncode == 0, result.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and results["tests"] == []
    assert "ran out of memory (256 MB)" in results["output"]
    assert "raise the memory to 1 GB or more" in results["output"]
