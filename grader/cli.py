"""The ``grader`` command: a thin layer over the package's functions."""

from __future__ import annotations

import argparse
import glob
import os
import signal
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from grader import errors
from grader.probes import FUNCTIONS
from grader.report import GradeReport, SubmissionResult
from grader.sandbox import Limits

if TYPE_CHECKING:  # imported where used: TensorFlow, and the batch
    from grader.batch.roster import Roster
    from grader.checks import Check
    from grader.points import Policy

DEFAULTS = Limits()

DESCRIPTION = """\
Auto-grader for the ResNet-50 "Residual Networks" assignment.

  grader grade NOTEBOOK          run the graded functions in a kernel and check them
  grader grade FOLDER -j 2       grade a batch: gradebook, feedback, Gradescope, JUnit
  grader report OUT              write a batch's class report again, OUT/report.html
  grader check NOTEBOOK          the checks students see, only (fast; for students)
  grader points                  the points table: every check, its points, who sees it
  grader gradescope build Z.zip  Gradescope's autograder bundle
  grader assign SOLUTION OUTDIR  make the student notebook from the solution
  grader release OUT             the hand-out for students: folder OUT and OUT.zip
  grader signs OUTDIR            write a synthetic SIGNS-format data set
"""


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


SIMILAR_DESCRIPTION = """\
Compare every pair of the class's notebooks, and each with folders of known
work (--against: last year's class, public solutions), without running any:
the notebooks are read as submitted, outputs included. Writes
OUT/similarity.html (pairs ranked by strength of evidence, each with its kinds
of evidence and their weights, and the strongest side by side with what they
share marked) and OUT/similarity.csv (one row per pair: both ids, the score,
whether the default threshold flags it, the evidence kinds and weights).

Evidence, strongest first: printed numbers that differ on every run of the
training cell (losses, accuracies); cells or outputs the same byte for byte,
and execution counts in the same unusual order; code few others in the class
wrote, compared with names, spacing and comments set aside; lines as typed
(comments, names, spacing); the same failed check with the same message,
which few others have (with --results, from a batch's stored results). The
hand-out's own code (the stub notebook, --handout) and whatever more than a
few notebooks share count for nobody. A score says what two notebooks share,
for a person to judge; it is no verdict.

Ids are the batch's (see grader grade --help); known work's are prefixed
known:. --against takes every path after it: name the submissions first.
The default threshold flags a pair at a score of 0.7 (see the guide's
docs/similarity.md, The benchmark).
"""

