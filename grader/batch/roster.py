"""Canvas's roster, read from its gradebook export, and the import made from it.

Canvas exports a course's gradebook (Grades > Export) as a CSV file: a
header, then in most exports a ``Points Possible`` row, then a row per
student. Its first columns say who the student is (``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID``, ``Integration ID`` where the course has
them, ``Section``); then come the assignments, each headed by its name and
Canvas id (``Residual Networks (1234)``), and the scores Canvas computes
(``Current Score``, ``Final Grade``, ...), which an import ignores. Canvas's
gradebook import takes a file of the same form: the identity columns, by
which it finds each student (``ID`` first), and the assignments' columns to
set. So ``canvas-import.csv`` is the roster's identity columns and one
assignment's column, with each student's score: what Canvas's guides on
importing grades ask for (the Canvas Instructor Guide, "How do I import
grades in the Gradebook?"; Ohio State's "Import a CSV file into Carmen
Grades" lists the same columns).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.notebooks.discover import canvas_name
from grader.reports.results import GRADED, INVALID, SubmissionResult

#: The columns that say who a student is, in Canvas's order; an export has
#: those the course uses, ``Student`` and ``ID`` always.
IDENTITY = (
    "Student",
    "ID",
    "SIS User ID",
    "SIS Login ID",
    "Integration ID",
    "Section",
)
REQUIRED = ("Student", "ID")
#: An assignment's column: its name and Canvas id.
ASSIGNMENT = re.compile(r"^(?P<name>.*\S)\s+\((?P<id>\d+)\)$")
#: The row of each column's points, under the header of most exports.
POINTS_POSSIBLE = "Points Possible"
#: What the default assignment column's name holds.
DEFAULT_WORD = "residual"

NO_FILE = "--canvas-roster {path}: no such file"
UNREADABLE = "--canvas-roster {path}: cannot be read ({reason})"
NOT_CSV = "--canvas-roster {path}: not a CSV file ({reason})"
EMPTY = "--canvas-roster {path}: the file is empty; export the gradebook from Canvas"
NOT_EXPORT = (
    "--canvas-roster {path}: not a Canvas gradebook export: it has no {missing} "
    "column (its columns: {columns})"
)
NO_ASSIGNMENTS = (
    "--canvas-roster {path}: no assignment columns (headed by name and id, as "
    "'Residual Networks (1234)'); create the assignment in Canvas, then export"
)
NO_SUCH_ASSIGNMENT = (
    "--canvas-assignment {name!r}: no such column in {path}; its assignments: "
    "{candidates}"
)
WHICH_ASSIGNMENT = (
    "--canvas-roster {path}: say which column is this assignment's with "
    "--canvas-assignment; {why}: {candidates}"
)


@dataclass(frozen=True)
class Roster:
    """The students of a Canvas gradebook export and this assignment's column."""

    path: Path
    #: The identity columns the export has, in its order.
    identity: tuple[str, ...]
    #: The header of this assignment's column (``Residual Networks (1234)``).
    column: str
    #: Each student's identity columns, in the export's order.
    students: tuple[Mapping[str, str], ...]
    #: The column's points in the ``Points Possible`` row; ``""`` if none.
    points_possible: str = ""


@dataclass(frozen=True)
class CanvasImport:
    """``canvas-import.csv``'s text, and what the instructor should know of it."""

    text: str
    #: One line each: who has no score, whose submission is not in the roster.
    notes: tuple[str, ...]


def read_roster(path: Path, *, assignment: str | None = None) -> Roster:
    """Read a Canvas gradebook export, choosing this assignment's column.

    ``assignment`` is the column's header (``Residual Networks (1234)``), or
    its name alone, or its Canvas id; without it, the one assignment whose
    name has "residual". Raises ``GraderError`` with one line where the file
    is missing, not CSV, not an export (no ``Student`` or ``ID`` column) or
    the column cannot be chosen (naming the candidates).
    """
    text = _read(path)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise GraderError(NOT_CSV.format(path=path, reason=exc)) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise GraderError(EMPTY.format(path=path))
    header = [cell.strip() for cell in rows[0]]
    for required in REQUIRED:
        if required not in header:
            shown = ", ".join(repr(c) for c in header[:8])
            if len(header) > 8:
                shown += ", ..."
            raise GraderError(
                NOT_EXPORT.format(path=path, missing=repr(required), columns=shown)
            )
    column = _choose(path, header, assignment)
    identity = tuple(c for c in IDENTITY if c in header)
    students = []
    points_possible = ""
    for row in rows[1:]:
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        if cells.get("Student", "") == POINTS_POSSIBLE:
            points_possible = cells.get(column, "")
            continue
        # Rows without an id are not students: a "Manual Posting" row, say.
        if not cells.get("ID", ""):
            continue
        students.append({c: cells.get(c, "") for c in identity})
    return Roster(path, identity, column, tuple(students), points_possible)


