"""The ``grader`` command: a thin layer over the package's functions.

Its subcommands are the rows of ``grader.commands.COMMANDS``; each declares
its own options beside the function it runs. This module builds the parser
from that table and turns the outcome into an exit status.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from grader import errors
from grader.commands import COMMANDS
from grader.commands.options import html_options, use_editions

DESCRIPTION = """\
Auto-grader for the ResNet-50 "Residual Networks" assignment.

  grader grade NOTEBOOK          run the graded functions in a kernel and check them
  grader grade FOLDER -j 2       grade a batch: gradebook, feedback, Gradescope, JUnit
  grader report OUT              write a batch's class report again, OUT/report.html
  grader check NOTEBOOK          the checks students see, only (fast; for students)
  grader points                  the points table: every check, its points, who sees it
  grader serve                   the grading service: students submit, see their grade
  grader gradescope build Z.zip  Gradescope's autograder bundle
  grader assign SOLUTION OUTDIR  make the student notebook from the solution
  grader release OUT             the hand-out for students: folder OUT and OUT.zip
  grader edition new NAME ...    an edition of your own: a data file and its solution
  grader signs OUTDIR            write a synthetic SIGNS-format data set
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``grader`` and every subcommand in the table."""
    parser = argparse.ArgumentParser(
        prog="grader",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        added = command.add_to(commands)
        if command.renders_html:
            html_options(added)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = build_parser()
    args = parser.parse_args(argv)
    runs = {command.name: command.run for command in COMMANDS}
    if args.command is None:
        parser.print_help()
        return 2
    # Stopped by `kill` or a CI runner, the grader stops as cleanly as by
    # Ctrl-C: kernels shut down, temporary folders removed, results kept.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        use_editions(args)
        return runs[args.command](args)
    except errors.GraderError as exc:
        print(f"grader: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("grader: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
