"""``grader check``: the checks students see, for students."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.commands.options import grading_options, run_grade
from grader.commands.table import Command


def _arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("notebook", type=Path, help="the .ipynb file to check")
    grading_options(command)


def _check(args: argparse.Namespace) -> int:
    from grader.reports.render import render_text

    report = run_grade(args, visible_only=True)
    print(render_text(report))
    return 0 if all(check.passed for check in report.checks) else 1


CHECK = Command(
    name="check",
    help="run the checks students see (for students)",
    description="Run only the checks that students see, on the calls the "
    "notebook itself shows: the same messages as `grader grade`, without the "
    "hidden inputs and the training run. Exits 0 when every check passes, 1 "
    "when some fail, 2 when the notebook cannot be checked.",
    arguments=_arguments,
    run=_check,
)
