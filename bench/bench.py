"""How fast the grader grades, against running the whole notebook.

Run from the repository root, after the README's set-up command:

    .venv/bin/python bench/bench.py

It measures, in one run on this machine, and prints as a Markdown table:

- ``grader grade`` of the solution notebook, ``--runs`` times: median, min
  and max wall time, the peak resident memory of its whole process tree (the
  grader, the sandbox launcher and the kernel, sampled every 0.1 s), and where
  the time of the median run went (``grader grade --timings``);
- the solution notebook executed top to bottom with nbclient, as nbgrader
  and otter-grader grade, with its ``parameters`` cell as shipped (2 epochs,
  batch 32) on a synthetic SIGNS set of the original's size (1,080 training
  and 120 test images), once;
- the ratio of the two;
- a batch of ``--batch`` submissions graded with ``-j 1`` and ``-j 2``.

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
GRADER = [sys.executable, "-m", "grader"]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


class PeakMemory:
    """Sample the resident memory of a process tree until stopped."""

    def __init__(self, pid: int) -> None:
        from grader.sandbox import tree_usage

        self._usage = tree_usage
        self._pid = pid
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, self._usage(self._pid).rss_mb)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def run(command: list[str], **kwargs) -> tuple[float, float, str, str]:
    """Run a command: wall seconds, peak MB of its tree, stdout, stderr."""
    started = time.monotonic()
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    process = subprocess.Popen(command, text=True, env=ENV, **pipes, **kwargs)
    memory = PeakMemory(process.pid)
    stdout, stderr = process.communicate()
    seconds = time.monotonic() - started
    peak = memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr[-2000:]}")
    return seconds, peak, stdout, stderr


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


def bench_grader(runs: int) -> dict:
    results = []
    for index in range(runs):
        seconds, peak, stdout, stderr = run(
            [*GRADER, "grade", str(SOLUTION), "--timings"]
        )
        if "Total: 100/100" not in stdout:
            raise SystemExit(f"the solution did not earn 100:\n{stdout}")
        results.append((seconds, peak, timings(stderr)))
        print(f"  grader run {index + 1}: {seconds:.1f} s, {peak:.0f} MB", flush=True)
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
    seconds, peak, _, _ = run(
        [sys.executable, "-c", script, str(notebook), str(folder)]
    )
    return seconds, peak


def bench_batch(folder: Path, size: int, jobs: int) -> float:
    subs = folder / "submissions"
    if not subs.exists():
        nb = nbformat.read(SOLUTION, as_version=4)
        for index in range(size):
            # A cell of its own makes each file, and so its stored result, distinct.
            copy = nbformat.from_dict(nb)
            copy.cells.append(nbformat.v4.new_markdown_cell(f"submission {index}"))
            target = subs / f"u{index:03d}" / "Residual_Networks.ipynb"
            target.parent.mkdir(parents=True)
            nbformat.write(copy, target)
    out = folder / f"out-j{jobs}"
    seconds, _, stdout, _ = run(
        [*GRADER, "grade", str(subs), "-j", str(jobs), "--out", str(out)]
    )
    if stdout.count("100/100") != size:
        raise SystemExit(f"a batch submission did not earn 100:\n{stdout}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="gradings of the solution")
    parser.add_argument("--batch", type=int, default=20, help="submissions in a batch")
    parser.add_argument("--skip-notebook", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()

    about = machine()
    print("Measuring on: " + "; ".join(about), flush=True)
    grader = bench_grader(args.runs)
    notebook = None
    batches = {}
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        if not args.skip_notebook:
            print("  executing the whole notebook (2 epochs)...", flush=True)
            notebook = bench_notebook(Path(tmp) / "notebook")
        if not args.skip_batch:
            for jobs in (1, 2):
                print(f"  batch of {args.batch} with -j {jobs}...", flush=True)
                batches[jobs] = bench_batch(Path(tmp) / "batch", args.batch, jobs)

    print()
    print("Machine: " + "; ".join(about))
    print()
    print("| measure | figure |")
    print("|---|---:|")
    print(
        f"| `grader grade` solution, {args.runs} run{'s' * (args.runs != 1)}: "
        "median (min to max) | "
        f"{grader['median']:.1f} s ({grader['min']:.1f} to {grader['max']:.1f}) |"
    )
    print(
        f"| `grader grade`: peak memory of the process tree | {grader['peak']:.0f} MB |"
    )
    for name, seconds in grader["phases"]:
        print(f"| &nbsp;&nbsp;median run: {name} | {seconds:.1f} s |")
    if notebook is not None:
        seconds, peak = notebook
        label = "whole notebook with nbclient (2 epochs, 1,080 images)"
        print(f"| {label} | {seconds:.0f} s |")
        print(f"| whole notebook: peak memory of the process tree | {peak:.0f} MB |")
        ratio = seconds / grader["median"]
        print(f"| speed-up of `grader grade` (median) | {ratio:.1f}x |")
    for jobs, seconds in batches.items():
        rate = args.batch / seconds * 60
        print(
            f"| batch of {args.batch}, `-j {jobs}` | {seconds:.0f} s "
            f"({rate:.1f} submissions/min) |"
        )


if __name__ == "__main__":
    main()
