"""The bench's explanations: for a goal missed, where the time went.

Owns what is measured only after a miss: a cProfile of the grader process,
and one more ``grader check`` of each side with its report's phases printed
by a wrapper round the command line. The memory misses need nothing more:
their groups' snapshots are in the figures. Imports the sides, the runs and
the figures.
"""

from __future__ import annotations

import pstats
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .figures import Explanations, Figures
from .runs import run, timings
from .sides import SOLUTION, Side


def explain(figures: Figures, folder: Path) -> Explanations:
    """Measure where the time went for each time goal ``figures`` missed."""
    new = figures.new
    grade_profile = None
    if figures.speed < 2:
        grade_profile = profile_grader(new, new.grader("grade", str(SOLUTION)), folder)
    if figures.check[new.label] <= 5:
        return Explanations(grade_profile)
    phases = (check_phases(figures.old), check_phases(new))
    command = new.grader("check", str(SOLUTION), "--function", "identity_block")
    return Explanations(grade_profile, phases, profile_grader(new, command, folder))


#: ``grader check`` with its report's phases printed as ``--timings`` prints
#: them (``check`` has no such option): a wrapper round the grading function
#: ``check`` calls, in the bench alone. That function is ``run_grade`` as
#: ``grader.commands.check`` imported it, or ``cli._run_grade`` in code from
#: before the command line was a table of commands (9978bfd). The older side
#: is asked first: the editable install would import this code's
#: ``grader.commands`` into it, since the older package has no such module.
CHECK_TIMINGS = """\
import sys
from grader.commands import cli
from grader.reports.render import render_timings
if hasattr(cli, "_run_grade"):
    owner, name = cli, "_run_grade"
else:
    from grader.commands import check as owner
    name = "run_grade"
grade = getattr(owner, name)
def timed(args, *, visible_only):
    report = grade(args, visible_only=visible_only)
    print(render_timings(report), file=sys.stderr)
    return report
setattr(owner, name, timed)
sys.exit(cli.main(["check", sys.argv[1], "--function", "identity_block"]))
"""


def check_phases(side: Side) -> tuple[float, list[tuple[str, float]]]:
    """One ``grader check`` of one function: wall time and its report's phases.

    Where the wrapper printed no phases (the grader's functions moved), it
    says so as it happens, with the command's last line, and the phases are
    left empty rather than the bench ended after all it measured.
    """
    command = [sys.executable, "-c", CHECK_TIMINGS, str(SOLUTION)]
    done = run(side, command, label="check-timings", any_status=True)
    phases = timings(done.stderr)
    if not phases:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  {side.label}: grader check printed no phases: {last}", flush=True)
    return done.seconds, phases


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
    """``grader/judging/judge.py:212 model``: a path from the package's folder on."""
    parts = Path(file).parts
    if "grader" in parts:
        file = "/".join(parts[len(parts) - 1 - parts[::-1].index("grader") :])
    elif file != "~":
        file = Path(file).name
    return f"{file}:{line} {name}"


def _entry(entry: tuple[float, float, int, str]) -> str:
    cumulative, own, calls, where = entry
    return f"  {cumulative:7.2f} s cum {own:7.2f} s own {calls:6d}x  {where}"
