"""What every route works with: the ``Service``, its callers, its refusals.

``Service`` holds the store, the key and the grading options, and says how
a submission is taken in, shown and counted; ``bearer`` and ``instructor``
tell the API's caller from the ``Authorization`` header. The HTTP API is
``grader.service.api``, the pages ``grader.service.pages`` and
``grader.service.class_pages``; ``grader.service.app`` puts them together.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Depends, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from grader.batch.options import Options
from grader.reports.points import Policy
from grader.reports.results import SubmissionResult
from grader.service import intake
from grader.service.intake import Refused
from grader.service.jobs import QUEUED, RUNNING
from grader.service.store import Person, Store
from grader.service.tokens import same, token_hash

log = logging.getLogger("grader.service")
#: Failed sign-ins an address may make in ``SIGNIN_WINDOW`` seconds.
SIGNIN_FAILURES = 10
SIGNIN_WINDOW = 600.0
#: Addresses remembered before those with no recent failure are forgotten.
FORGET_PAST = 4096
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
DATABASE_DOWN = (
    "the service's database cannot be reached right now; nothing was stored: "
    "try again in a minute"
)
READ_ONLY = (
    "the service cannot store anything now (its disk is read-only); nothing was "
    "stored: try again later, or tell your instructor"
)
NO_TOKEN = "sign in: send your token as 'Authorization: Bearer TOKEN'"
BAD_TOKEN = "this token is not valid (renewed, or mistyped): ask your instructor"
NOT_INSTRUCTOR = "only the instructor may do this"
NOT_FOUND = "no such submission of yours"
TOO_MANY_SIGNINS = (
    "too many failed sign-ins from this address; try again in {minutes} min"
)


class SignIns:
    """Failed sign-ins by address, to slow down guessing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failed: dict[str, collections.deque[float]] = {}

    def check(self, address: str) -> None:
        """Refuse (429) an address past its failures."""
        with self._lock:
            failed = self._recent(address)
            if len(failed) >= SIGNIN_FAILURES:
                wait = int(failed[0] + SIGNIN_WINDOW - time.time()) + 1
                raise Refused(
                    429,
                    TOO_MANY_SIGNINS.format(minutes=(wait + 59) // 60),
                    retry_after=wait,
                )

    def failed(self, address: str) -> None:
        """Count a failed sign-in (addresses with none left are forgotten)."""
        with self._lock:
            self._recent(address).append(time.time())
            if len(self._failed) > FORGET_PAST:
                for old in [a for a in self._failed if not self._recent(a)]:
                    del self._failed[old]

    def _recent(self, address: str) -> collections.deque[float]:
        failed = self._failed.setdefault(address, collections.deque())
        while failed and failed[0] < time.time() - SIGNIN_WINDOW:
            failed.popleft()
        return failed


@dataclass
class Service:
    """What the web application works with."""

    store: Store
    key: bytes
    options: Options = field(default_factory=Options)
    points: Policy = field(default_factory=Policy)
    templates: Path | None = None
    #: Set when a job is queued, so that an idle worker starts at once.
    wake: threading.Event = field(default_factory=threading.Event)
    workers: int = 1
    only: str | None = None
    canvas_roster: Path | None = None
    signins: SignIns = field(default_factory=SignIns)
    #: The data folder, where the embedded database lives (None: elsewhere).
    data: Path | None = None

    def writable(self) -> bool:
        """Whether the data folder can be written (its disk not read-only)."""
        return self.data is None or os.access(self.data, os.W_OK)

    def person(self, token: str, address: str) -> Person:
        """Who ``token`` is; ``Refused`` (401, or 429 past the failures).

        A right token always signs in: the limit slows down guessing from
        an address, and a class behind one address (a campus's network)
        is not held back by one student's typing.
        """
        found = self.store.by_token_hash(token_hash(token)) if token else None
        if found is None or not same(token_hash(token), _hash_of(self, found)):
            self.signins.check(address)
            self.signins.failed(address)
            raise Refused(401, BAD_TOKEN)
        return found

    def intake_policy(self) -> intake.Policy:
        """What the course takes now, from its settings."""
        settings = self.store.settings()
        deadline = float(settings["deadline"]) if settings["deadline"] else None
        return intake.Policy(
            deadline=deadline,
            refuse_late=settings.get("late") == "refuse",
            per_hour=int(settings["per_hour"]),
            queued=int(settings["queued"]),
            edition=self.options.edition,
            only=self.only,
        )

    async def take(self, person: Person, upload: UploadFile) -> tuple[int, bool]:
        """Take an upload in (``intake.accept``): its id and whether it is late.

        Raises ``Refused``. The caller wakes an idle worker (``wake``) once
        it has said where the submission stands.
        """
        if upload.size is not None and upload.size > intake.MAX_BYTES:
            raise Refused(413, intake.too_large(upload.size))
        data = await upload.read(intake.MAX_BYTES + 1)
        taken: tuple[int, bool] = await run_blocking(
            intake.accept,
            self.store,
            person,
            upload.filename,
            data,
            self.intake_policy(),
        )
        return taken

    def describe(self, row: dict[str, Any], base: str) -> dict[str, Any]:
        """A submission as the API shows it."""
        position, estimate = self.position(row)
        finished = row["status"] not in (QUEUED, RUNNING)
        return {
            "id": row["id"],
            "student": row["login"],
            "status": row["status"],
            "score": row["score"],
            "max_score": row["max_score"],
            "filename": row["filename"],
            "submitted": row["created"],
            "late": bool(row["late"]),
            "counts": bool(row["counts"]),
            "message": row["message"] if finished else "",
            "position": position,
            "estimate_seconds": estimate,
            "feedback_url": f"{base}submissions/{row['id']}/feedback"
            if finished
            else None,
        }

    def position(self, row: dict[str, Any]) -> tuple[int | None, float | None]:
        """A queued job's place (1: next) and the seconds until it is graded."""
        if row["status"] not in (QUEUED, RUNNING):
            return None, None
        seconds = self.store.recent_seconds()
        each = statistics.median(seconds) if seconds else None
        if row["status"] == RUNNING:
            return 0, each
        order = [id_ for id_, _ in self.store.queue()]
        place = order.index(row["id"]) + 1 if row["id"] in order else len(order)
        rounds = -(-place // max(1, self.workers))
        return place, each * (rounds + 1) if each is not None else None

    def results(self, counts: str | None = None) -> list[SubmissionResult]:
        """Each student's result that counts: latest or best (the setting)."""
        counts = counts or self.store.settings()["counts"]
        chosen: dict[str, dict[str, Any]] = {}
        for row in self.store.submissions():  # newest first
            if row["status"] in (QUEUED, RUNNING):
                continue
            held = chosen.get(row["login"])
            if held is None or (
                counts == "best" and (row["score"] or 0) > (held["score"] or 0)
            ):
                chosen[row["login"]] = row
        found = []
        for login in sorted(chosen):
            text = self.store.result(chosen[login]["id"])
            if text:
                found.append(SubmissionResult.from_dict(json.loads(text)))
            else:
                row = chosen[login]
                found.append(
                    SubmissionResult(
                        login, row["filename"], "", row["status"], row["message"]
                    )
                )
        return found


def _hash_of(service: Service, person: Person) -> str:
    from grader.service.roster import current_token

    return token_hash(current_token(service.key, person))


class Submitted(BaseModel):
    """The answer to a submission: its id, its status and its place."""

    id: int
    status: str
    position: int | None


class SubmissionView(BaseModel):
    """A submission and its job, as the API shows it."""

    id: int
    student: str
    status: str
    score: float | None
    max_score: float | None
    filename: str
    submitted: float
    late: bool
    counts: bool
    message: str
    position: int | None
    estimate_seconds: float | None
    feedback_url: str | None


def bearer(request: Request) -> Person:
    """The API's caller, from ``Authorization: Bearer TOKEN``."""
    service: Service = request.app.state.service
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, NO_TOKEN)
    return service.person(token.strip(), _address(request))


def instructor(person: Person = Depends(bearer)) -> Person:
    """The API's caller, who must be the instructor."""
    if person.role != "instructor":
        raise Refused(403, NOT_INSTRUCTOR)
    return person


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "?"


async def run_blocking(function: Callable[..., Any], *args: Any) -> Any:
    """Run blocking work (the database, reading a notebook) off the event loop."""
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def csv_response(text: str, name: str) -> Response:
    """A CSV download named ``name``."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
