"""The kernel's process tree watched from outside, and killed past a limit.

``tree_usage`` sums what a tree uses now; ``Watchdog`` polls it and kills the
whole tree when it uses more memory, CPU time or processes than its
``Limits`` allow; ``ending`` tells a launcher about to end from one that runs.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.limits import MB, Limits


@dataclass(frozen=True)
class Usage:
    """What a process tree uses right now."""

    processes: int
    rss_mb: float
    cpu_seconds: float
    pids: tuple[int, ...]
    #: Each process's start time (clock ticks after boot), in ``pids``' order.
    starts: tuple[int, ...] = ()


def _process_stats() -> Iterator[tuple[int, list[str]]]:
    """Each process's pid and the fields of its ``/proc/PID/stat`` after its name."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as handle:
                text = handle.read()
        except OSError:
            continue
        yield int(entry.name), text[text.rfind(")") + 2 :].split()


def tree_usage(root_pid: int) -> Usage:
    """Sum the resident memory, CPU time and processes of ``root_pid``'s tree.

    Resident sets are added up, so pages shared after a ``fork`` count once
    per process: the sum errs on the side of too much.
    """
    stats = dict(_process_stats())
    children: dict[int, list[int]] = {}
    for pid, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(pid)
    tree, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            tree.append(pid)
            todo.extend(children.get(pid, []))
    page, tick = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
    rss = cpu = 0.0
    for pid in tree:
        fields = stats[pid]
        # Fields after the name: utime is the 12th and rss the 22nd
        # (``man 5 proc``), counting from 0 after the state.
        cpu += sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick
        rss += int(fields[21]) * page / MB
    starts = tuple(int(stats[pid][19]) for pid in tree)
    return Usage(len(tree), rss, cpu, tuple(tree), starts)


def _start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks after boot); None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()
    return None if fields[0] in {"Z", "X"} else int(fields[19])


# Signals the launcher acts on by ending the kernel: SIGKILL and the
# default-fatal ones kill it (and its kernel then gets SIGKILL from
# ``PR_SET_PDEATHSIG``); SIGTERM and SIGHUP make it kill the kernel itself. It
# ignores SIGINT, and SIGALRM is its own timer.
_HARMLESS = {
    signal.SIGINT,
    signal.SIGALRM,
    signal.SIGCHLD,
    signal.SIGCONT,
    signal.SIGURG,
    signal.SIGWINCH,
    signal.SIGSTOP,
    signal.SIGTSTP,
    signal.SIGTTIN,
    signal.SIGTTOU,
}
_LAUNCHER_ENDS = sum(1 << (s - 1) for s in range(1, 32) if s not in _HARMLESS)
_KILL = 1 << (signal.SIGKILL - 1)


def _pending(pid: int) -> int | None:
    """The signals sent to ``pid`` and not yet delivered; None if it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    pending = 0
    for line in lines:
        if line.startswith(("State:", "SigPnd:", "ShdPnd:")):
            key, _, value = line.partition(":")
            if key == "State":
                if value.split()[0] in {"Z", "X", "x"}:
                    return None  # exited, not yet reaped
            else:
                pending |= int(value.strip(), 16)
    return pending


def ending(launcher_pid: int) -> bool:
    """Whether the launcher or its kernel is on its way out.

    A signal another process sends is delivered when its target next runs.
    Without a PID namespace a kernel can kill its own launcher and, on a busy
    machine, still finish the cell and answer before the kernel death that
    follows (``PR_SET_PDEATHSIG``) lands. Signals pending at the moment the
    answer arrives were sent by the cell, so this tells whether the cell
    ended the kernel. Without ``/proc`` it says False.
    """
    pending = _pending(launcher_pid)
    if pending is None:
        return Path("/proc/self/status").exists()
    if pending & _LAUNCHER_ENDS:
        return True
    kernel = _first_child(launcher_pid)
    if kernel is None:
        return True  # reaped by the launcher, which exits next
    state = _pending(kernel)
    return state is None or bool(state & _KILL)


def _first_child(pid: int) -> int | None:
    """The oldest child of ``pid``: for a launcher, its kernel.

    Processes orphaned below the launcher are its children too (it is a
    subreaper), but they all started after the kernel.
    """
    oldest: tuple[int, int] | None = None
    for child, fields in _process_stats():
        # After the state: the parent is field 1 and the start time field 19.
        if int(fields[1]) == pid:
            started = (int(fields[19]), child)
            oldest = min(oldest, started) if oldest else started
    return oldest[1] if oldest else None


class Watchdog:
    """Poll a kernel's process tree; kill it all when it passes a limit.

    ``pid_of`` returns the current launcher's pid (it changes on restart), or
    None while there is none. ``reason`` says why the last kill happened and
    is cleared by ``take_reason``.
    """

    def __init__(
        self, limits: Limits, pid_of: Callable[[], int | None], interval: float = 0.05
    ) -> None:
        self._limits = limits
        self._pid_of = pid_of
        self._interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._reason = ""
        # Every process seen below the launcher, by pid, and its start time.
        self._seen: dict[int, int] = {}
        self.peak_rss_mb = 0.0
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        """Start polling in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        self._thread.join()

    def take_reason(self) -> str:
        """Why the watchdog last killed the kernel ("" if it did not); clears it."""
        with self._lock:
            reason, self._reason = self._reason, ""
        return reason

    def _loop(self) -> None:
        if not Path("/proc/self/stat").exists():
            return  # no /proc: the rlimits are all there is
        while not self._stop.wait(self._interval):
            pid = self._pid_of()
            if pid is None:
                continue
            usage = tree_usage(pid)
            with self._lock:
                self._seen.update(zip(usage.pids[1:], usage.starts[1:], strict=True))
            self.peak_rss_mb = max(self.peak_rss_mb, usage.rss_mb)
            reason = self._breach(usage)
            if reason:
                # The reason first: the moment the kernel dies, the grader may
                # ask why.
                with self._lock:
                    self._reason = reason
                self._kill(usage.pids)

    def clear_strays(self) -> None:
        """Kill what was seen below the launcher and still runs, with its tree.

        Once the launcher has ended this finds nothing: it has cleared all
        below it. Where the kernel could kill its launcher (no namespaces,
        the grader's own user), the processes it had started by the last
        poll were handed to the system instead; they end here.
        """
        with self._lock:
            seen, self._seen = self._seen, {}
        for _ in range(50):
            alive = [pid for pid, start in seen.items() if _start_time(pid) == start]
            if not alive:
                return
            for root in alive:
                for pid in reversed(tree_usage(root).pids):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.02)

    def _breach(self, usage: Usage) -> str:
        limits = self._limits
        # The launcher is one process of the tree and not the student's.
        if usage.processes - 1 > limits.processes:
            return f"it started more than {limits.processes} processes"
        if usage.rss_mb > limits.memory_mb:
            # Resident sets of forked processes share pages, and the sum counts
            # them again; reading the exact share would be too slow to stop a
            # fork bomb, so the message says how many processes added up.
            started = usage.processes - 2
            across = f" across {started + 1} processes" if started > 0 else ""
            return f"it used more than {limits.memory_mb} MB of memory{across}"
        if usage.cpu_seconds > limits.cpu_seconds:
            return f"it used more than {limits.cpu_seconds} s of CPU time"
        return ""

    @staticmethod
    def _kill(pids: tuple[int, ...]) -> None:
        # Everything below the launcher, not the launcher itself: once its
        # kernel is dead the launcher kills whatever else is left below it
        # (orphaned between two polls, say) before it exits. In a PID
        # namespace, the kernel's death ends every process inside as well.
        for pid in pids[1:]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
