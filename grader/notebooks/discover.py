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

#: A file of Canvas's "Download Submissions" zip. Canvas names each file
#: (lib/content_zipper.rb in instructure/canvas-lms, ``get_filename`` and
#: ``add_upload_submission``) as: the student's sortable name, lower-cased
#: and stripped of all but letters, digits and underscores ("Smith, John" is
#: ``smithjohn``); ``LATE`` for a late submission; the Canvas user id (or
#: ``anon_`` and an anonymous id where grading is anonymous); the id of the
#: uploaded file (an attachment id, often taken for the submission's); and
#: the name the student uploaded, so ``smithjohn_12345_67890_Residual_Networks.ipynb``
#: and ``smithjohn_LATE_12345_67890_Residual_Networks.ipynb``. Canvas itself
#: leaves ``_digits_`` out of names, as its import of graded files finds the
#: ids by them; it lower-cases names, so a name is never ``LATE``.
CANVAS_NAME = re.compile(
    r"^(?:(?!LATE_)(?P<name>\w*?)_)?(?P<late>LATE_)?(?P<user>\d+|anon_[A-Za-z0-9]+)"
    r"_(?P<file>\d+)_(?P<original>.+)$"
)


@dataclass(frozen=True)
class Submission:
    """A notebook to grade and the student it belongs to.

    ``student`` is the id every output names the student by, a file name as
    it is where ``find_submissions`` gave it. ``name`` is the file's name as
    reports show it: its path below the folder graded
    (``s1042/Residual_Networks.ipynb``), never where that folder is on the
    instructor's machine; empty for the file's own name.
    """

    student: str
    path: Path
    name: str = ""

    @property
    def shown(self) -> str:
        """The name reports give the file: ``name``, else the file's name."""
        return self.name or self.path.name

    def rename(self, message: str) -> str:
        """``message`` with the notebook's path replaced by ``shown``.

        What students and reports read names the file as below the folder
        graded, never where the instructor keeps it.
        """
        return message.replace(str(self.path), self.shown)


@dataclass(frozen=True)
class CanvasName:
    """What Canvas's name for a downloaded submission file says of it."""

    #: The sortable name as Canvas wrote it (``smithjohn``); empty when anonymous.
    name: str
    #: The Canvas user id (``12345``), or ``anon_`` and the anonymous id.
    user: str
    late: bool
    #: The name the student's file had when uploaded.
    original: str


def canvas_name(file_name: str) -> CanvasName | None:
    """What a file name of Canvas's submissions zip says, or None for another name."""
    match = CANVAS_NAME.match(file_name)
    if match is None:
        return None
    return CanvasName(
        name=match["name"] or "",
        user=match["user"],
        late=bool(match["late"]),
        original=match["original"],
    )


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
      name without ``.ipynb`` (``s1042.ipynb`` is ``s1042``), but for a name
      Canvas gave it (``CANVAS_NAME``), which gives the Canvas user id
      (``smithjohn_LATE_12345_67890_Residual_Networks.ipynb`` is ``12345``);
    - a notebook inside a subfolder of a named folder: that subfolder's name
      (``subs/s1042/Residual_Networks.ipynb`` is ``s1042``), the layout of
      Gradescope's and most LMS exports;
    - when two notebooks would share an id, each takes its path below the
      named folder instead (``s1042--Residual_Networks``, ``s1042--copy``).

    Every id is its own file name: each output names a student's files by
    the id as it is (``feedback/ID.html``, ``gradescope/ID/``,
    ``results/ID.json``), so the gradebook and the files always agree. The
    name or path an id is taken from is made one by ``file_name``: ``/``
    becomes ``--``, each run of characters other than ASCII letters, digits,
    ``.``, ``_`` and ``-`` becomes ``_``, and dots and underscores at either
    end are dropped: the folder ``smith-0-to-5.`` is ``smith-0-to-5``, and
    ``Jane Doe (2).ipynb`` is ``Jane_Doe_2``. Two names made the same id
    clash as above.

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
            found.append((_id_for(Path(path.name)), path, Path(path.name)))
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
    """A student id made safe as a file name (``s1042/copy`` -> ``s1042--copy``).

    The rule ``find_submissions`` makes its ids by, so an id it gave is
    returned as it is (``file_name(file_name(x)) == file_name(x)``); the
    outputs still pass ids through it, as a result stored by an older grader
    may hold an id that is not a file name.
    """
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
    if len(relative.parts) > 1:
        return file_name(relative.parts[0])
    canvas = canvas_name(relative.name)
    return file_name(canvas.user if canvas is not None else relative.stem)


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
            student = file_name(relative.with_suffix("").as_posix())
        submissions.append(Submission(student, path, relative.as_posix()))
    ids = [s.student for s in submissions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise GraderError(
            "two submissions would share the id "
            f"{duplicates[0]!r}; pass their folders separately or rename one"
        )
    return submissions