REPORT_DESCRIPTION = """\
Write OUT/report.html and OUT/feedback/STUDENT.html again from the results a
batch stored in OUT/results/, without grading anything: every stored result
counts, including those of students whose notebooks a later batch no longer
had. Every batch writes them too; for the same results this writes the same
bytes.

report.html is one file that opens from disk (no network): the numbers of
submissions graded, invalid and failed, the mean and median score, the
grading time, a histogram of scores, each check's pass rate, the most common
mistakes (failed checks' messages grouped once stage and block letters and
numbers are set aside) and a table of students linked to their pages.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    grade = commands.add_parser(
        "grade",
        help="grade one notebook, or a batch",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=GRADE_DESCRIPTION,
    )
    grade.add_argument(
        "notebooks",
        nargs="+",
        metavar="PATH",
        help="a notebook, a folder of them (searched recursively), or a quoted "
        "glob pattern; several may be given",
    )
    grade.add_argument(
        "--json",
        type=Path,
        metavar="PATH",
        help="one notebook: also write Gradescope's results.json format to PATH",
    )
    grade.add_argument(
        "--timings",
        action="store_true",
        help="one notebook: also print where the time went, phase by phase, to "
        "standard error",
    )
    grade.add_argument(
        "--no-cache",
        action="store_true",
        help="keep nothing and reuse nothing: the reference's training run is "
        "computed again (see grader cache --help)",
    )
    _points_option(grade)
    batch = grade.add_argument_group(
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
    canvas = grade.add_argument_group(
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
    _common_options(grade)

    check = commands.add_parser(
        "check",
        help="run the checks students see (for students)",
        description="Run only the checks that students see, on the calls the "
        "notebook itself shows: the same messages as `grader grade`, without the "
        "hidden inputs and the training run. Exits 0 when every check passes, 1 "
        "when some fail, 2 when the notebook cannot be checked.",
    )
    check.add_argument("notebook", type=Path, help="the .ipynb file to check")
    _common_options(check)

    report = commands.add_parser(
        "report",
        help="write a batch's class report again from its stored results",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=REPORT_DESCRIPTION,
    )
    report.add_argument(
        "out",
        type=Path,
        metavar="OUT",
        help="a batch's folder: what `grader grade --out` named",
    )

    similar = commands.add_parser(
        "similar",
        help="rank pairs of submissions by the evidence they share",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=SIMILAR_DESCRIPTION,
    )
    similar.add_argument(
        "notebooks",
        nargs="+",
        metavar="SUBMISSIONS",
        help="notebooks, folders of them or quoted glob patterns, as for a batch",
    )
    similar.add_argument(
        "--against",
        nargs="+",
        default=[],
        metavar="KNOWN",
        help="folders (or notebooks) of known work, compared with each submission",
    )
    similar.add_argument(
        "--out",
        type=Path,
        default=Path("similarity"),
        metavar="DIR",
        help="where to write similarity.html and similarity.csv (default: %(default)s)",
    )
    similar.add_argument(
        "--results",
        type=Path,
        metavar="OUT",
        help="a batch's folder (grader grade --out): its stored results add the "
        "evidence of rare shared mistakes",
    )
    similar.add_argument(
        "--handout",
        nargs="+",
        type=Path,
        metavar="NOTEBOOK",
        help="the hand-out's stub notebook(s), whose content counts for nobody "
        "(default: the assignment's)",
    )

    points = commands.add_parser(
        "points",
        help="print the points table",
        description="Print every check with its function, points and whether "
        "students see it before grades are published, as a Markdown table: the "
        "grader's own, or the one a points file makes.",
    )
    _points_option(points)
    _edition_option(points, "the table of this edition (default: 2020)")

    assign = commands.add_parser(
        "assign",
        help="make the student notebook",
        description="Copy SOLUTION into OUTDIR with the code between START and END "
        "markers replaced by stubs, plus the helper modules the notebook imports.",
    )
    assign.add_argument("solution", type=Path, help="the solution notebook")
    assign.add_argument("outdir", type=Path, help="folder to write into")

    _release_parser(commands)

    gradescope = commands.add_parser(
        "gradescope",
        help="build Gradescope's autograder zip, or run it on a submission",
        description="Gradescope's autograder: `build` writes the zip to upload "
        "(setup.sh, run_autograder and the grader's source); `run` is what "
        "run_autograder calls for each submission.",
    )
    actions = gradescope.add_subparsers(dest="action", metavar="ACTION")
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
    _points_option(build)
    _edition_option(
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
    _points_option(run)
    _edition_option(run, "grade this edition only (what the bundle was built with)")

    cache = commands.add_parser(
        "cache",
        help="the reference's results kept on this machine",
        description="The reference's short training run is computed once per "
        "machine and kept in a cache folder (GRADER_CACHE_DIR, else the user's "
        "cache folder; GRADER_CACHE_DIR=off keeps nothing); a ResNet50 that is "
        "the reference's but for its names takes that run. `warm` computes it "
        "now (Gradescope's setup.sh does, when the image is built); `clear` "
        "removes the folder.",
    )
    cache.add_argument("action", choices=("warm", "clear", "where"))

    signs = commands.add_parser(
        "signs",
        help="write a synthetic SIGNS data set",
        description="Write train_signs.h5 and test_signs.h5, drawn hands showing "
        "0 to 5 fingers, in the layout of the SIGNS data set.",
    )
    signs.add_argument("outdir", type=Path, help="folder to write into")
    signs.add_argument("--train", type=int, default=1080, help="training images")
    signs.add_argument("--test", type=int, default=120, help="test images")
    signs.add_argument("--seed", type=int, default=0, help="random seed")
    return parser


def _release_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    from grader.release import DEFAULT_SOLUTION, SIGNS_FILES, SIGNS_SIZES

    release = commands.add_parser(
        "release",
        help="write the hand-out for students (folder and zip)",
        description="Write the folder OUT and OUT.zip, what students get: the "
        "student notebook (stubs, as `grader assign` makes them), its helpers, "
        "the public checks with their code (copied from the grader now, so "
        "they need no grader installed), the SIGNS data, the sample picture, "
        "requirements.txt and a README. No solution is inside: not the "
        "solution notebook, not the grader's reference model, not the hidden "
        "checks or their arguments. OUT must not exist, or be empty.",
    )
    release.add_argument("out", type=Path, metavar="OUT", help="the folder to write")
    release.add_argument(
        "--solution",
        type=Path,
        metavar="NOTEBOOK",
        help="the solution notebook to make the student notebook from "
        f"(default: the edition's own; 2020's is {DEFAULT_SOLUTION})",
    )
    _edition_option(release, "the edition to hand out (default: 2020)")
    release.add_argument(
        "--signs",
        type=Path,
        metavar="DIR",
        help=f"a folder with the course's own {' and '.join(SIGNS_FILES)} "
        f"(default: a synthetic set of {SIGNS_SIZES['n_train']:,} training and "
        f"{SIGNS_SIZES['n_test']} test images, the original's size)",
    )


def _points_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--points",
        type=Path,
        metavar="FILE",
        help="a TOML file that sets points and visibility per check, e.g. "
        '[ResNet50] "layer names" = { points = 10, visible = true }; '
        "checks it does not name keep the grader's (see docs/points.md)",
    )


def _edition_option(command: argparse.ArgumentParser, help: str) -> None:
    from grader.editions import names

    command.add_argument(
        "--edition",
        choices=names(),
        metavar="NAME",
        help=f"{help}: {', '.join(names())}",
    )


def _common_options(command: argparse.ArgumentParser) -> None:
    _edition_option(
        command,
        "grade as this edition of the assignment (default: the one the graded "
        "functions' signatures show)",
    )
    command.add_argument(
        "--function",
        action="append",
        choices=FUNCTIONS,
        metavar="NAME",
        help="check only this graded function (repeatable; default: all of "
        + ", ".join(FUNCTIONS)
        + ")",
    )
    limits = command.add_argument_group(
        "sandbox and limits",
        textwrap.fill(
            "Student code runs in a sandbox: on Linux with user namespaces, no "
            "network, its own process IDs, and a file system that holds Python, "
            "the assignment's helpers and a scratch folder, but not the grader, "
            "its expected values or the reference solution. Elsewhere the limits "
            "below still hold, a grader running as root runs each kernel as an "
            "unprivileged user of its own (--kernel-user), and the report says which "
            "protections are off.",
            76,
        ),
    )
    limits.add_argument(
        "--cell-timeout",
        type=float,
        default=DEFAULTS.cell_seconds,
        metavar="S",
        help="seconds each graded cell may run (default: %(default)g)",
    )
    limits.add_argument(
        "--probe-timeout",
        type=float,
        default=DEFAULTS.probe_seconds,
        metavar="S",
        help="seconds the kernel may take to build one function's models "
        "(default: %(default)g)",
    )
    limits.add_argument(
        "--submission-timeout",
        type=float,
        default=DEFAULTS.submission_seconds,
        metavar="S",
        help="seconds for the whole submission; nothing runs after "
        "(default: %(default)g)",
    )
    limits.add_argument(
        "--memory",
        type=int,
        default=DEFAULTS.memory_mb,
        metavar="MB",
        help="memory for the kernel's whole process tree (default: %(default)s)",
    )
    limits.add_argument(
        "--cpu",
        type=int,
        default=DEFAULTS.cpu_seconds,
        metavar="S",
        help="CPU seconds for the kernel's process tree (default: %(default)s)",
    )
    limits.add_argument(
        "--require-sandbox",
        action="store_true",
        help="refuse to grade (exit 2) where the sandbox cannot be built, "
        "instead of grading with limits only",
    )
    limits.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the kernel without namespaces (limits still hold); "
        "for systems where they misbehave",
    )
    limits.add_argument(
        "--kernel-user",
        metavar="NAME",
        help="where the grader runs as root without namespaces (containers), "
        "the account the kernel runs as, shared by gradings running at once "
        "(default: a user id of its own for each kernel, 61184-65519)",
    )


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 while grading.

    TensorFlow's C++ start-up messages bypass Python's logging and every
    setting that would hide them; the report goes to standard output.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _limits(args: argparse.Namespace) -> Limits:
    """The options' limits; ``Limits`` refuses those no grading could run under."""
    return Limits(
        cell_seconds=args.cell_timeout,
        probe_seconds=args.probe_timeout,
        submission_seconds=args.submission_timeout,
        memory_mb=args.memory,
        cpu_seconds=args.cpu,
    )


