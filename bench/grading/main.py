"""The bench's command: its options, one measure after another, the report.

Owns the order of the run: the two sides set up (the older commit checked
out, the cache warmed), each measure with a line of progress as it goes, the
explanations of the goals missed, then the report printed. A signal ends it
through its ``finally`` clauses, which remove the worktree, the groups and
the temporary folder. Imports every other module of the bench.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import FrameType

from . import __doc__ as about_the_bench
from .cgroups import Box, half_core_prefix
from .explain import explain
from .figures import Figures
from .measures import (
    Gradings,
    bench_batch,
    bench_checks,
    bench_course,
    bench_hang,
    bench_notebook,
    grade_once,
    write_batch,
)
from .memory import Boxed, bench_memory
from .report import report
from .runs import Run, machine, run
from .sides import (
    Side,
    checked_out,
    imported_files,
    new_side,
    old_side,
    short_commit,
)


def parser() -> argparse.ArgumentParser:
    """The bench's options."""
    found = argparse.ArgumentParser(
        description=(about_the_bench or "").split("\n\n")[0]
    )
    found.add_argument("--runs", type=int, default=5, help="gradings per side")
    found.add_argument("--batch", type=int, default=20, help="submissions in a batch")
    found.add_argument(
        "--against", default="9978bfd", metavar="COMMIT", help="the code to compare"
    )
    found.add_argument(
        "--cold-runs",
        type=int,
        default=1,
        help="gradings per side with an empty cache folder each",
    )
    found.add_argument("--skip-batch", action="store_true")
    found.add_argument("--skip-course", action="store_true")
    found.add_argument("--skip-half", action="store_true")
    found.add_argument("--skip-hang", action="store_true")
    found.add_argument("--skip-notebook", action="store_true")
    found.add_argument(
        "--memory-limits",
        default="640,768",
        help="memory cgroup limits in MB to run run_autograder in (comma-separated; "
        "'' skips)",
    )
    return found


def main(argv: Sequence[str] | None = None) -> None:
    """Measure both sides, then print the table and the profiles of misses."""
    args = parser().parse_args(argv)
    commit, head = short_commit(args.against), short_commit("HEAD")

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
        old, new, warm = start(source, commit, tmp)
        figures = measure(args, old, new, tmp, about=about, head=head, warm=warm)
        lines = report(figures, explain(figures, tmp))
        print()
        print("\n".join(lines))


def start(source: Path, commit: str, tmp: Path) -> tuple[Side, Side, Run]:
    """Both sides, what each imports, whether groups can be made, a warm cache."""
    neutral = tmp / "cwd"
    neutral.mkdir()
    old = old_side(source, commit, neutral, tmp)
    new = new_side(neutral, tmp / "cache")
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
    return old, new, warm


def measure(
    args: argparse.Namespace,
    old: Side,
    new: Side,
    tmp: Path,
    *,
    about: list[str],
    head: str,
    warm: Run,
) -> Figures:
    """Every measure of both sides, then this side's, in the bench's order."""
    limits = [int(x) for x in args.memory_limits.split(",") if x.strip()]
    print(
        f"gradings of the solution, empty cache, {args.cold_runs} per side, "
        "alternating:",
        flush=True,
    )
    # The first grading on a machine: this code also runs the solution, its
    # reference, in a kernel of its own beside the student's.
    cold = {old.label: Gradings(), new.label: Gradings()}
    for number in range(args.cold_runs):
        for side in (old, new):
            empty = tmp / f"cold-{number}-{'new' if side is new else 'old'}"
            cache = {"GRADER_CACHE_DIR": str(empty)}
            grade_once(replace(side, env={**side.env, **cache}), cold[side.label])

    print(f"gradings of the solution, {args.runs} per side, alternating:", flush=True)
    gradings = {old.label: Gradings(), new.label: Gradings()}
    for _ in range(args.runs):
        for side in (old, new):
            grade_once(side, gradings[side.label])

    print("grader check, one function:", flush=True)
    checks = bench_checks((old, new), args.runs)
    boxed, hidden = memory(old, new, limits, tmp)
    batches = batch(args, old, new, tmp)
    course, half, hang, notebook = this_side(args, new, tmp)
    return Figures(
        about=about,
        head=head,
        runs=args.runs,
        batch_size=args.batch,
        limits=limits,
        old=old,
        new=new,
        warm=warm,
        cold=cold,
        gradings=gradings,
        checks=checks,
        boxed=boxed,
        hidden=hidden,
        batches=batches,
        course=course,
        half=half,
        hang=hang,
        notebook=notebook,
    )


def memory(
    old: Side, new: Side, limits: list[int], tmp: Path
) -> tuple[dict[str, list[Boxed]], dict[int, Boxed]]:
    """Each side's ``run_autograder`` in each limit; the older one's, hidden."""
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
    return boxed, hidden


def batch(args: argparse.Namespace, old: Side, new: Side, tmp: Path) -> dict[str, Run]:
    """Each side's batch of copies of the solution, unless skipped."""
    batches: dict[str, Run] = {}
    if not args.skip_batch:
        print(f"a batch of {args.batch} with -j 2:", flush=True)
        subs = write_batch(tmp / "batch", args.batch)
        for side in (old, new):
            out = tmp / "batch" / f"out-{side.label.replace(' ', '-')}"
            batches[side.label] = bench_batch(side, subs, out, args.batch)
    return batches


def this_side(
    args: argparse.Namespace, new: Side, tmp: Path
) -> tuple[list[str] | None, Gradings | None, float | None, tuple[float, float] | None]:
    """This code alone: the course folder, half a core, a hang, the notebook."""
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
    return course, half, hang, notebook
