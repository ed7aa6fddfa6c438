"""The bench's runs: one command for one side, in a memory group, measured.

Owns running a command (its wall time, its group's peak and what the group
held then, its workers' groups, the load average as it ended), the phases a
grading printed, and the line that says which machine measured. Imports the
sides and the cgroups.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cgroups import Box, Snapshot, WorkerGroups
from .sides import Side


@dataclass
class Run:
    """One command's wall time, its group's peak, its output and exit status."""

    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    code: int
    at_peak: Snapshot
    workers: list[tuple[float, Snapshot]] = field(default_factory=list)
    others: list[tuple[float, Snapshot]] = field(default_factory=list)
    #: The 1-minute load average as the command ended: what else ran.
    load: float = 0.0


def run(
    side: Side,
    command: Sequence[str],
    *,
    label: str,
    prefix: Sequence[str] = (),
    env: dict[str, str] | None = None,
    workers: bool = False,
    any_status: bool = False,
) -> Run:
    """Run ``command`` for ``side`` in a memory group of its own and measure it.

    With ``workers``, each child of the command gets a group of its own.
    """
    box = Box.make(label)
    full = [*(box.prefix() if box else []), *prefix, *command]
    started = time.monotonic()
    process = subprocess.Popen(
        full,
        text=True,
        env=env or side.env,
        cwd=side.cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    mover = WorkerGroups(box, process.pid) if box and workers else None
    if box:
        box.start()
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        # Stopped (a signal, ^C): the grader's own handler ends its children.
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if mover:
            mover.stop()
        if box:
            box.stop()
            box.remove()
        raise
    finally:
        seconds = time.monotonic() - started
        if mover:
            mover.stop()
        if box:
            box.stop()
    found = Run(seconds, 0.0, stdout, stderr, process.returncode, Snapshot())
    found.load = os.getloadavg()[0]
    if box:
        found.peak_mb, found.at_peak = box.peak_mb, box.at_peak
        if mover:
            for group in mover.workers.values():
                # The batch's short-lived children (its sandbox probe) are no workers.
                names = " ".join(name for name, _ in group.at_peak.processes)
                kept = found.workers if "grader.batch" in names else found.others
                kept.append((group.peak_mb, group.at_peak))
        box.remove()
    if process.returncode != 0 and not any_status:
        raise SystemExit(f"{side.label}: {' '.join(command)} failed:\n{stderr[-2000:]}")
    return found


def timings(stderr: str) -> list[tuple[str, float]]:
    """The phases ``grader grade --timings`` printed."""
    found = re.findall(r"^timing: (.+?) +([0-9.]+) s$", stderr, re.MULTILINE)
    return [(name, float(seconds)) for name, seconds in found]


def machine() -> list[str]:
    """The CPU, core count, Python, TensorFlow and kernel of this machine."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import tensorflow as tf

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return [
        f"{os.cpu_count()} cores, {model}",
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"{platform.system()} {platform.release()}",
        f"load average at the start {load}",
    ]
