"""The bench's two sides: this code and an older commit, and how each runs.

Owns the repository's paths, the environment every command gets, the older
commit's temporary git worktree and the check that each side imports its own
files. Imports nothing of the bench.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "Residual_Networks.ipynb"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
ENV.pop("PYTHONPATH", None)
ENV.pop("GRADER_MEMORY_MB", None)


@dataclass
class Side:
    """One version of the grader: how to run it and what it imports."""

    label: str
    source: Path
    env: dict[str, str]
    cwd: Path
    #: A Python to give run_autograder as GRADER_PYTHON.
    python: str

    def grader(self, *args: str) -> list[str]:
        """The command line of ``grader ARGS`` for this side."""
        return [sys.executable, "-m", "grader", *args]


def old_side(source: Path, label: str, cwd: Path, scratch: Path) -> Side:
    """The older commit checked out at ``source``, ahead on ``PYTHONPATH``."""
    path = f"{source}{os.pathsep}{source / 'assignment'}"
    # Its run_autograder calls Python with -I, which ignores PYTHONPATH:
    # this stand-in drops -I so that the old package is the one imported.
    wrapper = scratch / "python-without-I"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a do shift; [ "$a" = -I ] || set -- "$@" "$a"; done\n'
        f'exec {sys.executable} "$@"\n'
    )
    wrapper.chmod(0o755)
    # A cache folder of its own, warmed as this code's is where it has one.
    env = {**ENV, "PYTHONPATH": path, "GRADER_CACHE_DIR": str(scratch / "old-cache")}
    return Side(label, source, env, cwd, str(wrapper))


def new_side(cwd: Path, cache: Path) -> Side:
    """This worktree's code, as the editable install imports it."""
    env = {**ENV, "GRADER_CACHE_DIR": str(cache)}
    return Side("this code", ROOT, env, cwd, sys.executable)


def imported_files(side: Side) -> list[str]:
    """The files ``grader``, ``resnets_utils`` and ``public_tests`` come from."""
    script = (
        "import importlib.util as u\n"
        "for n in ('grader', 'resnets_utils', 'public_tests'):\n"
        "    print(u.find_spec(n).origin)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=side.env,
        cwd=side.cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    files = done.stdout.split()
    for name in files:
        if not Path(name).resolve().is_relative_to(side.source.resolve()):
            raise SystemExit(f"{side.label}: imports {name}, not from {side.source}")
    return files


def short_commit(name: str) -> str:
    """``git rev-parse --short NAME`` in this repository."""
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", name],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@contextlib.contextmanager
def checked_out(commit: str) -> Iterator[Path]:
    """``commit`` in a temporary git worktree, removed on every path."""
    folder = Path(tempfile.mkdtemp(prefix=f"grader-{commit[:12]}-"))
    folder.rmdir()
    git = ["git", "-C", str(ROOT)]
    subprocess.run(
        [*git, "worktree", "add", "--detach", str(folder), commit],
        check=True,
        capture_output=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(
            [*git, "worktree", "remove", "--force", str(folder)], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([*git, "worktree", "prune"], capture_output=True)
