"""``python -m grader``: the same as the ``grader`` command."""

from grader.commands.cli import main

raise SystemExit(main())
