"""Finding the notebooks to grade, and the student each belongs to."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError

#: Folders that hold copies or archives' leftovers, never a submission.
SKIPPED_FOLDERS = {".ipynb_checkpoints", "__pycache__", "__MACOSX"}


@dataclass(frozen=True)
class Submission:
    """A notebook to grade and the student it belongs to."""

    student: str
    path: Path


def notebooks_in(folder: Path) -> Iterator[Path]:
    """The notebooks anywhere under ``folder``, in no particular order.

    Skips Jupyter's autosave copies (``.ipynb_checkpoints``), ``__MACOSX``
    and ``__pycache__``, hidden folders and hidden files.
    """
    for root, dirs, files in os.walk(folder):
        dirs[:] = [
            d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith(".")
        ]
        for name in files:
            if name.endswith(".ipynb") and not name.startswith("."):
                yield Path(root) / name


def find_submissions(paths: Sequence[str | Path]) -> list[Submission]:
    """The notebooks named by ``paths``, each with its student id.

    A path may be a notebook, a folder (searched recursively for ``*.ipynb``,
    skipping ``.ipynb_checkpoints`` and hidden folders) or a glob pattern
    (``'subs/*/*.ipynb'``, quoted so the shell leaves it alone; ids are then
    taken below the pattern's folder, here ``subs``). Student ids:

    - a notebook named directly, or lying directly in a named folder: its file
      name without ``.ipynb`` (``s1042.ipynb`` is ``s1042``);
    - a notebook inside a subfolder of a named folder: that subfolder's name
      (``subs/s1042/Residual_Networks.ipynb`` is ``s1042``), the layout of
      Gradescope's and most LMS exports;
    - when two notebooks would share an id, each takes its path below the
      named folder instead (``s1042/Residual_Networks``, ``s1042/copy``).

    Raises ``GraderError`` for a path that does not exist, a pattern that
    matches nothing or a folder without notebooks.
    """
    found: list[tuple[str, Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            notebooks = sorted(notebooks_in(path))
            if not notebooks:
                raise GraderError(f"{path}: no .ipynb files in this folder")
            for notebook in notebooks:
                relative = notebook.relative_to(path)
                found.append((_id_for(relative), notebook, relative))
        elif path.exists() or path.is_symlink():
            found.append((path.stem, path, Path(path.name)))
        elif glob.has_magic(str(raw)):
            matches = sorted(Path(p) for p in glob.glob(str(raw), recursive=True))
            matches = [p for p in matches if p.is_file()]
            if not matches:
                raise GraderError(f"{raw}: the pattern matches no file")
            base = _static_prefix(str(raw))
            for match in matches:
                relative = _relative_to(match, base)
                found.append((_id_for(relative), match, relative))
        else:
            raise GraderError(f"{path}: no such file or folder")
    return _unique(found)


def file_name(student: str) -> str:
    """A student id made safe as a file name (``s1042/copy`` -> ``s1042--copy``)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", student.replace("/", "--")).strip("._")
    return name or "submission"


def _static_prefix(pattern: str) -> Path:
    """The folder a glob pattern starts from: its parts before the first wildcard."""
    parts = []
    for part in Path(pattern).parts[:-1]:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _relative_to(path: Path, base: Path) -> Path:
    try:
        return path.relative_to(base)
    except ValueError:
        return Path(path.name)


def _id_for(relative: Path) -> str:
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _unique(found: list[tuple[str, Path, Path]]) -> list[Submission]:
    seen: dict[Path, None] = {}
    counts: dict[str, int] = {}
    kept = []
    for student, path, relative in found:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen[resolved] = None
        kept.append((student, path, relative))
        counts[student] = counts.get(student, 0) + 1
    submissions = []
    for student, path, relative in kept:
        if counts[student] > 1:
            student = relative.with_suffix("").as_posix()
        submissions.append(Submission(student, path))
    ids = [s.student for s in submissions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise GraderError(
            "two submissions would share the id "
            f"{duplicates[0]!r}; pass their folders separately or rename one"
        )
    return submissions
