"""The bench's measures: gradings, checks and batches of each side.

Owns grading the solution (it must earn 100), ``grader check`` of one
function, a batch of copies of the solution, and what this side alone is
measured on: the course folder of ``bench/course.py`` against the gradebook
before, an endless loop, and the notebook run top to bottom. ``course`` is
imported from the bench's folder, first on ``sys.path`` when
``bench/bench.py`` runs. Imports the sides, the cgroups and the runs.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .cgroups import Snapshot
from .runs import Run, run, timings
from .sides import SOLUTION, Side


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
