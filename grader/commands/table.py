"""One row of the command table: a subcommand's options and what it runs."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """A subcommand of ``grader``.

    ``arguments`` adds the subcommand's options to its parser; ``run`` does
    the work and returns the exit status. ``raw_description`` keeps the
    description's own line breaks in ``--help`` (for descriptions that list
    files or commands). ``renders_html`` marks the commands that write HTML
    pages (the feedback and the class report).
    """

    name: str
    help: str
    description: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    raw_description: bool = False
    renders_html: bool = False

    def add_to(
        self, commands: argparse._SubParsersAction[argparse.ArgumentParser]
    ) -> argparse.ArgumentParser:
        """Add this subcommand, with its options, to ``commands``."""
        formatter = (
            argparse.RawDescriptionHelpFormatter
            if self.raw_description
            else argparse.HelpFormatter
        )
        parser = commands.add_parser(
            self.name,
            help=self.help,
            description=self.description,
            formatter_class=formatter,
        )
        self.arguments(parser)
        return parser
