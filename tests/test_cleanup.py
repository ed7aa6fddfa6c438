"""Nothing left behind: every way a grading can end removes its folders.

Each test runs the ``grader`` command with ``TMPDIR`` pointing at an empty
folder of its own and checks that the folder is empty once the command is
done: a grading that ends normally, one whose kernel is killed and restarted
and one that hits a time limit (the three in one notebook), a batch stopped
by SIGTERM in the middle of a grading, and a batch whose child process is
killed while it grades. In each, the function that loops first leaves a
daemon running (``setsid``, a second fork, ``sleep``), which must be gone
too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import (
    as_from_a_terminal,
    daemon_cell,
    edited_solution,
    leftovers,
    process_mark,
    wait_for_batch_kernel,
)

BODY = "    ### START CODE HERE ###\n"
LOOP = "    while True:\n        pass\n"
SHORT = ["--cell-timeout", "5", "--probe-timeout", "5"]


def _daemon_then_loop(mark: str) -> str:
    return BODY + daemon_cell(mark, indent="    ") + LOOP


def _grader(
    args: list[str], tmpdir: Path, *, terminal: bool = False
) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmpdir), "TF_CPP_MIN_LOG_LEVEL": "3"}
    argv = [sys.executable, "-m", "grader", *args]
    return subprocess.Popen(
        as_from_a_terminal(argv) if terminal else argv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _left_in(tmpdir: Path, seconds: float = 15) -> list[str]:
    """What is still in ``tmpdir`` once it settles (a killed kernel's
    launcher notices within a second that its grader is gone)."""
    deadline = time.monotonic() + seconds
    while any(tmpdir.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return sorted(str(p.relative_to(tmpdir)) for p in tmpdir.rglob("*"))


@pytest.fixture
def tmpdir_(tmp_path):
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def test_a_grading_that_ends_normally_killed_and_timed_out_leaves_nothing(
    tmp_path, tmpdir_
):
    mark = process_mark("three-endings")
    nb = edited_solution(
        [
            (
                "convolutional_block",
                BODY,
                BODY + "    import os\n    os._exit(1)\n",
            ),
            ("identity_block", BODY, _daemon_then_loop(mark)),
        ]
    )
    path = tmp_path / "three-endings.ipynb"
    nbformat.write(nb, path)
    process = _grader(["grade", str(path), *SHORT], tmpdir_)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    assert "the kernel stopped while building convolutional_block" in stdout
    assert "identity_block did not finish in time" in stdout
    assert _left_in(tmpdir_) == []
    assert leftovers(mark) == []


def _batch(tmp_path: Path, tmpdir: Path, mark: str) -> tuple[subprocess.Popen, Path]:
    """A batch grading a notebook that leaves a daemon and loops; returned
    once the daemon runs."""
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(
        edited_solution([("identity_block", BODY, _daemon_then_loop(mark))]),
        subs / "loops.ipynb",
    )
    process = _grader(
        ["grade", str(subs), "-j", "1", "--out", str(tmp_path / "out")]
        + ["--function", "identity_block", "--cell-timeout", "120"]
        + ["--probe-timeout", "120"],
        tmpdir,
        terminal=True,
    )
    wait_for_batch_kernel(process, tmpdir)
    deadline = time.monotonic() + 300
    while not leftovers(mark, seconds=0):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    return process, subs


def test_a_batch_stopped_by_sigterm_leaves_nothing(tmp_path, tmpdir_):
    mark = process_mark("batch-stopped")
    process, _ = _batch(tmp_path, tmpdir_, mark)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted: 0 of 1 submissions finished" in stderr
    assert _left_in(tmpdir_) == []
    assert leftovers(mark) == []


def test_a_batch_whose_child_is_killed_leaves_nothing(tmp_path, tmpdir_):
    mark = process_mark("batch-child-killed")
    process, subs = _batch(tmp_path, tmpdir_, mark)
    # The batch's worker names its own folder, under this test's TMPDIR; only
    # the batch's own child counts (a process the worker has just forked
    # carries the worker's command line until it execs).
    children = subprocess.run(
        ["pgrep", "-P", str(process.pid), "-f", f"grader.batch --worker {tmpdir_}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert len(children) == 1, children
    os.kill(int(children[0]), signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert "the grader crashed (exit status -9)" in stderr
    assert _left_in(tmpdir_) == []
    assert leftovers(mark) == []