def _read(path: Path) -> str:
    try:
        # utf-8-sig: a file saved again from Excel starts with a byte-order mark.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GraderError(NO_FILE.format(path=path)) from None
    except IsADirectoryError:
        raise GraderError(UNREADABLE.format(path=path, reason="a folder")) from None
    except UnicodeDecodeError as exc:
        reason = f"byte {exc.start} is not UTF-8 text"
        raise GraderError(UNREADABLE.format(path=path, reason=reason)) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise GraderError(UNREADABLE.format(path=path, reason=reason)) from None


def _choose(path: Path, header: Sequence[str], wanted: str | None) -> str:
    """The assignment column ``wanted`` names, or the default one."""
    columns = [c for c in header if ASSIGNMENT.match(c)]
    if not columns:
        raise GraderError(NO_ASSIGNMENTS.format(path=path))
    candidates = ", ".join(repr(c) for c in columns)
    if wanted is not None:
        wanted = wanted.strip()
        chosen = [c for c in columns if c == wanted]
        chosen = chosen or [c for c in columns if _parts(c)[1] == wanted]
        chosen = chosen or [
            c for c in columns if _parts(c)[0].casefold() == wanted.casefold()
        ]
        if not chosen:
            raise GraderError(
                NO_SUCH_ASSIGNMENT.format(name=wanted, path=path, candidates=candidates)
            )
        if len(chosen) > 1:
            shown = ", ".join(repr(c) for c in chosen)
            raise GraderError(
                WHICH_ASSIGNMENT.format(
                    path=path,
                    why=f"more than one is called {wanted!r}; give the whole header",
                    candidates=shown,
                )
            )
        return chosen[0]
    chosen = [c for c in columns if DEFAULT_WORD in _parts(c)[0].casefold()]
    if len(chosen) == 1:
        return chosen[0]
    why = (
        f"more than one assignment's name has {DEFAULT_WORD!r}"
        if chosen
        else f"no assignment's name has {DEFAULT_WORD!r}"
    )
    shown = ", ".join(repr(c) for c in chosen) if chosen else candidates
    raise GraderError(WHICH_ASSIGNMENT.format(path=path, why=why, candidates=shown))


def _parts(column: str) -> tuple[str, str]:
    """An assignment column's name and Canvas id."""
    match = ASSIGNMENT.match(column)
    assert match is not None  # only assignment columns are asked
    return match["name"], match["id"]


def canvas_user(result: SubmissionResult) -> str:
    """The Canvas user id a result belongs to.

    The id in the notebook's Canvas name where it has one (so that a
    student's two notebooks, ids apart, still meet in the roster), else the
    student id (a folder per student, named by Canvas id).
    """
    name = canvas_name(Path(result.notebook).name)
    return name.user if name is not None else result.student


def render_canvas_import(
    results: Sequence[SubmissionResult], roster: Roster
) -> CanvasImport:
    """``canvas-import.csv`` for a batch's results, and notes on who is missing.

    Every roster student has a row: the score where a submission was graded
    (0 where it is not a notebook of this assignment, as the gradebook has
    it), and empty where there is none or its grading could not finish. A
    student with several submissions gets the best score.
    """
    by_user: dict[str, list[SubmissionResult]] = {}
    for result in results:
        by_user.setdefault(canvas_user(result), []).append(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*roster.identity, roster.column])
    missing, failed, several = [], [], []
    for student in roster.students:
        who = f"{student['Student']} ({student['ID']})"
        scored = [
            r for r in by_user.get(student["ID"], []) if r.status in (GRADED, INVALID)
        ]
        if not by_user.get(student["ID"]):
            missing.append(who)
        elif not scored:
            failed.append(who)
        if len(scored) > 1:
            several.append(who)
        score = max((r.score for r in scored), default=None)
        writer.writerow(
            [
                *(student[c] for c in roster.identity),
                "" if score is None else f"{score:g}",
            ]
        )
    known = {student["ID"] for student in roster.students}
    strangers = [
        result.student
        for user, found in by_user.items()
        if user not in known
        for result in found
    ]
    notes = []
    if missing:
        notes.append(
            f"{len(missing)} in the Canvas roster have no submission (empty "
            f"score): {', '.join(missing)}"
        )
    if failed:
        notes.append(
            f"{len(failed)} in the Canvas roster could not be graded (empty "
            f"score; grade them again): {', '.join(failed)}"
        )
    if several:
        notes.append(
            f"{len(several)} in the Canvas roster have several submissions (the "
            f"best score is written): {', '.join(several)}"
        )
    if strangers:
        notes.append(
            f"{len(strangers)} submissions are from nobody in the Canvas roster "
            f"(not in canvas-import.csv): {', '.join(strangers)}"
        )
    full = max((r.report.max_score for r in results if r.report), default=None)
    if roster.points_possible and full is not None:
        try:
            possible = float(roster.points_possible)
        except ValueError:
            possible = None
        if possible is not None and possible != full:
            notes.append(
                f"{roster.column} is worth {possible:g} points in Canvas and "
                f"{full:g} here; the scores are written as graded (--points "
                "sets the grader's)"
            )
    return CanvasImport(buffer.getvalue(), tuple(notes))
