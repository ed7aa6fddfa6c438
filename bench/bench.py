"""How fast and how lean the grader grades, against issue 15's goals.

Run from the repository root, after the README's set-up command:

    .venv/bin/python bench/bench.py

It measures, in one run on this machine, and prints as a Markdown table with
each goal, the figure before issue 15 and whether it is met:

- ``grader grade`` of the solution notebook, ``--runs`` times: median, min
  and max wall time, the peak resident memory of its whole process tree (the
  grader, the sandbox launcher and the kernel, sampled every 0.1 s), and where
  the time of the median run went (``grader grade --timings``);
- the same grading held to half a core (one CPU and a CFS quota of 50%, as
  Gradescope's default container), where a cpu cgroup can be made (root);
- an endless loop in ``identity_block``: the whole grading's time;
- ``grader check`` on the solution, one function and all three;
- the solution notebook executed top to bottom with nbclient, as nbgrader
  and otter-grader grade, with its ``parameters`` cell as shipped (2 epochs,
  batch 32) on a synthetic SIGNS set of the original's size (1,080 training
  and 120 test images), once, and the ratio of the two;
- a batch of ``--batch`` submissions graded with ``-j 2``: submissions a
  minute and the peak memory of each worker's process tree;
- the course folder of ``bench/course.py`` graded with ``-j 2``, its
  gradebook against ``bench/gradebook-before.csv`` (all columns but
  ``seconds``);
- memory as a container counts it, where a memory cgroup can be made
  (root): ``grader gradescope run`` on the solution in groups limited to
  ``--memory-limits`` MB, each run's peak (``memory.max_usage_in_bytes`` or
  ``memory.peak``), its score or that the OOM killer stopped it, and what
  ``results.json`` then said. A cgroup counts a shared page once; the summed
  resident sets above count TensorFlow's libraries once per process.

Nothing here is asserted by a test: figures depend on the machine and on
what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "Residual_Networks.ipynb"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # course.py
GRADER = [sys.executable, "-m", "grader"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


class PeakMemory:
    """Sample the resident memory of a process tree until stopped.

    ``peak_mb`` is the whole tree's peak; ``child_peaks_mb`` the peak of each
    child's own tree (a batch's workers), by child process id.
    """

    def __init__(self, pid: int) -> None:
        from grader.sandbox import tree_usage

        self._usage = tree_usage
        self._pid = pid
        self.peak_mb = 0.0
        self.child_peaks_mb: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, self._usage(self._pid).rss_mb)
            for child in _children(self._pid):
                seen = self.child_peaks_mb.get(child, 0.0)
                self.child_peaks_mb[child] = max(seen, self._usage(child).rss_mb)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found = []
    for task in tasks:
        try:
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
        except OSError:
            continue
        found += [int(word) for word in text.split()]
    return found


class Run:
    """One command's wall time, peak memory, output and exit status."""

    def __init__(self, seconds, peak, child_peaks, stdout, stderr, code):
        self.seconds = seconds
        self.peak = peak
        self.child_peaks = child_peaks
        self.stdout = stdout
        self.stderr = stderr
        self.code = code


def run(command: list[str], *, prefix: list[str] = (), any_status=False) -> Run:
    """Run a command (after ``prefix``, such as taskset) and measure it."""
    started = time.monotonic()
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    process = subprocess.Popen([*prefix, *command], text=True, env=ENV, **pipes)
    memory = PeakMemory(process.pid)
    stdout, stderr = process.communicate()
    seconds = time.monotonic() - started
    peak = memory.stop()
    if process.returncode != 0 and not any_status:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    children = list(memory.child_peaks_mb.values())
    return Run(seconds, peak, children, stdout, stderr, process.returncode)


def timings(stderr: str) -> list[tuple[str, float]]:
    """The phases ``grader grade --timings`` printed."""
    found = re.findall(r"^timing: (.+?) +([0-9.]+) s$", stderr, re.MULTILINE)
    return [(name, float(seconds)) for name, seconds in found]