def _run_grade(args: argparse.Namespace, *, visible_only: bool) -> GradeReport:
    from grader.grading import grade
    from grader.sandbox import choose

    limits = _limits(args)
    sandbox = choose(
        require=args.require_sandbox,
        disable=args.no_sandbox,
        limits=limits,
        kernel_user=args.kernel_user,
    )
    with _quiet_stderr():
        return grade(
            args.notebook,
            functions=args.function,
            visible_only=visible_only,
            sandbox=sandbox,
            edition=getattr(args, "edition", None),
        )


def _policy(path: Path | None, edition: str | None = None) -> Policy:
    """The points policy of ``--points`` (the table's own without it).

    Its checks are those of ``edition``; without one, of any edition (the
    file may set the points of every edition a class folder holds).
    """
    from grader.editions import names
    from grader.points import PointsError, Policy, load_policy

    if path is None:
        return Policy()
    try:
        return load_policy(path, _checks_table(edition))
    except PointsError:
        if edition is not None:
            raise
        rows = {c.title: c for name in names() for c in _checks_table(name)}
        try:
            return load_policy(path, tuple(rows.values()))
        except PointsError:
            pass
        raise  # the 2020 table's message, as before editions


def _checks_table(edition: str | None = None) -> tuple[Check, ...]:
    """An edition's checks table (default: 2020's)."""
    # The checks' module loads Keras: TensorFlow's start-up messages hidden.
    with _quiet_stderr():
        from grader.checks import table
        from grader.editions import DEFAULT, get

        return table(get(edition or DEFAULT))


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
    from grader.render import render_gradescope, render_text

    if args.canvas_assignment is not None and args.canvas_roster is None:
        raise errors.GraderError("--canvas-assignment needs --canvas-roster")
    if args.no_cache:
        from grader.cache import CACHE_DIR_VARIABLE, OFF

        os.environ[CACHE_DIR_VARIABLE] = OFF  # a batch's workers inherit it
    if _is_batch(args):
        return _grade_batch(args)
    policy = _policy(args.points, args.edition)
    args.notebook = Path(args.notebooks[0])
    report = _run_grade(args, visible_only=False)
    if policy.settings:
        from grader.checks import table
        from grader.editions import get
        from grader.points import rescore

        report = rescore(report, policy.apply(table(get(report.edition))))
    print(render_text(report))
    if args.timings:
        from grader.render import render_timings

        print(render_timings(report), file=sys.stderr)
    if args.json is not None:
        try:
            args.json.write_text(render_gradescope(report), encoding="utf-8")
        except OSError as exc:
            raise errors.GraderError(f"{args.json}: cannot write ({exc})") from None
    return 0


