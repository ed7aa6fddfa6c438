"""Taking a submission in: every reason to refuse it, then one transaction.

``accept`` is what the API and the upload page both call. It refuses, with
an HTTP status and one line (``Refused``), a file over the size limit, one
that is not a notebook or holds another assignment (said as the command
line says it), a submission past a refusing deadline, over the student's
limits, or the same file sent again within seconds (a double click).
Nothing is stored unless everything passes; then the notebook and its job
are stored together (``Store.submit``). Reading the notebook here runs
nothing: it is parsed, as ``grader grade`` reads one before its kernel.
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader.errors import NotebookError
from grader.notebooks.read import find_graded_cells, parse_notebook
from grader.notebooks.recognise import recognise
from grader.service.store import Person, Store

#: The largest notebook taken, in bytes (a notebook with its outputs
#: cleared is far smaller; saved outputs make most of a large one).
MAX_BYTES = 8 * 1024 * 1024
#: Seconds in which the same file sent again is the same submission.
DOUBLE_CLICK_SECONDS = 30.0
HOUR = 3600.0
#: The longest file name kept (longer ones are cut, their extension kept).
NAME_LENGTH = 120

TOO_LARGE = (
    "the file is {over}{size:.1f} MB; the limit is {limit:.0f} MB: clear the "
    "notebook's outputs (Edit > Clear Outputs of All Cells), save it and "
    "submit it again"
)
EMPTY = "the file is empty: save the notebook in Jupyter and submit that file"
LATE = "the deadline was {when}; this course takes no submissions after it"
PER_HOUR = (
    "you have made {count} submissions in the last hour, the limit; your next "
    "is allowed at {when} (in {minutes} min)"
)
WAITING = (
    "you have {count} submissions waiting to be graded, the limit; submit "
    "again once one of them is graded"
)
AGAIN = "this file was submitted {ago:.0f} s ago as submission {id}; it is that one"


class Refused(Exception):
    """A submission not taken: the HTTP status and the one line that says why."""

    def __init__(
        self, status: int, line: str, *, retry_after: int = 0, existing: int = 0
    ) -> None:
        super().__init__(line)
        self.status = status
        self.line = line
        self.retry_after = retry_after
        #: The submission this one repeats (a double click), if any.
        self.existing = existing


@dataclass(frozen=True)
class Policy:
    """What the course takes: from its settings and the service's options."""

    deadline: float | None
    refuse_late: bool
    per_hour: int
    queued: int
    edition: str | None = None
    only: str | None = None


def clean_name(filename: str | None) -> str:
    """A file name as a student's page may show it: no folders, no controls."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        c
        for c in unicodedata.normalize("NFC", name)
        if unicodedata.category(c)[0] != "C"
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > NAME_LENGTH:  # cut the stem, keep the extension
        stem, dot, extension = name.rpartition(".")
        extension = dot + extension if stem and len(extension) < 10 else ""
        name = name[: NAME_LENGTH - len(extension)].rstrip(" .") + extension
    return name or "notebook.ipynb"


def accept(
    store: Store, person: Person, filename: str | None, data: bytes, policy: Policy
) -> tuple[int, bool]:
    """Store a submission, or raise ``Refused``; its id and whether it is late."""
    now = time.time()
    name = clean_name(filename)
    if len(data) > MAX_BYTES:
        raise Refused(413, too_large(len(data), over=True))
    if not data.strip():
        raise Refused(400, EMPTY)
    check_notebook(name, data, policy)
    late = policy.deadline is not None and now > policy.deadline
    if late and policy.refuse_late:
        assert policy.deadline is not None
        raise Refused(403, LATE.format(when=_when(policy.deadline)))
    sha256 = hashlib.sha256(data).hexdigest()
    again = store.same_as_last(person, sha256, now - DOUBLE_CLICK_SECONDS)
    if again is not None:
        id_, when = again
        raise Refused(409, AGAIN.format(ago=now - when, id=id_), existing=id_)
    _limits(store, person, policy, now)
    return store.submit(person, name, data, sha256, late=late, now=now), late


def too_large(size: int, *, over: bool = False) -> str:
    """The line for a file of ``size`` bytes (``over``: at least) past the limit."""
    return TOO_LARGE.format(
        over="over " if over else "", size=size / 1e6, limit=MAX_BYTES / 1e6
    )


def check_notebook(name: str, data: bytes, policy: Policy) -> None:
    """Refuse (422) a file that is not a notebook of this assignment.

    Its bytes are read as they came, under the name the student gave them.
    """
    try:
        nb = parse_notebook(data, name)
        recognise(find_graded_cells(nb), name, edition=policy.edition, only=policy.only)
    except NotebookError as exc:
        raise Refused(422, str(exc).splitlines()[0]) from None


def _limits(store: Store, person: Person, policy: Policy, now: float) -> None:
    waiting = store.waiting(person)
    if waiting >= policy.queued:
        raise Refused(429, WAITING.format(count=waiting), retry_after=60)
    recent = store.recent(person, now - HOUR)
    if len(recent) >= policy.per_hour:
        # The oldest of the last hour's leaves the window first.
        allowed = recent[len(recent) - policy.per_hour] + HOUR
        wait = max(1, int(allowed - now) + 1)
        raise Refused(
            429,
            PER_HOUR.format(
                count=len(recent), when=_when(allowed), minutes=(wait + 59) // 60
            ),
            retry_after=wait,
        )


def _when(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def read_limited(path: Path) -> bytes:
    """A file's first ``MAX_BYTES + 1`` bytes (what ``accept`` needs to refuse)."""
    with open(path, "rb") as file:
        return file.read(MAX_BYTES + 1)
