"""``grader grade``: one notebook, or a batch of them."""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from grader import errors
from grader.commands.options import (
    grading_options,
    options_of,
    points_option,
    points_policy,
    run_grade,
)
from grader.commands.table import Command

if TYPE_CHECKING:  # imported where used: the batch
    from grader.batch.roster import Roster
    from grader.reports.results import SubmissionResult

GRADE_DESCRIPTION = """\
Run the notebooks' graded functions in a fresh, sandboxed Jupyter kernel and
check them. Only the cells marked `# GRADED FUNCTION:` run; training and other
cells do not. Exits 0 whenever grading ran, whatever the scores.

One notebook: the report goes to standard output (--json adds results.json).

A batch (several paths, a folder, a pattern, --out or --canvas-roster) writes
into DIR:
  gradebook.csv                  a row per submission: total, each check, status
  feedback/STUDENT.md            what the terminal report says, per student
  feedback/STUDENT.html          the same as a page, with a picture of a wrong graph
  gradescope/STUDENT/results.json  Gradescope's format, per student
  junit.xml                      a test suite per submission, for CI systems
  results/STUDENT.json           the stored result, with the notebook's SHA-256
  report.html                    the class report: scores, checks, common mistakes
  canvas-import.csv              with --canvas-roster: scores for Canvas's import

Progress goes to standard error. A run again skips every submission whose
notebook, grader and options are unchanged (--force grades them again), and
Ctrl-C (or SIGTERM) stops at once, keeping what finished.

Student ids: a notebook's file name without .ipynb; for a notebook inside a
subfolder of a folder given (subs/s1042/Residual_Networks.ipynb), that
subfolder's name (s1042); where two would clash, the path below the folder.
A file named as Canvas's "Download Submissions" names it
(smithjohn_12345_67890_Residual_Networks.ipynb, or with _LATE_ after the
name) takes the Canvas user id (12345).

--points FILE sets points and visibility per check (a TOML file; `grader
points --points FILE` shows the table it makes). Stored results scored under
other points are re-scored, not graded again.
"""


def _arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "notebooks",
        nargs="+",
        metavar="PATH",
        help="a notebook, a folder of them (searched recursively), or a quoted "
        "glob pattern; several may be given",
    )
    command.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="one notebook: also write Gradescope's results.json format to PATH",
    )
    command.add_argument(
        "--timings",
        action="store_true",
        help="one notebook: also print where the time went, phase by phase, to "
        "standard error",
    )
    command.add_argument(
        "--no-cache",
        action="store_true",
        help="keep nothing and reuse nothing: the solution's run (the "
        "reference), every check and the reference's training run are computed "
        "again (see grader cache --help)",
    )
    points_option(command)
    _batch_arguments(command)
    _canvas_arguments(command)
    grading_options(command)


def _batch_arguments(command: argparse.ArgumentParser) -> None:
    batch = command.add_argument_group(
        "batches",
        textwrap.fill(
            "Several notebooks, a folder or a pattern make a batch. Each submission "
            "is graded in its own process; one that crashes, runs out of time or "
            "is not a notebook is recorded as such and the rest go on.",
            76,
        ),
    )
    batch.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="submissions graded at once (default: the number of cores, %(default)s)",
    )
    batch.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where results go (default: ./grader-results); giving it makes even "
        "one notebook a batch",
    )
    batch.add_argument(
        "--force",
        action="store_true",
        help="grade again submissions whose stored result is still valid",
    )
    batch.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="hand the gradings to the workers of this Dask cluster "
        "(tcp://HOST:PORT; needs pip install 'resnet-grader[dask]')",
    )


def _canvas_arguments(command: argparse.ArgumentParser) -> None:
    canvas = command.add_argument_group(
        "Canvas",
        textwrap.fill(
            "With the gradebook Canvas exports (Grades > Export), a batch also "
            "writes DIR/canvas-import.csv for Canvas's gradebook import: the "
            "roster's Student, ID, SIS User ID, SIS Login ID and Section, and "
            "the assignment's column with each student's score. Students with "
            "no submission get an empty score; they, and submissions from "
            "nobody in the roster, are named on standard error.",
            76,
        ),
    )
    canvas.add_argument(
        "--canvas-roster",
        type=Path,
        metavar="EXPORT.csv",
        help="the gradebook CSV exported from Canvas",
    )
    canvas.add_argument(
        "--canvas-assignment",
        metavar="NAME",
        help="the roster's column for this assignment, as its header reads "
        "('Residual Networks (1234)'), its name alone ('Residual Networks') or "
        "its id (1234); "
        "default: the one column whose name has 'residual', if exactly one does",
    )