def _grade_batch(args: argparse.Namespace) -> int:
    from grader.batch import (
        DEFAULT_OUT,
        Interrupted,
        Options,
        grade_many,
        output_paths,
    )
    from grader.render import render_summary

    if args.json is not None:
        raise errors.GraderError(
            "--json is for one notebook; a batch writes "
            "DIR/gradescope/STUDENT/results.json for every student"
        )
    if args.jobs < 1:
        raise errors.GraderError("--jobs must be at least 1")
    # Both are read before anything is graded, so that a mistake in either
    # costs seconds, not a batch.
    policy = _policy(args.points)
    roster = None
    if args.canvas_roster is not None:
        from grader.batch.roster import read_roster

        roster = read_roster(args.canvas_roster, assignment=args.canvas_assignment)
    options = Options(
        functions=tuple(args.function) if args.function else None,
        limits=_limits(args),
        require_sandbox=args.require_sandbox,
        no_sandbox=args.no_sandbox,
        kernel_user=args.kernel_user,
        edition=args.edition,
    )
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


def _report(args: argparse.Namespace) -> int:
    from grader.batch.outputs import write_report
    from grader.batch.store import Store

    store = Store(args.out)
    if not store.folder.is_dir():
        raise errors.GraderError(
            f"{args.out}: no results/ folder in it; name the folder a batch wrote "
            "(grader grade FOLDER --out OUT)"
        )
    results, unreadable = store.stored()
    for path in unreadable:
        print(f"grader: skipped {path}: not a stored result", file=sys.stderr)
    if not results:
        raise errors.GraderError(f"{store.folder}: no stored results in it")
    path = write_report(args.out, results)
    many = "" if len(results) == 1 else "s"
    print(f"wrote {path} ({len(results)} submission{many})")
    print(f"wrote {args.out / 'feedback'} ({len(results)} page{many})")
    return 0