def machine() -> list[str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import tensorflow as tf

    return [
        f"{os.cpu_count()} cores, {model}",
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"{platform.system()} {platform.release()}",
    ]


def bench_grader(runs: int, prefix: list[str] = ()) -> dict:
    results = []
    for index in range(runs):
        done = run([*GRADER, "grade", str(SOLUTION), "--timings"], prefix=prefix)
        if "Total: 100/100" not in done.stdout:
            raise SystemExit(f"the solution did not earn 100:\n{done.stdout}")
        results.append((done.seconds, done.peak, timings(done.stderr)))
        print(f"  grading {index + 1}: {done.seconds:.1f} s, {done.peak:.0f} MB")
    walls = [r[0] for r in results]
    median = statistics.median(walls)
    middle = min(results, key=lambda r: abs(r[0] - median))
    return {
        "median": median,
        "min": min(walls),
        "max": max(walls),
        "peak": max(r[1] for r in results),
        "phases": middle[2],
    }


HALF_CORE = "/sys/fs/cgroup/cpu/grader-bench-half"


def half_core_prefix() -> list[str] | None:
    """A command prefix that runs on one CPU with a 50% CFS quota, or None.

    It needs a writable cgroup v1 cpu controller (root); cgroup v2's
    ``cpu.max`` would do as well, where delegated.
    """
    group = Path(HALF_CORE)
    try:
        group.mkdir(exist_ok=True)
        (group / "cpu.cfs_period_us").write_text("100000")
        (group / "cpu.cfs_quota_us").write_text("50000")
    except OSError:
        return None
    # The shell joins the group, then becomes the command on CPU 0.
    join = f'echo $$ > {group}/cgroup.procs && exec taskset -c 0 "$@"'
    return ["sh", "-c", join, "sh"]


def bench_hang(folder: Path) -> float:
    from course import write_course

    submissions = write_course(folder)
    done = run([*GRADER, "grade", str(submissions / "loops" / SOLUTION.name)])
    if "Total: 30/100" not in done.stdout:
        raise SystemExit(f"the endless loop did not score 30:\n{done.stdout}")
    return done.seconds


def bench_check() -> dict[str, float]:
    found = {}
    for label, extra in (("one", ["--function", "identity_block"]), ("all", [])):
        done = run([*GRADER, "check", str(SOLUTION), *extra])
        found[label] = done.seconds
        print(f"  grader check ({label}): {done.seconds:.1f} s")
    return found


def bench_notebook(folder: Path) -> tuple[float, float]:
    from grader.fixtures.make_signs import write_signs

    shutil.copytree(SOLUTION.parent / "images", folder / "images")
    write_signs(folder / "datasets", n_train=1080, n_test=120)
    notebook = folder / "Residual_Networks.ipynb"
    shutil.copy(SOLUTION, notebook)
    script = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=None, kernel_name='python3',\n"
        "    resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
    )
    done = run([sys.executable, "-c", script, str(notebook), str(folder)])
    return done.seconds, done.peak


def bench_memory(folder: Path, limits: list[int]) -> list[tuple[int, str, float]]:
    """Grade the solution as Gradescope does in memory cgroups of ``limits`` MB.

    Each row: the limit, the outcome (the score, or "killed" with what
    results.json said) and the group's peak in MB. Empty where no memory
    cgroup can be made.
    """
    import json

    from grader import cgroup
    from grader.gradescope import RUN_AUTOGRADER

    rows = []
    for limit in limits:
        group = cgroup.make_child(f"grader-bench-{os.getpid()}-{limit}", limit)
        if group is None:
            return []
        root = folder / f"m{limit}"
        (root / "submission").mkdir(parents=True)
        (root / "results").mkdir()
        shutil.copy(SOLUTION, root / "submission" / SOLUTION.name)

        runner = root / "run_autograder"
        runner.write_text(RUN_AUTOGRADER)
        runner.chmod(0o755)
        env = {
            **ENV,
            "AUTOGRADER_ROOT": str(root),
            "GRADER_PYTHON": sys.executable,
            "GRADER_MEMORY_MB": "unlimited",
        }
        join = f'echo $$ > {group.folder}/cgroup.procs && exec "$0"'
        subprocess.run(["sh", "-c", join, str(runner)], env=env, capture_output=True)
        peak = (group.peak_bytes() or 0) / 2**20
        killed = group.oom_kills() > 0
        cgroup.remove(group)
        try:
            results = json.loads((root / "results" / "results.json").read_text())
        except (OSError, ValueError):
            results = {"score": None, "output": "no results.json"}
        outcome = (
            f"killed ({results['output'][:40]}...)"
            if killed
            else f"{results['score']}/100"
        )
        print(f"  {limit} MB: {outcome}, peak {peak:.0f} MB", flush=True)
        rows.append((limit, outcome, peak))
    return rows