def _is_batch(args: argparse.Namespace) -> bool:
    return (
        len(args.notebooks) > 1
        or args.out is not None
        or args.canvas_roster is not None
        or args.scheduler is not None
        or Path(args.notebooks[0]).is_dir()
        or (not Path(args.notebooks[0]).exists() and glob.has_magic(args.notebooks[0]))
    )


def _grade(args: argparse.Namespace) -> int:
    from grader.reports.render import render_gradescope, render_text

    if args.canvas_assignment is not None and args.canvas_roster is None:
        raise errors.GraderError("--canvas-assignment needs --canvas-roster")
    if args.no_cache:
        from grader.judging.cache import CACHE_DIR_VARIABLE, OFF

        os.environ[CACHE_DIR_VARIABLE] = OFF  # a batch's workers inherit it
    if _is_batch(args):
        return _grade_batch(args)
    if args.templates is not None:
        raise errors.GraderError(
            "--templates is for a batch's pages; one notebook's grading writes no HTML"
        )
    policy = points_policy(args.points, args.edition)
    args.notebook = Path(args.notebooks[0])
    try:
        report = run_grade(args, visible_only=False)
    except errors.CheckError:
        if args.json is not None:  # the student's results say to ask the staff
            from grader.reports.render import gradescope_not_graded

            results = gradescope_not_graded(errors.CONTACT_STAFF)
            _write_json(args.json, json.dumps(results, indent=2) + "\n")
        raise
    if policy.settings:
        from grader.editions import get
        from grader.judging.checks import table
        from grader.reports.points import rescore

        report = rescore(report, policy.apply(table(get(report.edition))))
    print(render_text(report))
    if args.timings:
        from grader.reports.render import render_timings

        print(render_timings(report), file=sys.stderr)
    if args.json is not None:
        _write_json(args.json, render_gradescope(report))
    return 0


def _write_json(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise errors.GraderError(f"{path}: cannot write ({exc})") from None


def _grade_batch(args: argparse.Namespace) -> int:
    from grader.batch import (
        DEFAULT_OUT,
        Interrupted,
        grade_many,
        output_paths,
    )
    from grader.reports.render import render_summary

    if args.json is not None:
        raise errors.GraderError(
            "--json is for one notebook; a batch writes "
            "DIR/gradescope/STUDENT/results.json for every student"
        )
    if args.jobs < 1:
        raise errors.GraderError("--jobs must be at least 1")
    # Both are read before anything is graded, so that a mistake in either
    # costs seconds, not a batch.
    policy = points_policy(args.points)
    roster = None
    if args.canvas_roster is not None:
        from grader.batch.roster import read_roster

        roster = read_roster(args.canvas_roster, assignment=args.canvas_assignment)
    options = options_of(args)
    out = args.out or DEFAULT_OUT
    stopped = None
    try:
        results = grade_many(
            args.notebooks,
            out=out,
            options=options,
            jobs=args.jobs,
            force=args.force,
            scheduler=args.scheduler,
            progress=sys.stderr,
            points=policy,
        )
    except Interrupted as stop:
        results, stopped = stop.results, stop
    print(render_summary(results))
    for path in output_paths(out):
        print(f"wrote {path}")
    if roster is not None:
        _canvas_import(out, results, roster, interrupted=stopped is not None)
    if stopped is not None:
        print(
            f"grader: interrupted: {len(results)} of {stopped.total} submissions "
            "finished and were kept; run the same command again to grade the rest",
            file=sys.stderr,
        )
        return 130
    return 0


def _canvas_import(
    out: Path, results: list[SubmissionResult], roster: Roster, *, interrupted: bool
) -> None:
    """Write ``canvas-import.csv`` and name, on standard error, who is missing."""
    from grader.batch.outputs import write_canvas_import

    if interrupted:
        print(
            "grader: canvas-import.csv not written: the batch was interrupted",
            file=sys.stderr,
        )
        return
    written = write_canvas_import(out, results, roster)
    print(f"wrote {written.path}")
    for line in written.notes:
        print(f"grader: {line}", file=sys.stderr)


GRADE = Command(
    name="grade",
    help="grade one notebook, or a batch",
    description=GRADE_DESCRIPTION,
    arguments=_arguments,
    run=_grade,
    raw_description=True,
    renders_html=True,
)