def _similar(args: argparse.Namespace) -> int:
    from grader.batch.discover import find_submissions
    from grader.batch.store import Store
    from grader.similarity import HANDOUT, compare
    from grader.similarity.outputs import failed_checks, write_similarity

    submissions = find_submissions(args.notebooks)
    known = find_submissions(args.against) if args.against else []
    mistakes = None
    if args.results is not None:
        store = Store(args.results)
        if not store.folder.is_dir():
            raise errors.GraderError(
                f"{args.results}: no results/ folder in it; name the folder a batch "
                "wrote (grader grade FOLDER --out OUT)"
            )
        mistakes = failed_checks(store.stored()[0])
    comparison = compare(
        submissions,
        known,
        boilerplate=args.handout or (HANDOUT,),
        mistakes=mistakes,
    )
    for line in comparison.unread:
        print(f"grader: skipped {line}", file=sys.stderr)
    for path in write_similarity(args.out, comparison):
        print(f"wrote {path}")
    flagged = len(comparison.flagged)
    print(
        f"{comparison.class_size} submissions, {len(comparison.pairs)} pairs share "
        f"something uncommon, {flagged} at or above the threshold "
        f"({comparison.threshold:g})"
    )
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


def _check(args: argparse.Namespace) -> int:
    from grader.render import render_text

    report = _run_grade(args, visible_only=True)
    print(render_text(report))
    return 0 if all(check.passed for check in report.checks) else 1


def _points(args: argparse.Namespace) -> int:
    from grader.render import render_points

    policy = _policy(args.points, args.edition)
    print(render_points(policy.apply(_checks_table(args.edition))))
    return 0


def _assign(args: argparse.Namespace) -> int:
    from grader.assign import assign

    for path in assign(args.solution, args.outdir):
        print(f"wrote {path}")
    return 0


def _release(args: argparse.Namespace) -> int:
    from grader.release import release

    with _quiet_stderr():  # TensorFlow builds the reference models
        paths = release(
            args.out, solution=args.solution, signs=args.signs, edition=args.edition
        )
    for path in paths:
        print(f"wrote {path}")
    return 0


def _gradescope(args: argparse.Namespace) -> int:
    from grader import gradescope

    if args.action == "build":
        _policy(args.points, args.edition)  # refused now, not by Gradescope
        entries = gradescope.build_bundle(
            args.zip, points=args.points, edition=args.edition
        )
        print(f"wrote {args.zip}: {len(entries)} files")
        print("upload it as the autograder of a Gradescope programming assignment")
        return 0
    if args.action == "run":
        policy = _policy(args.points, args.edition)
        with _quiet_stderr():
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


def _cache(args: argparse.Namespace) -> int:
    from grader import cache

    where = cache.folder()
    if args.action == "where":
        print(where if where is not None else "off (GRADER_CACHE_DIR=off)")
    elif args.action == "clear":
        cache.clear()
        print(f"cleared {where}" if where is not None else "the cache is off")
    else:
        from grader.hidden import warm_cache

        with _quiet_stderr():
            runs = warm_cache()
        for edition, losses in runs.items():
            shown = " → ".join(f"{loss:.3f}" for loss in losses)
            print(f"{edition}: the reference's training run: loss {shown}")
        print(f"kept in {where}")
    return 0


def _signs(args: argparse.Namespace) -> int:
    from grader.fixtures.make_signs import write_signs

    for path in write_signs(
        args.outdir, n_train=args.train, n_test=args.test, seed=args.seed
    ):
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = _parser()
    args = parser.parse_args(argv)
    handlers = {
        "grade": _grade,
        "check": _check,
        "points": _points,
        "report": _report,
        "similar": _similar,
        "assign": _assign,
        "release": _release,
        "gradescope": _gradescope,
        "cache": _cache,
        "signs": _signs,
    }
    if args.command is None:
        parser.print_help()
        return 2
    # Stopped by `kill` or a CI runner, the grader stops as cleanly as by
    # Ctrl-C: kernels shut down, temporary folders removed, results kept.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return handlers[args.command](args)
    except errors.GraderError as exc:
        print(f"grader: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
