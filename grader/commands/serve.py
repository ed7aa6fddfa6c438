"""``grader serve``: the grading service; ``grader serve tokens``: its tokens."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from grader.commands.options import (
    grading_options,
    options_of,
    points_option,
    points_policy,
)
from grader.commands.table import Command

DEFAULT_DATA = Path("grader-service")


def _arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "action",
        nargs="?",
        choices=["tokens"],
        help="tokens: print CSV student,token for every student of the roster "
        "(with --instructor, the instructor's), then exit",
    )
    command.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        metavar="DIR",
        help="the service's folder: its database (SQLite, unless --db), its key "
        f"and the grader's cache (default: ./{DEFAULT_DATA})",
    )
    command.add_argument(
        "--db",
        metavar="URL",
        help="the database, as an SQLAlchemy URL (default: DIR/service.db, "
        "SQLite in WAL mode)",
    )
    command.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default: "
        "127.0.0.1; put a reverse proxy with TLS in front, see docs/service.md)",
    )
    command.add_argument("--port", type=int, default=8000, help="default: 8000")
    command.add_argument(
        "--kernels",
        type=int,
        default=1,
        metavar="N",
        help="grading workers, each with a kernel started ahead (default: 1; "
        "each needs about 1 GB of memory; 0: the web page only, where workers "
        "on other machines grade)",
    )
    command.add_argument(
        "--worker-only",
        action="store_true",
        help="grade jobs from the shared database (--db) with no web page: a "
        "machine added to a service (see docs/service.md)",
    )
    command.add_argument(
        "--lease",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds a worker's claim on a job lasts unless renewed (every "
        "third of it); a worker gone that long loses its job to another "
        "(default: 60)",
    )
    command.add_argument(
        "--roster",
        type=Path,
        metavar="CSV",
        help="the students: Canvas's gradebook export, or a CSV with a 'student' "
        "column (and 'name', 'email'); students are added, never removed",
    )
    command.add_argument(
        "--instructor",
        action="store_true",
        help="with tokens: print the instructor's token",
    )
    command.add_argument(
        "--renew",
        metavar="LOGIN",
        action="append",
        help="with tokens: give LOGIN a new token (the old one stops working)",
    )
    command.add_argument(
        "--only-edition",
        metavar="NAME",
        help="refuse notebooks of any other edition than NAME",
    )
    points_option(command)
    grading_options(command)


def _serve(args: argparse.Namespace) -> int:
    from grader.service.run import Setup, print_tokens, serve

    setup = Setup(
        data=args.data,
        db=args.db,
        roster=args.roster,
        templates=getattr(args, "templates", None),
    )
    if args.action == "tokens":
        print_tokens(setup, instructor=args.instructor, renew=args.renew or ())
        return 0
    if args.lease < 3:
        from grader.errors import GraderError

        raise GraderError("--lease must be at least 3 seconds")
    if args.kernels < 0 or (args.worker_only and args.kernels < 1):
        from grader.errors import GraderError

        raise GraderError(
            "--kernels must be at least 1 with --worker-only"
            if args.worker_only
            else "--kernels must be 0 or more"
        )
    options = options_of(args)
    policy = points_policy(args.points) if args.points is not None else None
    if args.worker_only:
        from grader.service.run import work

        work(
            setup, options=options, points=policy, kernels=args.kernels, log=sys.stderr
        )
        return 0
    serve(
        setup,
        options=options,
        points=policy,
        host=args.host,
        port=args.port,
        kernels=args.kernels,
        only=args.only_edition,
        lease=args.lease,
        log=sys.stderr,
    )
    return 0


SERVE = Command(
    name="serve",
    help="run the grading service: students submit and see their grade",
    description=textwrap.dedent(
        """\
        Run the grading service: a web page and an HTTP API where students
        sign in with a token, submit their notebook and see their grade and
        feedback in seconds, and a class page for the instructor. Submissions
        and results live in a database (SQLite in DIR by default); a service
        stopped or killed grades what was left when it starts again.

          grader serve --roster students.csv        start, adding the roster's students
          grader serve tokens                       CSV student,token, to mail out
          grader serve tokens --instructor          the instructor's token

        See docs/service.md."""
    ),
    arguments=_arguments,
    run=_serve,
    raw_description=True,
    renders_html=True,
)
