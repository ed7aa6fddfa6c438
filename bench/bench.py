"""Issue 22's goals, measured for this code and an older commit in one run.

Run from the repository root, after the README's set-up command:

    .venv/bin/python bench/bench.py --runs 3

The older code (``--against``, default 9978bfd) is checked out with ``git
worktree add`` into a temporary folder, removed however the bench ends, and
run with the same virtual environment: ``PYTHONPATH`` puts its ``grader``,
``resnets_utils`` and ``public_tests`` ahead of the editable install, and
every command runs from a neutral folder (``python -m grader`` would put the
current folder first on ``sys.path``). The bench prints which files each
side imports before it measures anything.

Both sides run as a user's would after ``grader cache warm``: each with a
cache folder of its own warmed once at the start (``GRADER_CACHE_DIR``);
``--cold-runs`` gradings per side with an empty cache folder each are shown
as well (the first grading on a machine: this code runs the solution, its
reference, in a kernel of its own beside the student's). Memory is what a memory cgroup counts
(``memory.max_usage_in_bytes`` under v1, ``memory.peak`` under v2): each
command runs in a group of its own, made where the bench may make one
(root), and each worker of a batch is moved into a group of its own as soon
as it starts (its kernels, started later, are counted with it).

What it measures, old and new side by side:

- ``grader grade`` of the solution, ``--runs`` times each, old and new
  alternating: median, min and max wall time, each grading's group peak,
  where the median grading's time went (``--timings``);
- ``grader gradescope run`` (each side's own ``run_autograder``) in memory
  groups of ``--memory-limits`` MB, the group's limit also shown as the
  container's (bind-mounted over the root's limit file in a mount namespace
  of its own), as in a real container: the score, a refusal, or the OOM
  killer; this side's with the cache ``setup.sh`` would have warmed;
- a batch of ``--batch`` copies of the solution with ``-j 2``: submissions a
  minute and each worker's peak;
- ``grader check`` of one function, ``--runs`` times each, alternating;
- this side only: the course folder of ``bench/course.py`` graded with ``-j
  2``, its gradebook against ``bench/gradebook-before.csv`` (all columns but
  ``seconds``), and, unless skipped, the grading held to half a core, an
  endless loop in ``identity_block`` and the notebook run top to bottom.

For each goal missed it prints where the time or the memory went: the phases
of ``grader grade --timings`` and the top of a cProfile of the grader
process, or the processes and memory kinds at the group's peak.

Nothing here is asserted by a test: figures depend on the machine and on what
else runs on it.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import platform
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "Residual_Networks.ipynb"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # course.py
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
ENV.pop("PYTHONPATH", None)
ENV.pop("GRADER_MEMORY_MB", None)
#: A group with no limit worth the name: it only measures.
NO_LIMIT_MB = 2**24
MB = 2**20


# ---------------------------------------------------------------- the sides


@dataclass
class Side:
    """One version of the grader: how to run it and what it imports."""

    label: str
    source: Path
    env: dict[str, str]
    cwd: Path
    #: A Python to give run_autograder as GRADER_PYTHON.
    python: str

    def grader(self, *args: str) -> list[str]:
        """The command line of ``grader ARGS`` for this side."""
        return [sys.executable, "-m", "grader", *args]


def old_side(source: Path, label: str, cwd: Path, scratch: Path) -> Side:
    """The older commit checked out at ``source``, ahead on ``PYTHONPATH``."""
    path = f"{source}{os.pathsep}{source / 'assignment'}"
    # Its run_autograder calls Python with -I, which ignores PYTHONPATH:
    # this stand-in drops -I so that the old package is the one imported.
    wrapper = scratch / "python-without-I"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a do shift; [ "$a" = -I ] || set -- "$@" "$a"; done\n'
        f'exec {sys.executable} "$@"\n'
    )
    wrapper.chmod(0o755)
    # A cache folder of its own, warmed as this code's is where it has one.
    env = {**ENV, "PYTHONPATH": path, "GRADER_CACHE_DIR": str(scratch / "old-cache")}
    return Side(label, source, env, cwd, str(wrapper))


def new_side(cwd: Path, cache: Path) -> Side:
    """This worktree's code, as the editable install imports it."""
    env = {**ENV, "GRADER_CACHE_DIR": str(cache)}
    return Side("this code", ROOT, env, cwd, sys.executable)


