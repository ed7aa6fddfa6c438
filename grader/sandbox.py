"""The sandbox around the kernel that runs student code.

``plan_kernel`` decides how the kernel starts: through ``grader/jail.py``,
which on Linux builds a new root file system and new namespaces (no network,
own process IDs, nothing of the grader's files), and everywhere sets resource
limits. ``Watchdog`` follows the kernel's whole process tree from outside and
kills it when it uses more memory, CPU time or processes than allowed.

Which protections hold depends on the system; ``Sandbox.protections`` names
each one and whether it is on, and every report lists them. Where there are
no namespaces but the grader is root (a container's usual case), the kernel
runs as an unprivileged user instead (``grader.users``: an id of its own for
each kernel, reserved by ``for_one_kernel``, unless the instructor names an
account): it cannot change the grader's files or signal it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import site
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import ClassVar

from grader.errors import (
    KERNEL_WOULD_NOT_START,
    GraderError,
    KernelError,
    SandboxError,
)
from grader.report import Protection
from grader.users import KernelUser, kernel_user_for, own_user

MB = 1024 * 1024
NICE = 19
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin")
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "passwd",
    "group",
    "nsswitch.conf",
    "host.conf",
    "hosts",
)
HELPERS = ("resnets_utils.py",)
NOT_LINUX = "this system is not Linux"
#: The folders a grader makes for itself start so (``grader.files``); only
#: those are opened to the kernel's user (entered, not listed).
OWN_FOLDERS = "grader-"


class LimitsError(GraderError, ValueError):
    """Limits no grading could run under (a time of 0, too little memory)."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times are wall-clock seconds.

    Raises ``LimitsError`` for a time that is not more than 0, or less than
    ``MIN_MEMORY_MB`` of memory or ``MIN_CPU_SECONDS`` of CPU time. The
    messages name the command line's options, which set these fields.
    """

    cell_seconds: float = 60.0
    probe_seconds: float = 60.0
    submission_seconds: float = 600.0
    memory_mb: int = 4096
    cpu_seconds: int = 600
    processes: int = 64
    threads: int = 1024
    output_kb: int = 1024
    scratch_mb: int = 256

    #: Below these, not even the assignment's imports would run.
    MIN_MEMORY_MB: ClassVar[int] = 512
    MIN_CPU_SECONDS: ClassVar[int] = 10
    #: Each time field and the option that sets it.
    TIME_OPTIONS: ClassVar[dict[str, str]] = {
        "cell_seconds": "--cell-timeout",
        "probe_seconds": "--probe-timeout",
        "submission_seconds": "--submission-timeout",
    }

    def __post_init__(self) -> None:
        for name, option in self.TIME_OPTIONS.items():
            if getattr(self, name) <= 0:
                raise LimitsError(f"{option} must be more than 0 seconds")
        if self.memory_mb < self.MIN_MEMORY_MB or self.cpu_seconds < (
            self.MIN_CPU_SECONDS
        ):
            raise LimitsError(
                f"--memory must be at least {self.MIN_MEMORY_MB}, "
                f"--cpu at least {self.MIN_CPU_SECONDS}"
            )

    def describe(self, *, namespaces: bool, counted: str = "") -> list[Protection]:
        """The limits as report lines; they hold on every system.

        Threads are limited inside a user namespace, or, where the kernel runs
        as another user, for that user's processes, ``counted`` saying whose
        ("user nobody's processes together"; see ``_rlimits``).
        """
        threads = (
            f"{self.threads} threads"
            if namespaces
            else f"{self.threads} threads for {counted}"
            if counted
            else "threads not limited (no user namespace)"
        )
        return [
            Protection(
                "time",
                True,
                f"{self.cell_seconds:g} s per cell, {self.probe_seconds:g} s per "
                f"function's probes, {self.submission_seconds:g} s per submission; "
                "interrupted, then killed",
            ),
            Protection(
                "memory",
                True,
                f"{self.memory_mb} MB for the kernel's whole process tree",
            ),
            Protection("CPU time", True, f"{self.cpu_seconds} s for the process tree"),
            Protection(
                "processes",
                True,
                f"{self.processes} processes and {threads}",
            ),
            Protection(
                "output", True, f"{self.output_kb} KB per cell kept, the rest dropped"
            ),
        ]


@dataclass(frozen=True)
class Sandbox:
    """How kernels start on this system, and what that protects.

    Where the grader is root without namespaces: ``user``, who the kernel
    runs as (None: the grader's own user); with ``own_users``, each kernel
    runs as a user of its own, and ``user`` is the one reserved for this
    kernel (``for_one_kernel``), None until then; ``user_reason`` says why
    the kernel runs as root after all.
    """

    namespaces: bool
    reason: str = ""
    limits: Limits = field(default_factory=Limits)
    user: KernelUser | None = None
    user_reason: str = ""
    own_users: bool = False

    @property
    def protections(self) -> tuple[Protection, ...]:
        """Every protection, on or off, with what it means here."""
        off = f"off ({self.reason})"
        files = process = off
        if self.user_reason:
            files = process = (
                f"off ({self.reason}; the kernel runs as root: {self.user_reason})"
            )
        counted = ""
        if self.own_users:
            # ``user`` is None until a kernel has reserved one: in a report
            # where no kernel ran, say.
            who = (
                f"{self.user}, a user of its own for this grading"
                if self.user
                else "a user of its own for each grading"
            )
            counted = "its own user's processes"
            files = (
                f"partly: runs as {who}: cannot change the grader, its expected "
                "values, the submissions, the results or other kernels' folders; "
                f"can read what every user may read ({self.reason})"
            )
            process = (
                f"partly: runs as {who}: cannot signal the grader, its launcher "
                f"or other kernels; sees every process ({self.reason})"
            )
        elif self.user is not None:
            counted = f"{self.user}'s processes together"
            files = (
                f"partly: runs as {self.user}: cannot change the grader, its "
                "expected values, the submissions or the results; can read what "
                "every user may read, and change the folders of kernels graded at "
                f"the same moment, as that user too ({self.reason})"
            )
            process = (
                f"partly: runs as {self.user}: cannot signal the grader or its "
                "launcher; can signal kernels graded at the same moment, as that "
                f"user too; sees every process ({self.reason})"
            )
        isolated = [
            Protection(
                "network",
                self.namespaces,
                "none: own network namespace" if self.namespaces else off,
            ),
            Protection(
                "files",
                self.namespaces,
                "sees only Python, the helpers and a scratch folder; the grader, "
                "expected values and reference are not there; nothing else writable"
                if self.namespaces
                else files,
            ),
            Protection(
                "process isolation",
                self.namespaces,
                "own PID namespace: cannot see or signal the grader"
                if self.namespaces
                else process,
            ),
        ]
        limits = self.limits.describe(namespaces=self.namespaces, counted=counted)
        return (*limits, *isolated)


def choose(
    *,
    require: bool = False,
    disable: bool = False,
    limits: Limits | None = None,
    kernel_user: str | None = None,
) -> Sandbox:
    """The sandbox to use: namespaces where the system allows them.

    With ``require``, a system without them raises ``SandboxError`` instead of
    grading with fewer protections; ``disable`` turns namespaces off (resource
    and time limits stay). Without namespaces a root grader runs the kernel
    as the account ``kernel_user``, or by default as a user of its own for
    each kernel (``grader.users.kernel_user_for``); an account that does not
    exist, or root, raises ``SandboxError``.
    """
    limits = limits or Limits()
    if disable:
        if require:
            raise SandboxError("--require-sandbox and --no-sandbox contradict")
        return _without_namespaces("turned off with --no-sandbox", limits, kernel_user)
    works, reason = namespaces_available()
    if not works and require:
        raise SandboxError(
            f"the sandbox is required but cannot be built here: {reason}"
        )
    if works:
        return Sandbox(True, reason, limits)
    return _without_namespaces(reason, limits, kernel_user)


def _without_namespaces(reason: str, limits: Limits, name: str | None) -> Sandbox:
    user, own, why_root = kernel_user_for(name)
    return Sandbox(False, reason, limits, user, why_root, own)


@contextmanager
def for_one_kernel(sandbox: Sandbox) -> Iterator[Sandbox]:
    """``sandbox`` as one kernel runs in it, until the block ends.

    Where each kernel runs as a user of its own, that user is reserved for
    the block (``grader.users.own_user``) and is the ``user`` of the sandbox
    given; elsewhere ``sandbox`` itself.
    """
    if not sandbox.own_users or sandbox.user is not None:
        yield sandbox
        return
    with own_user() as user:
        yield replace(sandbox, user=user)


@cache
def namespaces_available() -> tuple[bool, str]:
    """Whether ``jail.py`` can build its sandbox here, and if not, why."""
    if not sys.platform.startswith("linux"):
        return False, NOT_LINUX
    from grader.files import temporary_folder

    with temporary_folder("grader-probe-") as root:
        plan = _plan(
            root,
            argv=[sys.executable, "-I", "-S", "-c", "pass"],
            env={},
            writable=[],
            namespaces=True,
            limits=Limits(),
        )
        try:
            done = subprocess.run(
                _jail_argv(plan),
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"the sandbox test did not run: {exc}"
    if done.returncode == 0:
        return True, ""
    lines = done.stderr.strip().splitlines()
    detail = lines[-1].removeprefix("grader sandbox: ") if lines else "no reason given"
    return False, f"no user namespaces here: {detail}"


def _jail_argv(plan: Path) -> list[str]:
    jail = str(resources.files("grader").joinpath("jail.py"))
    return [sys.executable, "-I", "-S", jail, str(plan)]


def _python_dirs() -> list[str]:
    """The Python installation the kernel needs: prefixes and site-packages."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    dirs.update(site.getsitepackages())
    user_site = site.getusersitepackages()
    if site.ENABLE_USER_SITE and user_site in sys.path:
        dirs.add(user_site)
    return sorted(d for d in dirs if os.path.isdir(d))


def _secret_dirs() -> list[str]:
    """Where the grader's own files are: hidden wherever they would show."""
    import grader
    import grader.fixtures

    return sorted(
        {
            str(Path(grader.__file__).resolve().parent),
            str(Path(grader.fixtures.__file__).resolve().parent),
        }
    )


def _plan(
    root: Path,
    *,
    argv: list[str],
    env: dict[str, str],
    writable: list[Path],
    namespaces: bool,
    limits: Limits,
    cwd: str = "/tmp",
    user: KernelUser | None = None,
) -> Path:
    newroot = root / "root"
    newroot.mkdir(exist_ok=True)
    python = _python_dirs()
    read_only = [
        *SYSTEM_DIRS,
        *(f"/etc/{name}" for name in ETC_FILES),
        *python,
        str(root / "helpers"),
    ]
    plan = {
        "namespaces": namespaces,
        "root": str(newroot),
        "read_only": read_only,
        "writable": [str(path) for path in writable],
        "tmpfs": {"/tmp": limits.scratch_mb, "/dev/shm": 64},
        "hide": [d for d in _secret_dirs() if any(_under(d, p) for p in python)],
        "rlimits": _rlimits(limits, namespaces or user is not None),
        "nice": NICE,
        "cwd": cwd if namespaces else str(root / "scratch"),
        "env": env,
        "argv": argv,
        # The launcher's parent-to-be: a launcher whose parent is already
        # gone when it starts watching would otherwise never notice.
        "parent": os.getpid(),
        "user": [user.uid, user.gid] if user else None,
    }
    path = root / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _rlimits(limits: Limits, own_user: bool) -> dict[str, int]:
    # The address space of one process is a backstop: the watchdog caps the
    # tree, but a single allocation can outrun its polling.
    rlimits = {
        "AS": max(2 * limits.memory_mb, limits.memory_mb + 4096) * MB,
        # A little above the watchdog's limit, which says why it stopped.
        "CPU": limits.cpu_seconds + 5,
        "FSIZE": limits.scratch_mb * MB,
        "CORE": 0,
    }
    if own_user:
        # In its own user namespace, or as its own user, the kernel's tasks
        # are counted apart from the grader's processes; for the grader's own
        # user the count would be shared with them.
        rlimits["NPROC"] = limits.threads
    return rlimits


@dataclass
class KernelLaunch:
    """Everything needed to start one sandboxed kernel."""

    argv: list[str]
    env: dict[str, str]
    workdir: Path


def plan_kernel(
    sandbox: Sandbox, root: Path, *, writable: list[Path], base_env: dict[str, str]
) -> KernelLaunch:
    """Write the plan for a kernel under ``root``; return how to launch it.

    The returned ``argv`` holds ``{connection_file}`` for jupyter_client to
    fill in. ``writable`` are the folders the kernel must write to (its
    sockets and the results); they keep their paths inside the sandbox.
    Where each kernel runs as a user of its own, ``sandbox`` must be one
    kernel's (``for_one_kernel``).
    """
    if sandbox.own_users and sandbox.user is None:
        raise ValueError("a kernel of its own user needs for_one_kernel(sandbox)")
    helpers = root / "helpers"
    helpers.mkdir()
    scratch = root / "scratch"
    scratch.mkdir()
    # Found, not imported: importing it would import Keras and TensorFlow,
    # seconds during which the kernel could already be starting.
    spec = importlib.util.find_spec("resnets_utils")
    if spec is None or spec.origin is None:
        raise KernelError(
            KERNEL_WOULD_NOT_START.format(reason="the helper resnets_utils is missing")
        )
    source = Path(spec.origin)
    for name in HELPERS:
        (helpers / name).write_bytes((source.parent / name).read_bytes())
    if sandbox.user is not None:
        _hand_over(sandbox.user, root, [scratch, *writable])
    home = "/tmp" if sandbox.namespaces else str(scratch)
    env = {
        **base_env,
        "HOME": home,
        "TMPDIR": home,
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "KERAS_HOME": f"{home}/.keras",
        "PYTHONPATH": str(helpers),
        "PYTHONNOUSERSITE": "1",
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }
    kernel = [
        sys.executable,
        "-s",
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--HistoryManager.enabled=False",
    ]
    plan = _plan(
        root,
        argv=kernel,
        env=env,
        writable=writable,
        namespaces=sandbox.namespaces,
        limits=sandbox.limits,
        user=sandbox.user,
    )
    return KernelLaunch(argv=_jail_argv(plan), env=env, workdir=scratch)


def _hand_over(user: KernelUser, root: Path, own: list[Path]) -> None:
    """Give ``user`` the folders ``own`` and a way to reach them, and no more.

    The folders ``own`` become ``user``'s alone (mode 0700). The folders from
    each one up to the highest the grader made (``OWN_FOLDERS``) become
    enterable but not listable, so that the kernel reaches its own folders
    without finding anyone else's; a folder above them that ``user`` cannot
    enter raises ``KernelError``. The helpers under ``root`` become readable.
    """
    helpers = root / "helpers"
    helpers.chmod(0o755)
    for helper in helpers.iterdir():
        helper.chmod(0o644)
    for folder in own:
        os.chown(folder, user.uid, user.gid)
        folder.chmod(0o700)
        above = [root, *folder.parents]
        ours = [
            i
            for i, path in enumerate(above)
            if path.name.startswith(OWN_FOLDERS) and path.stat().st_uid == os.geteuid()
        ]
        for i, path in enumerate(above):
            mode = path.stat().st_mode
            if mode & stat.S_IXOTH:
                continue
            if ours and i <= ours[-1] and path.stat().st_uid == os.geteuid():
                path.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
                continue
            raise KernelError(
                KERNEL_WOULD_NOT_START.format(
                    reason=f"{user} cannot enter {path}: give the "
                    "grader a TMPDIR that every user may enter"
                )
            )


# --- watching the process tree ----------------------------------------------


@dataclass(frozen=True)
class Usage:
    """What a process tree uses right now."""

    processes: int
    rss_mb: float
    cpu_seconds: float
    pids: tuple[int, ...]
    #: Each process's start time (clock ticks after boot), in ``pids``' order.
    starts: tuple[int, ...] = ()


def tree_usage(root_pid: int) -> Usage:
    """Sum the resident memory, CPU time and processes of ``root_pid``'s tree.

    Resident sets are added up, so pages shared after a ``fork`` count once
    per process: the sum errs on the side of too much.
    """
    stats: dict[int, list[str]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as handle:
                text = handle.read()
        except OSError:
            continue
        stats[int(entry.name)] = text[text.rfind(")") + 2 :].split()
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
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as handle:
                text = handle.read()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        # After the state: the parent is field 1 and the start time field 19.
        if int(fields[1]) == pid:
            started = (int(fields[19]), int(entry.name))
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
