"""``grader cache``: the reference's results kept on this machine."""

from __future__ import annotations

import argparse

from grader.commands.options import editions_option, quiet_stderr
from grader.commands.table import Command


def _arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("action", choices=("warm", "clear", "where"))
    editions_option(command)


def _cache(args: argparse.Namespace) -> int:
    from grader.judging import cache

    where = cache.folder()
    if args.action == "where":
        print(where if where is not None else "off (GRADER_CACHE_DIR=off)")
    elif args.action == "clear":
        cache.clear()
        print(f"cleared {where}" if where is not None else "the cache is off")
    else:
        from grader.grading import warm_cache

        with quiet_stderr():
            runs = warm_cache()
        for edition, losses in runs.items():
            shown = " → ".join(f"{loss:.3f}" for loss in losses)
            print(f"{edition}: the reference's training run: loss {shown}")
        print(f"kept in {where}")
    return 0


CACHE = Command(
    name="cache",
    help="what the grader judged once and keeps on this machine",
    description="What is the same from one grading to the next is judged once "
    "and kept in a cache folder (GRADER_CACHE_DIR, else the user's cache "
    "folder; GRADER_CACHE_DIR=off keeps nothing): each edition's solution run "
    "through every probe (the reference), under the notebook's digest; each "
    "check's result, under a digest of what the check reads; and the "
    "reference's short training run, which a ResNet50 that is the reference's "
    "but for its names takes. A batch keeps its own in OUT/.grader-cache. "
    "`warm` runs the solutions and the training runs now (Gradescope's "
    "setup.sh does, when the image is built); `clear` removes the folder.",
    arguments=_arguments,
    run=_cache,
)
