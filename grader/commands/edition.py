"""``grader edition``: write an instructor's edition, and prove one."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.commands.options import quiet_stderr, use_editions
from grader.commands.table import Command

DESCRIPTION = """\
An edition is a folder: a data file, edition.toml, beside the edition's
solution notebook. The solution is the reference (its graded functions run
once per machine through every probe, in the sandboxed kernel) and its def
lines are the signatures; the data file holds the probes (the calls the
grader makes, as argument sets), the checks and their points, and the
numbers the course published, if any. Keep your editions in a folder of
your own and name it with --editions DIR on every command (grade, check,
release, gradescope build, points, similar): upgrading the grader keeps them.

  grader edition new NAME --solution NB [--like EDITION] [--editions DIR]
      write DIR/NAME/ (default DIR: ./editions): edition.toml made from the
      solution and an edition it resembles, and the solution itself
  grader edition check DIR/NAME
      prove it: the solution earns full marks, its stub 0, the checks
      students see pass (in the grader and in the hand-out), and every
      parameter of every graded function is changed by some hidden probe
      (one no probe changes is named)

See docs/editions.md, "Adding an edition", for a worked example.
"""


def _arguments(command: argparse.ArgumentParser) -> None:
    actions = command.add_subparsers(dest="action", metavar="ACTION")
    new = actions.add_parser(
        "new",
        help="write an edition's folder from its solution notebook",
        description="Write DIR/NAME/edition.toml from the solution notebook and "
        "an edition it resembles, and copy the solution beside it.",
    )
    new.add_argument("name", metavar="NAME", help="the edition's name")
    new.add_argument(
        "--solution",
        type=Path,
        required=True,
        metavar="NB",
        help="the edition's solution notebook",
    )
    new.add_argument(
        "--like",
        metavar="EDITION",
        help="the edition whose probes and checks to start from (default: the "
        "one the solution's signatures fit best)",
    )
    new.add_argument(
        "--editions",
        dest="into",
        type=Path,
        default=Path("editions"),
        metavar="DIR",
        help="the folder of your editions (default: ./editions)",
    )
    check = actions.add_parser(
        "check",
        help="prove an edition: full marks, stub 0, every parameter probed",
        description="Grade the edition's solution (full marks expected) and its "
        "stub (0), run the checks students see, and name every parameter no "
        "hidden probe changes. Exits 1 when anything fails.",
    )
    check.add_argument("folder", type=Path, metavar="DIR/NAME", help="the edition")


def _edition(args: argparse.Namespace) -> int:
    from grader import errors
    from grader.distribution.author import check_edition, new_edition
    from grader.editions.data import FILE

    if args.action == "new":
        if any(args.into.glob(f"*/{FILE}")):  # yours, to be like one of them
            use_editions(argparse.Namespace(editions=args.into))
        with quiet_stderr():
            path, notes = new_edition(
                args.name, args.solution, args.into, like=args.like
            )
        print(f"wrote {path} and {path.parent / 'Residual_Networks.ipynb'}")
        for note in notes:
            print(f"note: {note}")
        print(f"next: edit {path}, then run grader edition check {path.parent}")
        return 0
    if args.action == "check":
        with quiet_stderr():
            proof = check_edition(args.folder)
        print("\n".join(proof.lines))
        return 0 if proof.holds else 1
    raise errors.GraderError("edition: say new or check (see --help)")


EDITION = Command(
    name="edition",
    help="write an instructor's edition, or prove one",
    description=DESCRIPTION,
    arguments=_arguments,
    run=_edition,
    raw_description=True,
)