def bench_batch(folder: Path, size: int, jobs: int) -> tuple[float, float]:
    """A batch of ``size`` copies of the solution: seconds, worst worker's MB."""
    subs = folder / "submissions"
    nb = nbformat.read(SOLUTION, as_version=4)
    for index in range(size):
        # A cell of its own makes each file, and so its stored result, distinct.
        copy = nbformat.from_dict(nb)
        copy.cells.append(nbformat.v4.new_markdown_cell(f"submission {index}"))
        target = subs / f"u{index:03d}" / "Residual_Networks.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(copy, target)
    out = folder / f"out-j{jobs}"
    done = run([*GRADER, "grade", str(subs), "-j", str(jobs), "--out", str(out)])
    if done.stdout.count("100/100") != size:
        raise SystemExit(f"a batch submission did not earn 100:\n{done.stdout}")
    return done.seconds, max(done.child_peaks, default=0.0)


def bench_course(folder: Path) -> list[str]:
    """Grade bench/course.py's folder; the differences from the gradebook before."""
    from course import BEFORE, BEFORE_SUBMISSIONS, grade_course, gradebook

    out = grade_course(folder)
    before = gradebook(BEFORE, BEFORE_SUBMISSIONS)
    now = gradebook(out / "gradebook.csv", folder / "submissions")
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


#: Issue 15's figures, measured before it on a faster machine (AVX-512).
BEFORE = {
    "grading": "20.5 s (bench: 22.8)",
    "peak": "1,490 MB",
    "half": "not measured",
    "batch": "5.9/min",
    "worker": "not measured",
    "ratio": "4.8x (110 s)",
    "hang": "163 s",
    "check-one": "not measured",
    "check-all": "10.7 s",
}


