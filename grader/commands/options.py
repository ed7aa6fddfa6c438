"""Options and helpers that several subcommands share.

The points file, the edition, the graded functions and the sandbox's
limits are asked the same way by every command that grades; the helpers
below turn those options into the package's arguments (``Limits``, a
points ``Policy``, a chosen sandbox).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from grader.editions.probes import FUNCTIONS
from grader.errors import GraderError
from grader.reports.shipped import HEADER, PAGES
from grader.sandbox.choice import Limits

if TYPE_CHECKING:  # imported where used: TensorFlow
    from grader.batch.options import Options
    from grader.judging.checks import Check
    from grader.reports.points import Policy
    from grader.reports.results import GradeReport

DEFAULTS = Limits()

LIMITS_TEXT = textwrap.fill(
    "Student code runs in a sandbox: on Linux with user namespaces, no "
    "network, its own process IDs, and a file system that holds Python, "
    "the assignment's helpers and a scratch folder, but not the grader, "
    "its expected values or the reference solution. Elsewhere the limits "
    "below still hold, a grader running as root runs each kernel as an "
    "unprivileged user of its own (--kernel-user), and the report says which "
    "protections are off.",
    76,
)


def points_option(command: argparse.ArgumentParser) -> None:
    """``--points FILE``: the points and visibility of each check."""
    command.add_argument(
        "--points",
        type=Path,
        metavar="FILE",
        help="a TOML file that sets points and visibility per check, e.g. "
        '[ResNet50] "layer names" = { points = 10, visible = true }; '
        "checks it does not name keep the grader's (see docs/points.md)",
    )


def edition_option(command: argparse.ArgumentParser, help: str) -> None:
    """``--edition NAME``, one of the assignment's editions; ``--editions DIR``."""
    from grader.editions import names

    try:
        known = ", ".join(names())
    except GraderError:  # GRADER_EDITIONS is wrong: said in one line when run
        known = "the shipped ones"
    command.add_argument(
        "--edition",
        metavar="NAME",
        help=f"{help}: {known}, or one of --editions DIR",
    )
    editions_option(command)


def editions_option(command: argparse.ArgumentParser) -> None:
    """``--editions DIR``: an instructor's editions, beside the shipped ones."""
    command.add_argument(
        "--editions",
        type=Path,
        metavar="DIR",
        help="a folder of the instructor's own editions (DIR/NAME/edition.toml "
        "beside its solution notebook; see grader edition --help), known "
        "beside the shipped ones",
    )


def use_editions(args: argparse.Namespace) -> None:
    """Make ``--editions`` and ``--edition`` the command's: read, or refused.

    The folder goes to ``GRADER_EDITIONS``, which a batch's workers inherit;
    a folder or a name that is wrong is one line (``GraderError``).
    """
    from grader.editions import FOLDER_VARIABLE, get, names

    folder = getattr(args, "editions", None)
    if folder is not None:
        os.environ[FOLDER_VARIABLE] = str(Path(folder).resolve())
    names()
    if getattr(args, "edition", None) is not None:
        args.edition = get(args.edition).name


def html_options(command: argparse.ArgumentParser) -> None:
    """The options of the commands that write HTML pages (``renders_html``)."""
    # The batch's page templates, the heading (what a course replaces first)
    # ahead of the others.
    pages = [HEADER, *(name for name in PAGES if name != HEADER)]
    command.add_argument(
        "--templates",
        type=Path,
        metavar="DIR",
        help="a folder of Jinja2 templates that replace the shipped ones of the "
        f"same name ({', '.join(pages)}): a course's header, wording or "
        "language on its pages (see docs/grading-a-course.md)",
    )


def grading_options(command: argparse.ArgumentParser) -> None:
    """The options of every command that grades: edition, functions, limits."""
    edition_option(
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
    _limits_options(command.add_argument_group("sandbox and limits", LIMITS_TEXT))


def _limits_options(limits: argparse._ArgumentGroup) -> None:
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
def quiet_stderr() -> Iterator[None]:
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


def chosen_limits(args: argparse.Namespace) -> Limits:
    """The options' limits; ``Limits`` refuses those no grading could run under."""
    return Limits(
        cell_seconds=args.cell_timeout,
        probe_seconds=args.probe_timeout,
        submission_seconds=args.submission_timeout,
        memory_mb=args.memory,
        cpu_seconds=args.cpu,
    )


def run_grade(args: argparse.Namespace, *, visible_only: bool) -> GradeReport:
    """Grade ``args.notebook`` under the options' sandbox and limits."""
    from grader.grading import grade
    from grader.sandbox.choice import choose

    chosen = chosen_limits(args)
    sandbox = choose(
        require=args.require_sandbox,
        disable=args.no_sandbox,
        limits=chosen,
        kernel_user=args.kernel_user,
    )
    with quiet_stderr():
        return grade(
            args.notebook,
            functions=args.function,
            visible_only=visible_only,
            sandbox=sandbox,
            edition=getattr(args, "edition", None),
        )


def options_of(args: argparse.Namespace) -> Options:
    """What a batch's or the service's gradings depend on, from the options."""
    from grader.batch.options import Options
    from grader.editions import data_digest

    return Options(
        functions=tuple(args.function) if args.function else None,
        limits=chosen_limits(args),
        require_sandbox=args.require_sandbox,
        no_sandbox=args.no_sandbox,
        kernel_user=args.kernel_user,
        edition=args.edition,
        # The instructor's editions read (--editions DIR): results graded
        # under other ones are not reused.
        editions=data_digest(),
        templates=getattr(args, "templates", None),
    )


def points_policy(path: Path | None, edition: str | None = None) -> Policy:
    """The points policy of ``--points`` (the table's own without it).

    Its checks are those of ``edition``; without one, of any edition (the
    file may set the points of every edition a class folder holds).
    """
    from grader.editions import names
    from grader.reports.points import PointsError, Policy, load_policy

    if path is None:
        return Policy()
    try:
        return load_policy(path, checks_table(edition))
    except PointsError:
        if edition is not None:
            raise
        rows = {c.title: c for name in names() for c in checks_table(name)}
        try:
            return load_policy(path, tuple(rows.values()))
        except PointsError:
            pass
        raise  # the 2020 table's message, as before editions


def checks_table(edition: str | None = None) -> tuple[Check, ...]:
    """An edition's checks table (default: 2020's)."""
    # The checks' module loads Keras: TensorFlow's start-up messages hidden.
    with quiet_stderr():
        from grader.editions import DEFAULT, get
        from grader.judging.checks import table

        return table(get(edition or DEFAULT))
