"""The grader's time and memory against an older commit: the command.

Run from the repository root, after the README's set-up command:

    .venv/bin/python bench/bench.py --runs 3

The bench itself is the package ``bench/grading/``; its docstring says what
it measures and how, and which module owns what. Python puts this script's
folder first on ``sys.path``, which makes ``grading`` and ``course`` (the
course folder it grades) importable.
"""

from __future__ import annotations

from grading.main import main

if __name__ == "__main__":
    main()
