"""Stress the kernel restart: a cell kills the kernel's launcher, the next must
see the replayed state.

Run from the repository root, after the README's set-up command:

    .venv/bin/python bench/restarts.py            # 30 with namespaces off, 30 on

Each round runs a cell that kills the sandbox launcher (the kernel's parent),
then ``assert kept == 41``, where ``kept`` was set by a cell kept for replay.
A round fails unless the killing cell is reported as a death and the next cell
passes after the restart.

Without namespaces the killing cell first makes its launcher hard to schedule
(pinned to the other core, ``SCHED_IDLE``) while this script keeps that core
busy: the launcher then dies late, and the kernel, whose own death follows
the launcher's, can answer the cell first. That is the race the session must
see through (``grader.sandbox.choice.ending``); before it did, about one round in
ten failed this way. With namespaces the kernel is PID 1 of its namespace,
``os.getppid()`` is 0, and the kill takes the kernel's own process group.

It prints one line per mode and exits 1 if any round failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.kernel.session import KernelSession
from grader.sandbox.choice import Limits, choose, for_one_kernel, namespaces_available

KILL_SLOW_LAUNCHER = """\
import os, signal
launcher = os.getppid()
if launcher and len(os.sched_getaffinity(0)) > 1:
    os.sched_setaffinity(0, {0})
    os.sched_setaffinity(launcher, {1})
    os.sched_setscheduler(launcher, os.SCHED_IDLE, os.sched_param(0))
os.kill(launcher, signal.SIGKILL)
"""
LIMITS = Limits(cell_seconds=10, memory_mb=1536, cpu_seconds=600)


def rounds(count: int, *, namespaces: bool) -> tuple[int, float]:
    """Run ``count`` rounds; return the failures and the median round's seconds."""
    sandbox = choose(disable=not namespaces, limits=LIMITS)
    failures, times = 0, []
    with (
        for_one_kernel(sandbox) as own,
        tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp,
    ):
        session = KernelSession(Path(tmp), own, startup_timeout=60)
        with session.running():
            assert session.run("kept = 41", 10, keep=True).ok
            for number in range(count):
                started = time.monotonic()
                killed = session.run(KILL_SLOW_LAUNCHER, 10)
                after = session.run("assert kept == 41", 30)
                times.append(time.monotonic() - started)
                if killed.status != "died" or not after.ok:
                    failures += 1
                    print(f"  round {number}: {killed} then {after}", flush=True)
    times.sort()
    return failures, times[len(times) // 2]


def main() -> int:
    """Run both modes and print their counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="rounds per mode")
    args = parser.parse_args()
    modes = [False]
    works, why = namespaces_available()
    if works:
        modes.append(True)
    else:
        print(f"namespaces on: skipped ({why})")
    # Keep the second core busy at ordinary priority for the starved launcher.
    busy = None
    if len(os.sched_getaffinity(0)) > 1:
        spin = "import os\nos.sched_setaffinity(0, {1})\nwhile True:\n    pass"
        busy = subprocess.Popen([sys.executable, "-c", spin])
    failed = 0
    try:
        for namespaces in modes:
            failures, median = rounds(args.rounds, namespaces=namespaces)
            failed += failures
            label = "on " if namespaces else "off"
            print(
                f"namespaces {label}: {failures} failures in {args.rounds} restarts "
                f"(median round {median:.2f} s)",
                flush=True,
            )
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
