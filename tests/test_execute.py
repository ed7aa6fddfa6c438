"""The kernel session on a real kernel: time limits, dead kernels, replay."""

from __future__ import annotations

import time

import pytest

from grader.files import socket_folder
from grader.kernel.session import KernelSession
from grader.sandbox.choice import choose
from grader.sandbox.watchdog import tree_usage

SWALLOWS_INTERRUPTS = """\
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
"""


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    root = tmp_path_factory.mktemp("kernel")
    with socket_folder(root) as sockets:
        kernel = KernelSession(root, choose(), startup_timeout=60, sockets=sockets)
        with kernel.running():
            assert kernel.run("kept = 41", 10, keep=True).ok
            yield kernel


@pytest.mark.parametrize(
    ("source", "status", "bound"),
    [
        ("while True:\n    pass", "timeout", 15),
        (SWALLOWS_INTERRUPTS, "timeout", 60),
        ("import os\nos._exit(0)", "died", 60),
        ("1 / 0", "error", 30),
    ],
    ids=["loop", "swallows-interrupts", "exits", "raises"],
)
def test_a_bad_cell_ends_in_time_and_the_kernel_carries_on(
    session, source, status, bound
):
    started = time.monotonic()
    # A short limit for the endless cells; a busy machine may need longer
    # than that for a cell that raises at once.
    outcome = session.run(source, 3 if status == "timeout" or "exit" in source else 25)
    assert outcome.status == status
    assert time.monotonic() - started < bound
    # Cells kept before are replayed after a restart, so the session goes on.
    assert session.run("assert kept == 41", 10).ok


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_kernel_is_gone_when_its_session_ends(tmp_path):
    with socket_folder(tmp_path) as sockets:
        kernel = KernelSession(tmp_path, choose(), startup_timeout=60, sockets=sockets)
        with kernel.running():
            assert kernel.run("x = 1", 10).ok
            pids = tree_usage(kernel._kernel_pid()).pids
    # The launcher and the kernel, at least.
    assert len(pids) >= 2
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in pids if _alive(pid)] == []
