"""The service's people: the roster loaded, their tokens made and printed.

A roster is Canvas's gradebook export (as ``--canvas-roster`` reads it: a
student's login is their Canvas ``ID``, so that the Canvas import finds
them) or a CSV file with a ``student`` column and optional ``name`` and
``email`` columns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.batch.roster import read_roster
from grader.errors import GraderError
from grader.service.store import Person, Store
from grader.service.tokens import token_for, token_hash

#: The instructor's login; no student's id may take it.
INSTRUCTOR = "instructor"
NO_STUDENT_COLUMN = (
    "--roster {path}: no 'student' column and not a Canvas gradebook export "
    "(its columns: {columns})"
)


@dataclass(frozen=True)
class Entry:
    """One student of a roster."""

    login: str
    name: str = ""
    email: str = ""


def read_entries(path: Path) -> list[Entry]:
    """The students of ``path``; raises ``GraderError`` with one line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GraderError(f"--roster {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GraderError(f"--roster {path}: cannot be read ({exc})") from None
    try:
        rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise GraderError(f"--roster {path}: not a CSV file ({exc})") from None
    header = [h.strip().lower() for h in (rows[0].keys() if rows else [])]
    if "student" in header and "id" not in header:
        return _plain(rows)
    if "student" in header and "id" in header:
        roster = read_roster(path)
        return [Entry(s["ID"], s.get("Student", "")) for s in roster.students]
    raise GraderError(NO_STUDENT_COLUMN.format(path=path, columns=", ".join(header)))


def _plain(rows: list[dict[str, str]]) -> list[Entry]:
    entries = []
    for row in rows:
        cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        login = cells.get("student", "")
        if login and login != INSTRUCTOR:
            entries.append(Entry(login, cells.get("name", ""), cells.get("email", "")))
    return entries


def load(store: Store, key: bytes, entries: list[Entry]) -> int:
    """Give everyone in ``entries`` not there yet a token; how many were added."""
    added = 0
    for entry in entries:
        token = token_for(key, entry.login, 0)
        added += store.add_person(
            entry.login,
            "student",
            token_hash(token),
            name=entry.name[:200],
            email=entry.email[:200],
        )
    return added


def ensure_instructor(store: Store, key: bytes) -> None:
    """Make the instructor's token where there is none yet."""
    store.add_person(
        INSTRUCTOR, "instructor", token_hash(token_for(key, INSTRUCTOR, 0))
    )


def tokens_csv(store: Store, key: bytes, *, role: str = "student") -> str:
    """``student,token`` for everyone of ``role`` (CSV, with its header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "token"] if role == "student" else ["login", "token"])
    for person in store.people(role):
        writer.writerow([person.login, current_token(key, person)])
    return buffer.getvalue()


def current_token(key: bytes, person: Person) -> str:
    """``person``'s token now."""
    return token_for(key, person.login, person.renewals)


def renew(store: Store, key: bytes, person: Person) -> str:
    """Give ``person`` a new token (the old one stops working); the new one."""
    token = token_for(key, person.login, person.renewals + 1)
    store.renew(person.login, token_hash(token))
    return token
