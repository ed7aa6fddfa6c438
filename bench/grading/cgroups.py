"""The bench's cgroups: a memory group per command, sampled near its peak.

Owns the memory groups each measured command runs in (made below the bench's
own group by ``grader.sandbox.cgroup``, where the bench may make one), what a group
held when it used most, the groups a batch's workers are moved into as they
start, and the cpu group that holds a grading to half a core. Imports nothing
of the bench.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

#: A group with no limit worth the name: it only measures.
NO_LIMIT_MB = 2**24
MB = 2**20


@dataclass
class Snapshot:
    """What a group held when its usage was highest."""

    usage_mb: float = 0.0
    kinds: dict[str, float] = field(default_factory=dict)
    processes: list[tuple[str, float]] = field(default_factory=list)


class Box:
    """A memory cgroup made for one measurement, sampled while it runs.

    ``peak_mb`` is the kernel's own figure (v1 ``memory.max_usage_in_bytes``,
    v2 ``memory.peak``); ``at_peak`` is the sampler's view near it: the
    group's memory by kind and each process's resident set.
    """

    def __init__(self, folder: Path, version: int) -> None:
        self.folder = folder
        self.version = version
        self.at_peak = Snapshot()
        self.children: list[Box] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def make(cls, name: str, limit_mb: int = NO_LIMIT_MB) -> Box | None:
        """A group below this process's own, or None where none can be made."""
        from grader.sandbox import cgroup

        group = cgroup.make_child(f"{name}-{os.getpid()}", limit_mb)
        if group is None:
            return None
        box = cls(group.folder, group.version)
        box._write("memory.move_charge_at_immigrate", "3")
        return box

    def child(self, name: str) -> Box | None:
        """A group below this one, with no limit of its own."""
        folder = self.folder / name
        if self.version == 2:
            self._write("cgroup.subtree_control", "+memory")
        try:
            folder.mkdir()
        except OSError:
            return None
        box = Box(folder, self.version)
        box._write("memory.move_charge_at_immigrate", "3")
        self.children.append(box)
        return box

    def _write(self, name: str, value: str) -> None:
        with contextlib.suppress(OSError):
            (self.folder / name).write_text(value + "\n")

    def _read(self, name: str) -> str:
        try:
            return (self.folder / name).read_text()
        except OSError:
            return ""

    def join(self, pid: int) -> bool:
        """Move process ``pid`` into this group."""
        try:
            (self.folder / "cgroup.procs").write_text(f"{pid}\n")
        except OSError:
            return False
        return True

    def prefix(self) -> list[str]:
        """A command prefix whose shell joins this group, then runs the command."""
        join = f'echo $$ > {self.folder}/cgroup.procs && exec "$@"'
        return ["sh", "-c", join, "sh"]

    @property
    def peak_mb(self) -> float:
        """The group's peak as the kernel counted it, in MB."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        text = self._read(name).strip()
        return int(text) / MB if text.isdigit() else 0.0

    @property
    def limit_file(self) -> Path:
        """The file that holds the group's limit."""
        name = "memory.max" if self.version == 2 else "memory.limit_in_bytes"
        return self.folder / name

    def oom_kills(self) -> int:
        """How many processes the OOM killer killed in this group."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        found = re.search(r"^oom_kill (\d+)", self._read(name), re.MULTILINE)
        return int(found.group(1)) if found else 0

    def start(self) -> None:
        """Sample the group (and its children) every 0.1 s until ``stop``."""
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.sample()
            for child in self.children:
                child.sample()

    def sample(self) -> None:
        """Keep a snapshot if the group uses more now than at any sample before."""
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        text = self._read(name).strip()
        usage = int(text) / MB if text.isdigit() else 0.0
        if usage <= self.at_peak.usage_mb:
            return
        stat = dict(
            line.split(" ", 1) for line in self._read("memory.stat").splitlines()
        )
        kinds = (
            ("anon", "file", "shmem")
            if self.version == 2
            else ("total_rss", "total_cache", "total_mapped_file", "total_shmem")
        )
        self.at_peak = Snapshot(
            usage,
            {kind: int(stat[kind]) / MB for kind in kinds if kind in stat},
            [_process(pid) for pid in self.pids()],
        )

    def pids(self) -> list[int]:
        """The processes in this group and the groups below it."""
        found = []
        for procs in self.folder.rglob("cgroup.procs"):
            with contextlib.suppress(OSError, ValueError):
                found += [int(word) for word in procs.read_text().split()]
        return found

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def remove(self) -> None:
        """Remove the group and those below it; their processes must be gone."""
        for child in self.children:
            child.remove()
        for _ in range(50):
            try:
                self.folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)  # the last process is still leaving


def _process(pid: int) -> tuple[str, float]:
    """A process's short name (what it runs) and resident set in MB."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return (f"{pid} (gone)", 0.0)
    words = [word.decode(errors="replace") for word in argv if word]
    shown = " ".join(Path(words[0]).name.split() + words[1:4]) if words else "?"
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return (shown[:60], int(found.group(1)) / 1024 if found else 0.0)


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found = []
    for task in tasks:
        with contextlib.suppress(OSError):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found += [int(word) for word in text.split()]
    return found


class WorkerGroups:
    """Moves each child of a batch's main process into a group of its own."""

    def __init__(self, box: Box, pid: int) -> None:
        self._box = box
        self._pid = pid
        self.workers: dict[int, Box] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        # 20 ms: a worker is moved long before it has imported TensorFlow;
        # what it had by then moves with it (move_charge_at_immigrate).
        while not self._stop.wait(0.02):
            for pid in _children(self._pid):
                if pid in self.workers:
                    continue
                group = self._box.child(f"worker-{len(self.workers) + 1}")
                if group is not None and group.join(pid):
                    self.workers[pid] = group

    def stop(self) -> None:
        """Stop moving new workers."""
        self._stop.set()
        self._thread.join()


HALF_CORE = "/sys/fs/cgroup/cpu/grader-bench-half"


def half_core_prefix() -> list[str] | None:
    """A command prefix that runs on one CPU with a 50% CFS quota, or None.

    It needs a writable cgroup v1 cpu controller (root).
    """
    group = Path(HALF_CORE)
    try:
        group.mkdir(exist_ok=True)
        (group / "cpu.cfs_period_us").write_text("100000")
        (group / "cpu.cfs_quota_us").write_text("50000")
    except OSError:
        return None
    join = f'echo $$ > {group}/cgroup.procs && exec taskset -c 0 "$@"'
    return ["sh", "-c", join, "sh"]