def imported_files(side: Side) -> list[str]:
    """The files ``grader``, ``resnets_utils`` and ``public_tests`` come from."""
    script = (
        "import importlib.util as u\n"
        "for n in ('grader', 'resnets_utils', 'public_tests'):\n"
        "    print(u.find_spec(n).origin)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=side.env,
        cwd=side.cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    files = done.stdout.split()
    for name in files:
        if not Path(name).resolve().is_relative_to(side.source.resolve()):
            raise SystemExit(f"{side.label}: imports {name}, not from {side.source}")
    return files


@contextlib.contextmanager
def checked_out(commit: str) -> Iterator[Path]:
    """``commit`` in a temporary git worktree, removed on every path."""
    folder = Path(tempfile.mkdtemp(prefix=f"grader-{commit[:12]}-"))
    folder.rmdir()
    git = ["git", "-C", str(ROOT)]
    subprocess.run(
        [*git, "worktree", "add", "--detach", str(folder), commit],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(
            [*git, "worktree", "remove", "--force", str(folder)], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([*git, "worktree", "prune"], capture_output=True)


# ---------------------------------------------------------------- cgroups


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
        from grader import cgroup

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


# ---------------------------------------------------------------- running


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


# ---------------------------------------------------------------- measures


@dataclass
class Gradings:
    """Several gradings of the solution by one side."""

    walls: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    phases: list[list[tuple[str, float]]] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median wall time."""
        return statistics.median(self.walls)

    def middle(self) -> int:
        """The index of the grading nearest the median."""
        return min(
            range(len(self.walls)), key=lambda i: abs(self.walls[i] - self.median)
        )

    def span(self) -> str:
        """Median, min to max, as a table cell."""
        return f"{self.median:.1f} s ({min(self.walls):.1f} to {max(self.walls):.1f})"


def grade_once(side: Side, into: Gradings, prefix: Sequence[str] = ()) -> None:
    """Grade the solution once with ``--timings``; it must earn 100."""
    done = run(
        side,
        side.grader("grade", str(SOLUTION), "--timings"),
        label="grade",
        prefix=prefix,
    )
    if "Total: 100/100" not in done.stdout:
        raise SystemExit(f"{side.label}: the solution did not earn 100:\n{done.stdout}")
    into.walls.append(done.seconds)
    into.peaks.append(done.peak_mb)
    into.phases.append(timings(done.stderr))
    into.snapshots.append(done.at_peak)
    into.loads.append(done.load)
    print(
        f"  {side.label}: {done.seconds:.1f} s, peak {done.peak_mb:.0f} MB, "
        f"load {done.load:.1f}",
        flush=True,
    )


def bench_checks(sides: Sequence[Side], runs: int) -> dict[str, list[float]]:
    """``grader check --function identity_block``, alternating sides."""
    found: dict[str, list[float]] = {side.label: [] for side in sides}
    for _ in range(runs):
        for side in sides:
            command = side.grader(
                "check", str(SOLUTION), "--function", "identity_block"
            )
            done = run(side, command, label="check")
            found[side.label].append(done.seconds)
            print(f"  {side.label}: grader check, one function: {done.seconds:.1f} s")
    return found


#: ``grader check`` with its report's phases printed as ``--timings`` prints
#: them (``check`` has no such option): a wrapper round the command line's
#: own grading function, in the bench alone.
CHECK_TIMINGS = """\
import sys
from grader import cli
from grader.render import render_timings
grade = cli._run_grade
def timed(args, *, visible_only):
    report = grade(args, visible_only=visible_only)
    print(render_timings(report), file=sys.stderr)
    return report
cli._run_grade = timed
sys.exit(cli.main(["check", sys.argv[1], "--function", "identity_block"]))
"""


def check_phases(side: Side) -> tuple[float, list[tuple[str, float]]]:
    """One ``grader check`` of one function: wall time and its report's phases."""
    command = [sys.executable, "-c", CHECK_TIMINGS, str(SOLUTION)]
    done = run(side, command, label="check-timings", any_status=True)
    return done.seconds, timings(done.stderr)


def write_batch(folder: Path, size: int) -> Path:
    """``size`` copies of the solution, each made distinct by a cell of its own."""
    subs = folder / "submissions"
    nb = nbformat.read(SOLUTION, as_version=4)
    for index in range(size):
        copy = nbformat.from_dict(nb)
        copy.cells.append(nbformat.v4.new_markdown_cell(f"submission {index}"))
        target = subs / f"u{index:03d}" / SOLUTION.name
        target.parent.mkdir(parents=True)
        nbformat.write(copy, target)
    return subs


def bench_batch(side: Side, subs: Path, out: Path, size: int) -> Run:
    """Grade the batch with ``-j 2``; every submission must earn 100."""
    command = side.grader("grade", str(subs), "-j", "2", "--out", str(out))
    done = run(side, command, label="batch", workers=True)
    if done.stdout.count("100/100") != size:
        raise SystemExit(f"{side.label}: a batch submission missed 100:\n{done.stdout}")
    worst = max((peak for peak, _ in done.workers), default=0.0)
    print(
        f"  {side.label}: {done.seconds:.0f} s, {len(done.workers)} workers, "
        f"worst worker {worst:.0f} MB, load {done.load:.1f}",
        flush=True,
    )
    return done


def run_autograder_text(side: Side) -> str:
    """The ``run_autograder`` script of ``side``'s code, read without importing it."""
    tree = ast.parse((side.source / "grader" / "gradescope.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "RUN_AUTOGRADER" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, str)
            return value
    raise SystemExit(f"{side.label}: no RUN_AUTOGRADER in grader/gradescope.py")


@dataclass
class Boxed:
    """``run_autograder`` in a memory group with a limit."""

    limit: int
    outcome: str
    peak_mb: float
    seconds: float
    at_peak: Snapshot
    graded: bool


def bench_memory(
    side: Side, folder: Path, limit: int, cache: Path | None, *, shown: bool = True
) -> Boxed | None:
    """``side``'s ``run_autograder`` on the solution in a group of ``limit`` MB.

    The group's limit file is bind-mounted over the root group's, in a mount
    namespace of the run's own, so that code reading only the root's limit
    (as older code did) sees the container's limit as it would in a real one.
    ``cache``: a cache folder to copy where setup.sh leaves one. Without
    ``shown`` the root's file is left as it is: code that reads only the
    root's limit then sees none and grades whatever its container holds.
    """
    box = Box.make(f"box{limit}", limit)
    if box is None:
        return None
    root = folder / f"{side.label.replace(' ', '-')}-{limit}-{shown}"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    shutil.copy(SOLUTION, root / "submission" / SOLUTION.name)
    if cache is not None:
        shutil.copytree(cache, root / "cache")
    runner = root / "run_autograder"
    runner.write_text(run_autograder_text(side))
    runner.chmod(0o755)
    env = {**side.env, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": side.python}
    env.pop("GRADER_CACHE_DIR", None)  # run_autograder's own: $ROOT/cache
    top = Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")
    if box.version == 2:
        top = Path("/sys/fs/cgroup/memory.max")
    shows = shown and top.exists()
    mount = f"mount --bind {box.limit_file} {top} && " if shows else ""
    script = f'{mount}echo $$ > {box.folder}/cgroup.procs && exec "$0"'
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    started = time.monotonic()
    box.start()
    try:
        subprocess.run(
            [*command, str(runner)], env=env, cwd=side.cwd, capture_output=True
        )
    finally:
        seconds = time.monotonic() - started
        box.stop()
    peak, killed, at_peak = box.peak_mb, box.oom_kills() > 0, box.at_peak
    box.remove()
    try:
        results = json.loads((root / "results" / "results.json").read_text())
    except (OSError, ValueError):
        results = {"score": None, "output": ""}
    said = " ".join(str(results.get("output", "")).split())
    if killed:
        outcome = "killed by the OOM killer; results.json: " + (
            f"{said[:50]}..." if said else "none"
        )
    elif results.get("score") is None:
        outcome = "no results.json"
    elif "not graded" in said:
        outcome = f"refused ({said[:50]}...)"
    else:
        outcome = f"{results['score']:g}/100"
    graded = not killed and results.get("score") == 100 and "not graded" not in said
    print(
        f"  {side.label}, {limit} MB{'' if shown else ' (limit hidden)'}: "
        f"{outcome}, peak {peak:.0f} MB, {seconds:.0f} s",
        flush=True,
    )
    return Boxed(limit, outcome, peak, seconds, at_peak, graded)


def bench_course(side: Side, folder: Path) -> list[str]:
    """Grade bench/course.py's folder; the differences from the gradebook before."""
    from course import BEFORE, BEFORE_SUBMISSIONS, gradebook, write_course

    submissions = write_course(folder)
    out = folder / "out"
    run(
        side,
        side.grader("grade", str(submissions), "-j", "2", "--out", str(out)),
        label="course",
        any_status=True,
    )
    if not (out / "gradebook.csv").exists():
        raise SystemExit(f"{out}: the batch wrote no gradebook")
    before = gradebook(BEFORE, BEFORE_SUBMISSIONS)
    now = gradebook(out / "gradebook.csv", submissions)
    differences = [
        f"{student}: {column} was {row.get(column)!r}, now "
        f"{now.get(student, {}).get(column)!r}"
        for student, row in before.items()
        for column in row
        if now.get(student, {}).get(column) != row.get(column)
    ]
    differences += [
        f"{student}: not in the gradebook before"
        for student in now.keys() - before.keys()
    ]
    return differences


def bench_hang(side: Side, folder: Path) -> float:
    """The whole grading of an endless loop in identity_block."""
    from course import write_course

    submissions = write_course(folder)
    notebook = submissions / "loops" / SOLUTION.name
    done = run(side, side.grader("grade", str(notebook)), label="hang")
    if "Total: 30/100" not in done.stdout:
        raise SystemExit(f"the endless loop did not score 30:\n{done.stdout}")
    return done.seconds


def bench_notebook(side: Side, folder: Path) -> tuple[float, float]:
    """The solution run top to bottom with nbclient (2 epochs): seconds, MB."""
    from grader.fixtures.make_signs import write_signs

    shutil.copytree(SOLUTION.parent / "images", folder / "images")
    write_signs(folder / "datasets", n_train=1080, n_test=120)
    notebook = folder / SOLUTION.name
    shutil.copy(SOLUTION, notebook)
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=None, kernel_name='python3',\n"
        "    resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
    )
    command = [sys.executable, "-c", script, str(notebook), str(folder)]
    done = run(side, command, label="notebook")
    return done.seconds, done.peak_mb


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


def profile_grader(side: Side, command: Sequence[str], folder: Path) -> list[str]:
    """The top of a cProfile of the grader process running ``command``.

    ``command`` is a ``grader`` command line; the kernel's time shows as
    the grader waiting for it.
    """
    output = folder / f"profile-{time.monotonic_ns()}"
    args = list(command)[3:]  # after python -m grader
    profiled = [sys.executable, "-m", "cProfile", "-o", str(output), "-m", "grader"]
    run(side, [*profiled, *args], label="profile", any_status=True)
    if not output.exists():
        return ["(no profile written)"]
    table = pstats.Stats(str(output)).stats  # type: ignore[attr-defined]
    entries = [
        (cumulative, own, calls, _where(file, line, name))
        for (file, line, name), (_, calls, own, cumulative, _) in table.items()
    ]
    ours = [e for e in entries if "/grader/" in e[3] or e[3].startswith("grader/")]
    lines = ["grader's functions by cumulative time:"]
    lines += [_entry(e) for e in sorted(ours, reverse=True)[:16]]
    lines.append("any function by its own time:")
    lines += [_entry(e) for e in sorted(entries, key=lambda e: -e[1])[:6]]
    return lines


def _where(file: str, line: int, name: str) -> str:
    """``grader/judge.py:212 model``: a path from the package's folder on."""
    parts = Path(file).parts
    if "grader" in parts:
        file = "/".join(parts[len(parts) - 1 - parts[::-1].index("grader") :])
    elif file != "~":
        file = Path(file).name
    return f"{file}:{line} {name}"


def _entry(entry: tuple[float, float, int, str]) -> str:
    cumulative, own, calls, where = entry
    return f"  {cumulative:7.2f} s cum {own:7.2f} s own {calls:6d}x  {where}"


# ---------------------------------------------------------------- the table


def row(measure: str, goal: str, old: str, new: str, met: bool | None) -> str:
    """One Markdown row: measure, goal, old figure, new figure, verdict."""
    verdict = "n/a" if met is None else ("met" if met else "**missed**")
    return f"| {measure} | {goal} | {old} | {new} | {verdict} |"


def phase_table(
    first: list[tuple[str, float]],
    second: list[tuple[str, float]],
    labels: tuple[str, str],
) -> list[str]:
    """Two gradings' phases side by side, as a Markdown table."""
    a, b = dict(first), dict(second)
    names = list(a) + [name for name in b if name not in a]
    lines = [f"| phase | {labels[0]} | {labels[1]} |", "|---|---:|---:|"]
    for name in names:
        left = f"{a[name]:.1f}" if name in a else ""
        right = f"{b[name]:.1f}" if name in b else ""
        lines.append(f"| {name} | {left} | {right} |")
    return lines


def _names(snap: Snapshot) -> str:
    return ", ".join(n for n, _ in snap.processes) or "gone before a sample"


def snapshot_lines(title: str, snap: Snapshot) -> list[str]:
    """A group's memory near its peak: kinds, then processes, as text."""
    kinds = ", ".join(f"{kind} {mb:,.0f} MB" for kind, mb in snap.kinds.items())
    lines = [f"{title}: {snap.usage_mb:,.0f} MB in use ({kinds})"]
    for name, rss in sorted(snap.processes, key=lambda p: -p[1]):
        lines.append(f"    {rss:7,.0f} MB resident  {name}")
    return lines


def check_miss(old: Side, new: Side, labels: tuple[str, str]) -> list[str]:
    """Where one ``grader check`` of each side spent its time."""
    (wall_a, phases_a), (wall_b, phases_b) = (check_phases(s) for s in (old, new))
    return [
        f"One more `grader check` each, its report's phases (whole command "
        f"{wall_a:.1f} s and {wall_b:.1f} s; the rest is Python's start "
        "and the grader's imports):",
        "",
        *phase_table(phases_a, phases_b, labels),
    ]


def main() -> None:  # noqa: C901 (one measure after another, then the table)
    """Measure both sides, then print the table and the profiles of misses."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="gradings per side")
    parser.add_argument("--batch", type=int, default=20, help="submissions in a batch")
    parser.add_argument(
        "--against", default="9978bfd", metavar="COMMIT", help="the code to compare"
    )
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=1,
        help="gradings per side with an empty cache folder each",
    )
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-course", action="store_true")
    parser.add_argument("--skip-half", action="store_true")
    parser.add_argument("--skip-hang", action="store_true")
    parser.add_argument("--skip-notebook", action="store_true")
    parser.add_argument(
        "--memory-limits",
        default="640,768",
        help="memory cgroup limits in MB to run run_autograder in (comma-separated; "
        "'' skips)",
    )
    args = parser.parse_args()
    limits = [int(x) for x in args.memory_limits.split(",") if x.strip()]
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.against],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    # A SIGTERM or SIGHUP ends the bench through its finally clauses.
    def leave(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGHUP, leave)

    about = machine()
    print("Measuring on: " + "; ".join(about), flush=True)
    with contextlib.ExitStack() as stack:
        tmp = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="grader-bench-"))
        )
        source = stack.enter_context(checked_out(commit))
        neutral = tmp / "cwd"
        neutral.mkdir()
        old = old_side(source, commit, neutral, tmp)
        new = new_side(neutral, tmp / "cache")
        labels = (old.label, f"this code ({head})")
        for side in (old, new):
            print(f"  {side.label} imports: " + ", ".join(imported_files(side)))
        probe = Box.make("probe")
        if probe is None:
            print("  no memory cgroup can be made here: memory figures are n/a")
        else:
            probe.remove()
        warm = run(new, new.grader("cache", "warm"), label="warm")
        print(f"  grader cache warm: {warm.seconds:.1f} s", flush=True)
        old_warm = run(old, old.grader("cache", "warm"), label="warm", any_status=True)
        print(f"  {old.label}: grader cache warm: {old_warm.seconds:.1f} s", flush=True)

        print(
            f"gradings of the solution, empty cache, {args.cold_runs} per side, "
            "alternating:",
            flush=True,
        )
        cold = {old.label: Gradings(), new.label: Gradings()}
        for number in range(args.cold_runs):
            for side in (old, new):
                empty = tmp / f"cold-{number}-{'new' if side is new else 'old'}"
                cache = {"GRADER_CACHE_DIR": str(empty)}
                cold_side = replace(side, env={**side.env, **cache})
                grade_once(cold_side, cold[side.label])

        print(
            f"gradings of the solution, {args.runs} per side, alternating:", flush=True
        )
        gradings = {old.label: Gradings(), new.label: Gradings()}
        for _ in range(args.runs):
            for side in (old, new):
                grade_once(side, gradings[side.label])

        print("grader check, one function:", flush=True)
        checks = bench_checks((old, new), args.runs)

        print("run_autograder in memory cgroups:", flush=True)
        boxed: dict[str, list[Boxed]] = {old.label: [], new.label: []}
        hidden: dict[int, Boxed] = {}
        for limit in limits:
            for side, cache in ((old, None), (new, tmp / "cache")):
                found = bench_memory(side, tmp / "memory", limit, cache)
                if found is not None:
                    boxed[side.label].append(found)
            # What the older code does where it cannot see the limit (a
            # nested group): it grades, and the OOM killer may end it.
            found = bench_memory(old, tmp / "memory", limit, None, shown=False)
            if found is not None:
                hidden[limit] = found

        batches: dict[str, Run] = {}
        if not args.skip_batch:
            print(f"a batch of {args.batch} with -j 2:", flush=True)
            subs = write_batch(tmp / "batch", args.batch)
            for side in (old, new):
                out = tmp / "batch" / f"out-{side.label.replace(' ', '-')}"
                batches[side.label] = bench_batch(side, subs, out, args.batch)

        course = None
        if not args.skip_course:
            print("the course folder with -j 2 (this code):", flush=True)
            course = bench_course(new, tmp / "course")
        half = None
        prefix = None if args.skip_half else half_core_prefix()
        if prefix is not None:
            print("one grading on half a core (this code):", flush=True)
            half = Gradings()
            grade_once(new, half, prefix)
        hang = None
        if not args.skip_hang:
            print("an endless loop in identity_block (this code):", flush=True)
            hang = bench_hang(new, tmp / "hang")
        notebook = None
        if not args.skip_notebook:
            print("the notebook top to bottom, 2 epochs:", flush=True)
            notebook = bench_notebook(new, tmp / "notebook")

        # ---- the verdicts, then a profile for each miss
        a, b = gradings[old.label], gradings[new.label]
        lines = [
            f"Machine: {'; '.join(about)}",
            f"This code: {head}, cache warm (`grader cache warm`, "
            f"{warm.seconds:.0f} s, once); {old.label}: a git worktree of it, same "
            "venv, PYTHONPATH.",
            "",
            f"| measure | goal | {labels[0]} | {labels[1]} | |",
            "|---|---|---:|---:|---|",
        ]
        speed = a.median / b.median
        lines.append(
            row(
                f"`grader grade` solution, median of {args.runs} (min to max)",
                f">= 2x faster than {old.label}",
                a.span(),
                f"{b.span()}: {speed:.2f}x",
                speed >= 2,
            )
        )
        lines.append(
            row(
                "1-minute load average as each grading ended (min to max)",
                "(other users)",
                f"{min(a.loads):.1f} to {max(a.loads):.1f}",
                f"{min(b.loads):.1f} to {max(b.loads):.1f}",
                None,
            )
        )
        lines.append(
            row(
                f"the same with an empty cache, median of {args.cold_runs} "
                "(min to max)",
                "(no goal)",
                cold[old.label].span(),
                cold[new.label].span(),
                None,
            )
        )
        lines.append(
            row(
                "peak of one grading with an empty cache (max)",
                "(no goal)",
                f"{max(cold[old.label].peaks):,.0f} MB",
                f"{max(cold[new.label].peaks):,.0f} MB",
                None,
            )
        )
        lines.append(
            row(
                "peak of one grading, as a memory cgroup counts it (max)",
                "(no goal)",
                f"{max(a.peaks):,.0f} MB",
                f"{max(b.peaks):,.0f} MB",
                None,
            )
        )
        misses: list[list[str]] = []
        if speed < 2:
            misses.append(
                [
                    "### `grader grade` less than 2x faster",
                    "",
                    "Phases: the table above. cProfile of this code's grader "
                    "process (cumulative; the kernel's work shows as waiting):",
                    "",
                    "```",
                    *profile_grader(new, new.grader("grade", str(SOLUTION)), tmp),
                    "```",
                ]
            )
        for limit in limits:
            pair = [
                next((x for x in boxed[side.label] if x.limit == limit), None)
                for side in (old, new)
            ]
            second = pair[1]
            if second is None:
                lines.append(
                    row(
                        f"`run_autograder` in {limit} MB",
                        "grades, 100/100",
                        "n/a",
                        "no memory cgroup",
                        None,
                    )
                )
                continue
            shown = [
                f"{x.outcome}, peak {x.peak_mb:,.0f} MB, {x.seconds:.0f} s" if x else ""
                for x in pair
            ]
            if limit in hidden:
                x = hidden[limit]
                shown[0] += (
                    f"; limit hidden from it: {x.outcome}, peak {x.peak_mb:,.0f} MB, "
                    f"{x.seconds:.0f} s"
                )
            lines.append(
                row(
                    f"`run_autograder` in a {limit} MB memory cgroup",
                    "100/100" if limit != 768 else "grades, not refuses: 100/100",
                    shown[0],
                    shown[1],
                    second.graded,
                )
            )
            if not second.graded:
                misses.append(
                    [
                        f"### `run_autograder` in {limit} MB: {second.outcome}",
                        "",
                        "```",
                        *snapshot_lines("this code, near the peak", second.at_peak),
                        *(
                            snapshot_lines(
                                f"{old.label}, limit hidden, near the peak",
                                hidden[limit].at_peak,
                            )
                            if limit in hidden
                            else []
                        ),
                        "```",
                    ]
                )
        if batches:
            rates = {
                label: args.batch / done.seconds * 60 for label, done in batches.items()
            }
            ratio = rates[new.label] / rates[old.label]
            lines.append(
                row(
                    f"batch of {args.batch}, `-j 2`: submissions a minute",
                    f">= 2x {old.label}",
                    f"{rates[old.label]:.1f}/min ({batches[old.label].seconds:.0f} s, "
                    f"load {batches[old.label].load:.1f})",
                    f"{rates[new.label]:.1f}/min ({batches[new.label].seconds:.0f} s, "
                    f"load {batches[new.label].load:.1f}): {ratio:.2f}x",
                    ratio >= 2,
                )
            )
            worst = {
                label: max((p for p, _ in done.workers), default=0.0)
                for label, done in batches.items()
            }
            counted = {label: len(done.workers) for label, done in batches.items()}
            lines.append(
                row(
                    "worst worker's peak, its own memory cgroup (workers; whole batch)",
                    "<= 1 GB",
                    f"{worst[old.label]:,.0f} MB ({counted[old.label]}; "
                    f"{batches[old.label].peak_mb:,.0f} MB)",
                    f"{worst[new.label]:,.0f} MB ({counted[new.label]}; "
                    f"{batches[new.label].peak_mb:,.0f} MB)",
                    0 < worst[new.label] <= 1024 if counted[new.label] else None,
                )
            )
            if ratio < 2:
                misses.append(
                    [
                        "### batch less than 2x the submissions a minute",
                        "",
                        "A warm worker's grading is one `grader grade` less its "
                        "start and imports: see the phases above.",
                    ]
                )
            if counted[new.label] and worst[new.label] > 1024:
                heaviest = max(batches[new.label].workers, key=lambda w: w[0])
                misses.append(
                    [
                        "### a batch worker above 1 GB",
                        "",
                        "```",
                        *snapshot_lines(
                            "the heaviest worker near its peak", heaviest[1]
                        ),
                        "```",
                    ]
                )
        one = {label: statistics.median(found) for label, found in checks.items()}
        lines.append(
            row(
                f"`grader check --function identity_block`, median of {args.runs}",
                "<= 5 s",
                f"{one[old.label]:.1f} s",
                f"{one[new.label]:.1f} s",
                one[new.label] <= 5,
            )
        )
        if one[new.label] > 5:
            command = new.grader("check", str(SOLUTION), "--function", "identity_block")
            misses.append(
                [
                    "### `grader check` of one function above 5 s",
                    "",
                    *check_miss(old, new, labels),
                    "",
                    "cProfile of the grader process (its main thread; cumulative):",
                    "",
                    "```",
                    *profile_grader(new, command, tmp),
                    "```",
                ]
            )
        if course is not None:
            lines.append(
                row(
                    "course folder's gradebook, all columns but `seconds`",
                    "as bench/gradebook-before.csv",
                    "not graded",
                    "the same" if not course else f"{len(course)} differences",
                    not course,
                )
            )
            if course:
                misses.append(["### the gradebook changed", "", *course])
        if half is not None:
            lines.append(
                row(
                    "`grader grade` on half a core (taskset + 50% CFS)",
                    "(no goal)",
                    "",
                    f"{half.walls[0]:.0f} s",
                    None,
                )
            )
        if hang is not None:
            lines.append(
                row(
                    "endless loop in identity_block, whole grading",
                    "(no goal)",
                    "",
                    f"{hang:.0f} s",
                    None,
                )
            )
        if notebook is not None:
            lines.append(
                row(
                    "the notebook top to bottom (2 epochs)",
                    "(no goal)",
                    "",
                    f"{notebook[0]:.0f} s, peak {notebook[1]:,.0f} MB",
                    None,
                )
            )
        lines += [
            "",
            "Where the median gradings' time went (`grader grade --timings`):",
            "",
            *phase_table(a.phases[a.middle()], b.phases[b.middle()], labels),
        ]
        if batches:
            lines += ["", "The batch's workers, each in a memory cgroup of its own:"]
            lines.append("")
            for label, done in batches.items():
                peaks = ", ".join(f"{peak:,.0f}" for peak, _ in done.workers)
                others = "; ".join(
                    f"{peak:,.0f} MB ({_names(snap)})" for peak, snap in done.others
                )
                lines.append(
                    f"- {label}: {peaks} MB"
                    + (f"; other children of the batch: {others}" if others else "")
                )
        for miss in misses:
            lines += ["", *miss]
        print()
        print("\n".join(lines))


if __name__ == "__main__":
    main()
