"""Grading workers: each takes a job from the database and grades it warm.

A ``Grading`` is a thread that drives one warm worker process of the
batch's (``WarmWorker``: TensorFlow imported, the next sandboxed kernel
started with the assignment's imports done before the submission comes).
It claims a job (``Store.claim``), renews its lease while the grading runs,
and records the result once (``Store.record``). A failure of the grader's
own (a crash, a kernel that would not start or was killed from outside,
the machine out of memory) gives the job back to the queue; after
``MAX_ATTEMPTS`` it ends as ``error``, which does not count against the
student. A limit the student's code reached stays the student's result.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

from grader.batch.options import Options
from grader.batch.workers import Verdict, WarmWorker
from grader.files import temporary_folder
from grader.kernel.session import UNEXPLAINED_DEATH
from grader.notebooks.discover import file_name
from grader.reports.points import Policy
from grader.reports.results import ERROR, GRADED, SubmissionResult
from grader.service.jobs import Job
from grader.service.store import Store
from grader.version import grader_version

#: Seconds a claim lasts unless renewed; renewed every third of it.
LEASE_SECONDS = 60.0
#: Seconds an idle worker waits for news of a job before looking again.
IDLE_SECONDS = 1.0
#: Seconds between tries while the database cannot be reached, and how many
#: tries a result is kept for.
AWAY_SECONDS = 2.0
AWAY_TRIES = 150
T = TypeVar("T")


class Grading(threading.Thread):
    """One grading worker: a thread over a warm worker process."""

    def __init__(
        self,
        store: Store,
        options: Options,
        *,
        policy: Policy | None = None,
        wake: threading.Event | None = None,
        name: str = "",
        lease: float = LEASE_SECONDS,
    ) -> None:
        super().__init__(name=f"grader-service-{name or 'worker'}", daemon=True)
        self.store = store
        self.options = options
        self.policy = policy or Policy()
        self.wake = wake or threading.Event()
        #: Seconds a claim lasts unless renewed (renewed every third of it).
        self.lease = lease
        self.stopping = threading.Event()
        #: Who holds a claim: unique to this worker and this run of it.
        self.worker_id = f"{name or 'worker'}-{uuid.uuid4().hex[:12]}"
        self._warm = WarmWorker(options)

    def run(self) -> None:
        """Grade jobs until ``stop``; the warm process is ended on the way out.

        A database that cannot be reached is waited for: the worker looks
        again every ``AWAY_SECONDS`` and goes on once it is back.
        """
        try:
            self._warm.start()
            while not self.stopping.is_set():
                try:
                    job = self.store.claim(self.worker_id, self.lease)
                except DBAPIError:
                    self.stopping.wait(AWAY_SECONDS)
                    continue
                if job is None:
                    self.wake.wait(IDLE_SECONDS)
                    self.wake.clear()
                    continue
                self.grade(job)
        finally:
            self._warm.close()

    def stop(self) -> None:
        """Ask the worker to end after the job it is on."""
        self.stopping.set()
        self.wake.set()

    def grade(self, job: Job) -> str | None:
        """Grade one claimed job and record what came of it; its status.

        None where the database stayed away too long to record it.
        """
        renewing = threading.Event()
        renewer = threading.Thread(
            target=self._renew, args=(job, renewing), daemon=True
        )
        renewer.start()
        try:
            verdict = self._verdict(job)
        finally:
            renewing.set()
            renewer.join()
        grader_fault = _grader_fault(verdict)
        if grader_fault:
            return self._patiently(
                lambda: self.store.give_back(job, self.worker_id, grader_fault)
            )
        result = self._result(job, verdict)
        report = result.report
        self._patiently(
            lambda: self.store.record(
                job,
                self.worker_id,
                result.status,
                json.dumps(result.to_dict()),
                report.score if report is not None else None,
                report.max_score if report is not None else None,
                result.message,
            )
        )
        return result.status

    def _patiently(self, write: Callable[[], T]) -> T | None:
        """``write()``, tried again while the database is away, for a while.

        Past ``AWAY_TRIES`` the result is dropped: the claim's lease runs
        out and another worker grades the job again, so nothing is lost.
        """
        for _ in range(AWAY_TRIES):
            try:
                return write()
            except DBAPIError:
                if self.stopping.wait(AWAY_SECONDS):
                    break
        return None

    def _renew(self, job: Job, done: threading.Event) -> None:
        while not done.wait(self.lease / 3):
            try:
                held = self.store.renew_lease(job, self.worker_id, self.lease)
            except DBAPIError:
                continue  # the database away: the lease may still be renewed
            if not held:
                return  # lost: whatever this grading finds is not recorded twice

    def _verdict(self, job: Job) -> Verdict:
        """Grade the job's notebook from a file of its own, removed after."""
        with temporary_folder("grader-service-") as tmp:
            path = tmp / shown_name(job.filename)
            path.write_bytes(job.notebook)
            verdict = self._warm.grade(path)
        return replace(
            verdict, message=verdict.message.replace(str(path), job.filename)
        )

    def _result(self, job: Job, verdict: Verdict) -> SubmissionResult:
        report = verdict.report
        if report is not None:
            report = replace(report, notebook=job.filename)
        result = SubmissionResult(
            student=job.login,
            notebook=job.filename,
            sha256=hashlib.sha256(job.notebook).hexdigest(),  # as the batch's
            status=verdict.status,
            message=verdict.message,
            report=report,
            seconds=verdict.seconds,
            grader=grader_version(),
            options=self.options.key(),
        )
        if self.policy.key() and report is not None:
            from grader.batch.many import scored

            result = scored(result, self.policy)
        return result


def shown_name(filename: str) -> str:
    """A safe file name for a submitted notebook's temporary copy."""
    stem = Path(filename).stem or "notebook"
    return f"{file_name(stem)[:80] or 'notebook'}.ipynb"


def _grader_fault(verdict: Verdict) -> str:
    """Why the grading failed for the grader's own reasons; "" if it did not.

    An ``error`` verdict is the grader's (its crash, a kernel that would not
    start, a grading past every limit). So is a kernel that died where no
    limit of the sandbox's killed it: killed from outside, or by the
    machine's memory running out.
    """
    if verdict.status == ERROR:
        return verdict.message or "the grader failed"
    if verdict.status == GRADED and verdict.report is not None:
        for check in verdict.report.checks:
            if check.message.endswith(UNEXPLAINED_DEATH):
                return f"the grading's kernel died ({check.message})"
    return ""
