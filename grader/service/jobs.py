"""The jobs: each submission's grading, claimed, renewed and recorded.

A job's life is its submission row's ``status``::

    queued --claim--> running --record--> graded | invalid | error
       ^                 |
       +---- retry ------+   (the grader's own failure, or a lease run out)

A worker claims a job by changing its row from ``queued`` to ``running``
where it is still ``queued`` (one statement, so two workers never both
win), and holds it under a lease it renews; a job whose lease ran out goes
back to the queue, up to ``MAX_ATTEMPTS`` tries. A result is recorded once
per generation of a submission (a unique key), so a job two workers finish
is recorded once; a regrade raises the generation and keeps the old result.
Workers on other machines need nothing but the database: the notebook
travels in the job.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from grader.service.schema import people, results, submissions

#: Tries of one generation before the grader's own failures make it ``error``.
MAX_ATTEMPTS = 3
QUEUED, RUNNING, GRADED, INVALID, ERROR = (
    "queued",
    "running",
    "graded",
    "invalid",
    "error",
)


@dataclass(frozen=True)
class Job:
    """A claimed job: what a worker needs to grade one submission."""

    id: int
    generation: int
    attempts: int
    login: str
    filename: str
    notebook: bytes


class Jobs:
    """The queue of jobs in the database; ``Store`` adds the rest."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def queue(self) -> list[tuple[int, int]]:
        """The queued jobs in the order they will be graded: (id, person)."""
        query = (
            sa.select(submissions.c.id, submissions.c.person_id)
            .where(submissions.c.status == QUEUED)
            .order_by(submissions.c.id)
        )
        with self._begin() as db:
            rows = [(int(i), int(p)) for i, p in db.execute(query).all()]
        return fair_order(rows)

    def recent_seconds(self, count: int = 20) -> list[float]:
        """How long the latest gradings took, start to finish."""
        query = (
            sa.select(submissions.c.finished - submissions.c.started)
            .where(submissions.c.status == GRADED)
            .where(submissions.c.started > 0)
            .order_by(submissions.c.finished.desc())
            .limit(count)
        )
        with self._begin() as db:
            return [float(s) for s in db.execute(query).scalars()]

    def claim(self, worker: str, lease: float) -> Job | None:
        """Take the next queued job for ``worker``, or None if there is none."""
        for id_, _person in self.queue():
            now = time.time()
            with self._begin() as db:
                taken = db.execute(
                    submissions.update()
                    .where(submissions.c.id == id_)
                    .where(submissions.c.status == QUEUED)
                    .values(
                        status=RUNNING,
                        worker=worker,
                        lease_until=now + lease,
                        started=now,
                        attempts=submissions.c.attempts + 1,
                    )
                )
                if taken.rowcount != 1:
                    continue  # another worker's
                row = db.execute(
                    sa.select(
                        submissions.c.id,
                        submissions.c.generation,
                        submissions.c.attempts,
                        submissions.c.filename,
                        submissions.c.notebook,
                        people.c.login,
                    )
                    .join(people, people.c.id == submissions.c.person_id)
                    .where(submissions.c.id == id_)
                ).one()
            return Job(
                id=int(row.id),
                generation=int(row.generation),
                attempts=int(row.attempts),
                login=row.login,
                filename=row.filename,
                notebook=bytes(row.notebook),
            )
        return None

    def renew_lease(self, job: Job, worker: str, lease: float) -> bool:
        """Extend ``worker``'s claim; False where it has lost it."""
        with self._begin() as db:
            done = db.execute(
                _claimed(job, worker).values(lease_until=time.time() + lease)
            )
        return done.rowcount == 1

    def record(
        self,
        job: Job,
        worker: str,
        status: str,
        result: str,
        score: float | None,
        max_score: float | None,
        message: str = "",
    ) -> bool:
        """Record a job's result once; False where it was recorded already."""
        now = time.time()
        try:
            with self._begin() as db:
                db.execute(
                    results.insert().values(
                        submission_id=job.id,
                        generation=job.generation,
                        created=now,
                        worker=worker,
                        status=status,
                        score=score,
                        max_score=max_score,
                        result=result,
                    )
                )
                db.execute(
                    submissions.update()
                    .where(submissions.c.id == job.id)
                    .where(submissions.c.generation == job.generation)
                    .values(
                        status=status,
                        score=score,
                        max_score=max_score,
                        message=message,
                        finished=now,
                        lease_until=0.0,
                        counts=status != ERROR,
                    )
                )
        except IntegrityError:
            return False
        return True

    def give_back(self, job: Job, worker: str, message: str) -> str:
        """The grader failed this job: queue it again, or end it as ``error``.

        Returns the status it is left in. An ``error`` does not count
        against the student's limit.
        """
        with self._begin() as db:
            if job.attempts < MAX_ATTEMPTS:
                db.execute(
                    _claimed(job, worker).values(
                        status=QUEUED, worker="", lease_until=0.0, message=message
                    )
                )
                return QUEUED
        self.record(job, worker, ERROR, "", None, None, message)
        return ERROR

    def recover(self, *, everything: bool = False) -> int:
        """Queue again the running jobs whose lease ran out; how many.

        With ``everything``, every running job: what a service on its own
        database finds on starting, after a crash. A job that has used its
        ``MAX_ATTEMPTS`` ends as ``error``.
        """
        now = time.time()
        query = sa.select(
            submissions.c.id,
            submissions.c.generation,
            submissions.c.attempts,
            submissions.c.worker,
        ).where(submissions.c.status == RUNNING)
        if not everything:
            query = query.where(submissions.c.lease_until < now)
        with self._begin() as db:
            stale = db.execute(query).all()
        for row in stale:
            job = Job(int(row.id), int(row.generation), int(row.attempts), "", "", b"")
            self.give_back(job, row.worker, "the grading was interrupted")
        return len(stale)

    def regrade(self) -> int:
        """Queue every finished submission again, a generation up; how many."""
        with self._begin() as db:
            done = db.execute(
                submissions.update()
                .where(submissions.c.status.in_((GRADED, INVALID, ERROR)))
                .values(
                    status=QUEUED,
                    generation=submissions.c.generation + 1,
                    attempts=0,
                    worker="",
                    lease_until=0.0,
                )
            )
        return int(done.rowcount)


def fair_order(rows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Queued jobs (id, person) in turns: each person's first, then seconds.

    One student who sends many submissions waits behind everyone else's
    first, not in front of them.
    """
    seen: dict[int, int] = {}
    keyed = []
    for id_, person in rows:  # oldest first
        turn = seen.get(person, 0)
        seen[person] = turn + 1
        keyed.append((turn, id_, person))
    return [(id_, person) for _turn, id_, person in sorted(keyed)]


def _claimed(job: Job, worker: str) -> sa.Update:
    """An update of ``job``'s row while ``worker`` still holds it."""
    return (
        submissions.update()
        .where(submissions.c.id == job.id)
        .where(submissions.c.generation == job.generation)
        .where(submissions.c.status == RUNNING)
        .where(submissions.c.worker == worker)
    )
