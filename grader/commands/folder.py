"""``grader report``: a batch's folder written again from its stored results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import errors
from grader.commands.table import Command

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


def _arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "out",
        type=Path,
        metavar="OUT",
        help="a batch's folder: what `grader grade --out` named",
    )


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
    path = write_report(args.out, results, templates=args.templates)
    many = "" if len(results) == 1 else "s"
    print(f"wrote {path} ({len(results)} submission{many})")
    print(f"wrote {args.out / 'feedback'} ({len(results)} page{many})")
    return 0


REPORT = Command(
    name="report",
    help="write a batch's class report again from its stored results",
    description=REPORT_DESCRIPTION,
    arguments=_arguments,
    run=_report,
    raw_description=True,
    renders_html=True,
)
