"""``grader gradescope``: the autograder bundle, and what it runs."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from grader import errors
from grader.commands.options import (
    edition_option,
    points_option,
    points_policy,
    quiet_stderr,
)
from grader.commands.table import Command


def _arguments(command: argparse.ArgumentParser) -> None:
    actions = command.add_subparsers(dest="action", metavar="ACTION")
    build = actions.add_parser(
        "build",
        help="write the autograder zip",
        description="Write the zip to upload as a Gradescope programming "
        "assignment's autograder. Gradescope runs its setup.sh once (installs the "
        "grader in a virtual environment) and its run_autograder per submission "
        "(grades the notebook into /autograder/results/results.json; hidden "
        "checks are visible after grades are published).",
    )
    build.add_argument("zip", type=Path, metavar="OUT.zip", help="the zip to write")
    points_option(build)
    edition_option(
        build,
        "grade this edition only; a notebook of another scores 0 and says so "
        "(default: each notebook as the edition it is)",
    )
    run = actions.add_parser(
        "run",
        help="grade a submission laid out as Gradescope lays it out",
        description="Grade the notebook under ROOT/submission and write "
        "ROOT/results/results.json; what run_autograder runs.",
    )
    explain = actions.add_parser(
        "explain",
        help="write results.json for a grading that died without writing it",
        description="What run_autograder runs when `gradescope run` ended "
        "without results (killed by the container's OOM killer, say): write "
        "ROOT/results/results.json with a score of 0 and why, naming the "
        "memory to give the container where memory ran out.",
    )
    explain.add_argument(
        "--status", type=int, required=True, help="what the grading exited with"
    )
    explain.add_argument(
        "--kills-before",
        type=int,
        default=0,
        metavar="N",
        help="the OOM killer's count in this cgroup before the grading started",
    )
    for action in (run, explain):
        action.add_argument(
            "--root",
            type=Path,
            default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")),
            help="the autograder folder (default: $AUTOGRADER_ROOT or /autograder)",
        )
    points_option(run)
    edition_option(run, "grade this edition only (what the bundle was built with)")


def _gradescope(args: argparse.Namespace) -> int:
    from grader.distribution import gradescope

    if args.action == "build":
        points_policy(args.points, args.edition)  # refused now, not by Gradescope
        entries = gradescope.build_bundle(
            args.zip, points=args.points, edition=args.edition
        )
        print(f"wrote {args.zip}: {len(entries)} files")
        print("upload it as the autograder of a Gradescope programming assignment")
        return 0
    if args.action == "run":
        policy = points_policy(args.points, args.edition)
        with quiet_stderr():
            results, text = gradescope.grade_gradescope_submission(
                args.root, points=policy, edition=args.edition
            )
        print(text)
        print(f"wrote {args.root / 'results' / 'results.json'}")
        return 0
    if args.action == "explain":
        results, status = gradescope.explain_missing_results(
            args.root, args.status, kills_before=args.kills_before
        )
        print(results["output"])
        print(f"wrote {args.root / 'results' / 'results.json'}")
        return status
    raise errors.GraderError("gradescope: say build, run or explain (see --help)")


GRADESCOPE = Command(
    name="gradescope",
    help="build Gradescope's autograder zip, or run it on a submission",
    description="Gradescope's autograder: `build` writes the zip to upload "
    "(setup.sh, run_autograder and the grader's source); `run` is what "
    "run_autograder calls for each submission.",
    arguments=_arguments,
    run=_gradescope,
)
