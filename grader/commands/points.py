"""``grader points``: the points table."""

from __future__ import annotations

import argparse

from grader.commands.options import (
    checks_table,
    edition_option,
    points_option,
    points_policy,
)
from grader.commands.table import Command


def _arguments(command: argparse.ArgumentParser) -> None:
    points_option(command)
    edition_option(command, "the table of this edition (default: 2020)")


def _points(args: argparse.Namespace) -> int:
    from grader.reports.render import render_points

    policy = points_policy(args.points, args.edition)
    print(render_points(policy.apply(checks_table(args.edition))))
    return 0


POINTS = Command(
    name="points",
    help="print the points table",
    description="Print every check with its function, points and whether "
    "students see it before grades are published, as a Markdown table: the "
    "grader's own, or the one a points file makes.",
    arguments=_arguments,
    run=_points,
)
