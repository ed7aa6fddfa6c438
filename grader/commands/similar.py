"""``grader similar``: pairs of submissions ranked by the evidence they share."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader import errors
from grader.commands.options import editions_option
from grader.commands.table import Command

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
which few others have (with --results, from a batch's stored results). Each
edition's own hand-out (its stub notebook, in that edition's notebooks;
--handout names others), what most notebooks of a cohort hold (those that
started from the same hand-out: an edition, or cells carrying the same
hand-out metadata), and whatever more than a few notebooks share count for
nobody. The page lists the cohorts, and names the notebooks whose cohort is
too small to tell its hand-out from what they share. A score says what two
notebooks share, for a person to judge; it is no verdict.

Ids are the batch's (see grader grade --help); known work's are prefixed
known:. --against takes every path after it: name the submissions first.
The default threshold flags a pair at a score of 0.7 (see the guide's
docs/similarity.md, The benchmark).
"""


def _arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "notebooks",
        nargs="+",
        metavar="SUBMISSIONS",
        help="notebooks, folders of them or quoted glob patterns, as for a batch",
    )
    command.add_argument(
        "--against",
        nargs="+",
        default=[],
        metavar="KNOWN",
        help="folders (or notebooks) of known work, compared with each submission",
    )
    command.add_argument(
        "--out",
        type=Path,
        default=Path("similarity"),
        metavar="DIR",
        help="where to write similarity.html and similarity.csv (default: %(default)s)",
    )
    command.add_argument(
        "--results",
        type=Path,
        metavar="OUT",
        help="a batch's folder (grader grade --out): its stored results add the "
        "evidence of rare shared mistakes",
    )
    command.add_argument(
        "--handout",
        nargs="+",
        type=Path,
        metavar="NOTEBOOK",
        help="the hand-out's stub notebook(s), whose content counts for nobody "
        "in the notebooks of its edition (default: each edition's own, those of\n"
        "--editions DIR's included)",
    )
    editions_option(command)


def _similar(args: argparse.Namespace) -> int:
    from grader.batch.store import Store
    from grader.notebooks.discover import find_submissions
    from grader.similarity import compare
    from grader.similarity.outputs import failed_checks, write_similarity

    if args.templates is not None:
        from grader.reports.templating import check_templates

        check_templates(args.templates)  # before a class is read, not after
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
    from grader.editions import data_digest

    data_digest()  # the editions read, --editions DIR's among them
    comparison = compare(
        submissions,
        known,
        boilerplate=args.handout,
        mistakes=mistakes,
    )
    for line in comparison.unread:
        print(f"grader: skipped {line}", file=sys.stderr)
    for path in write_similarity(args.out, comparison, templates=args.templates):
        print(f"wrote {path}")
    flagged = len(comparison.flagged)
    print(
        f"{comparison.class_size} submissions, {len(comparison.pairs)} pairs share "
        f"something uncommon, {flagged} at or above the threshold "
        f"({comparison.threshold:g})"
    )
    return 0


SIMILAR = Command(
    name="similar",
    help="rank pairs of submissions by the evidence they share",
    description=SIMILAR_DESCRIPTION,
    arguments=_arguments,
    run=_similar,
    raw_description=True,
    renders_html=True,
)