def _row(measure: str, goal: str, before: str, now: str, met: bool | None) -> str:
    verdict = "n/a" if met is None else ("met" if met else "**missed**")
    return f"| {measure} | {goal} | {before} | {now} | {verdict} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="gradings of the solution")
    parser.add_argument("--batch", type=int, default=20, help="submissions in a batch")
    parser.add_argument("--skip-notebook", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--skip-course", action="store_true")
    parser.add_argument(
        "--memory-limits",
        default="640,768,832,1024,4096",
        help="memory cgroup limits in MB to grade in (comma-separated; '' skips)",
    )
    args = parser.parse_args()

    about = machine()
    print("Measuring on: " + "; ".join(about), flush=True)
    grader = bench_grader(args.runs)
    prefix = half_core_prefix()
    half = None
    if prefix is not None:
        print("  grading on half a core...", flush=True)
        half = bench_grader(1, prefix)
    notebook = None
    batch = None
    course = None
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        print("  an endless loop in identity_block...", flush=True)
        hang = bench_hang(Path(tmp) / "hang")
        checks = bench_check()
        if not args.skip_notebook:
            print("  executing the whole notebook (2 epochs)...", flush=True)
            notebook = bench_notebook(Path(tmp) / "notebook")
        if not args.skip_batch:
            print(f"  batch of {args.batch} with -j 2...", flush=True)
            batch = bench_batch(Path(tmp) / "batch", args.batch, 2)
        if not args.skip_course:
            print("  the course folder with -j 2...", flush=True)
            course = bench_course(Path(tmp) / "course")
        limits = [int(x) for x in args.memory_limits.split(",") if x.strip()]
        print("  grading in memory cgroups...", flush=True)
        memory = bench_memory(Path(tmp) / "memory", limits)

    print()
    print("Machine: " + "; ".join(about))
    print()
    print("| measure | goal | before issue 15 | now | |")
    print("|---|---|---:|---:|---|")
    median = grader["median"]
    print(
        _row(
            f"`grader grade` solution, median of {args.runs} (min to max)",
            "<= 12 s",
            BEFORE["grading"],
            f"{median:.1f} s ({grader['min']:.1f} to {grader['max']:.1f})",
            median <= 12,
        )
    )
    peak = grader["peak"]
    print(
        _row(
            "peak memory of its process tree",
            "<= 768 MB",
            BEFORE["peak"],
            f"{peak:,.0f} MB",
            peak <= 768,
        )
    )
    if half is not None:
        print(
            _row(
                "`grader grade` on half a core (taskset + 50% CFS quota)",
                "< 600 s with room",
                BEFORE["half"],
                f"{half['median']:.0f} s",
                half["median"] <= 300,
            )
        )
    else:
        print(
            _row(
                "grading on half a core",
                "< 600 s",
                BEFORE["half"],
                "no cpu cgroup",
                None,
            )
        )
    if batch is not None:
        seconds, worker = batch
        rate = args.batch / seconds * 60
        print(
            _row(
                f"batch of {args.batch}, `-j 2`",
                ">= 10 a minute",
                BEFORE["batch"],
                f"{rate:.1f}/min ({seconds:.0f} s)",
                rate >= 10,
            )
        )
        print(
            _row(
                "peak memory of one worker's tree",
                "<= 1,536 MB",
                BEFORE["worker"],
                f"{worker:,.0f} MB",
                worker <= 1536,
            )
        )
    if notebook is not None:
        seconds, notebook_peak = notebook
        ratio = seconds / median
        print(
            _row(
                "speed-up against the notebook top to bottom",
                ">= 20x",
                BEFORE["ratio"],
                f"{ratio:.1f}x ({seconds:.0f} s, {notebook_peak:,.0f} MB)",
                ratio >= 20,
            )
        )
    if course is not None:
        shown = "the same" if not course else "; ".join(course[:4])
        print(
            _row(
                "course folder's gradebook (all but `seconds`)",
                "as before",
                "bench/gradebook-before.csv",
                shown,
                not course,
            )
        )
    print(
        _row(
            "endless loop in identity_block",
            "<= 75 s",
            BEFORE["hang"],
            f"{hang:.0f} s",
            hang <= 75,
        )
    )
    print(
        _row(
            "`grader check`, one function",
            "<= 5 s",
            BEFORE["check-one"],
            f"{checks['one']:.1f} s",
            checks["one"] <= 5,
        )
    )
    print(
        _row(
            "`grader check`, all three",
            "<= 10 s",
            BEFORE["check-all"],
            f"{checks['all']:.1f} s",
            checks["all"] <= 10,
        )
    )
    if memory:
        print()
        print("`grader gradescope run` on the solution in a memory cgroup:")
        print()
        print("| limit | outcome | peak as the cgroup counts it |")
        print("|---:|---|---:|")
        for limit, outcome, peak in memory:
            print(f"| {limit} MB | {outcome} | {peak:,.0f} MB |")
    elif limits:
        print()
        print("Memory in a cgroup: not measured (no memory cgroup can be made here).")
    print()
    print("Where the median grading's time went (`grader grade --timings`):")
    print()
    print("| phase | seconds |")
    print("|---|---:|")
    for name, seconds in grader["phases"]:
        print(f"| {name} | {seconds:.1f} |")
    if half is not None:
        print()
        print("On half a core:")
        print()
        print("| phase | seconds |")
        print("|---|---:|")
        for name, seconds in half["phases"]:
            print(f"| {name} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
