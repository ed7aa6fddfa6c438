"""What students are handed: ``grader assign``, ``release`` and ``signs``."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.commands.options import edition_option, quiet_stderr
from grader.commands.table import Command


def _assign_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("solution", type=Path, help="the solution notebook")
    command.add_argument("outdir", type=Path, help="folder to write into")


def _assign(args: argparse.Namespace) -> int:
    from grader.distribution.assign import assign

    for path in assign(args.solution, args.outdir):
        print(f"wrote {path}")
    return 0


ASSIGN = Command(
    name="assign",
    help="make the student notebook",
    description="Copy SOLUTION into OUTDIR with the code between START and END "
    "markers replaced by stubs, plus the helper modules the notebook imports.",
    arguments=_assign_arguments,
    run=_assign,
)


def _release_arguments(command: argparse.ArgumentParser) -> None:
    from grader.distribution.release import DEFAULT_SOLUTION, SIGNS_FILES, SIGNS_SIZES

    command.add_argument("out", type=Path, metavar="OUT", help="the folder to write")
    command.add_argument(
        "--solution",
        type=Path,
        metavar="NOTEBOOK",
        help="the solution notebook to make the student notebook from "
        f"(default: the edition's own; 2020's is {DEFAULT_SOLUTION})",
    )
    edition_option(command, "the edition to hand out (default: 2020)")
    command.add_argument(
        "--signs",
        type=Path,
        metavar="DIR",
        help=f"a folder with the course's own {' and '.join(SIGNS_FILES)} "
        f"(default: a synthetic set of {SIGNS_SIZES['n_train']:,} training and "
        f"{SIGNS_SIZES['n_test']} test images, the original's size)",
    )


def _release(args: argparse.Namespace) -> int:
    from grader.distribution.release import release

    with quiet_stderr():  # TensorFlow builds the reference models
        paths = release(
            args.out, solution=args.solution, signs=args.signs, edition=args.edition
        )
    for path in paths:
        print(f"wrote {path}")
    return 0


RELEASE = Command(
    name="release",
    help="write the hand-out for students (folder and zip)",
    description="Write the folder OUT and OUT.zip, what students get: the "
    "student notebook (stubs, as `grader assign` makes them), its helpers, "
    "the public checks with their code (copied from the grader now, so "
    "they need no grader installed), the SIGNS data, the sample picture, "
    "requirements.txt and a README. No solution is inside: not the "
    "solution notebook, not the grader's reference model, not the hidden "
    "checks or their arguments. OUT must not exist, or be empty.",
    arguments=_release_arguments,
    run=_release,
)


def _signs_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("outdir", type=Path, help="folder to write into")
    command.add_argument("--train", type=int, default=1080, help="training images")
    command.add_argument("--test", type=int, default=120, help="test images")
    command.add_argument("--seed", type=int, default=0, help="random seed")


def _signs(args: argparse.Namespace) -> int:
    from grader.fixtures.make_signs import write_signs

    for path in write_signs(
        args.outdir, n_train=args.train, n_test=args.test, seed=args.seed
    ):
        print(f"wrote {path}")
    return 0


SIGNS = Command(
    name="signs",
    help="write a synthetic SIGNS data set",
    description="Write train_signs.h5 and test_signs.h5, drawn hands showing "
    "0 to 5 fingers, in the layout of the SIGNS data set.",
    arguments=_signs_arguments,
    run=_signs,
)
