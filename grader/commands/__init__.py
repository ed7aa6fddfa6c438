"""The ``grader`` command's subcommands, as a table.

Each module here is one group of subcommands and declares, side by side,
the options a subcommand takes and the function that runs it; ``COMMANDS``
lists them in the order ``grader --help`` shows them, and ``grader.commands.cli``
builds its parser from this table. A run function takes the parsed options
and returns the exit status; it is a few lines over the package's
keyword-only functions, which it imports when called (TensorFlow and the
batch machinery load only for the commands that need them).

May import: every other folder; nothing imports it but the package's
``__main__``.
"""

from __future__ import annotations

from grader.commands import (
    cache,
    check,
    edition,
    folder,
    grade,
    gradescope,
    handout,
    points,
    serve,
    similar,
)
from grader.commands.table import Command

COMMANDS: tuple[Command, ...] = (
    grade.GRADE,
    check.CHECK,
    folder.REPORT,
    similar.SIMILAR,
    points.POINTS,
    handout.ASSIGN,
    handout.RELEASE,
    gradescope.GRADESCOPE,
    edition.EDITION,
    cache.CACHE,
    serve.SERVE,
    handout.SIGNS,
)

__all__ = ["COMMANDS", "Command"]
