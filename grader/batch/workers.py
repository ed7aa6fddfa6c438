"""Grading one notebook in a child process, and the runners that grade many.

``grade_file`` starts ``python -m grader.batch NOTEBOOK ANSWER OPTIONS``
(``child_main``), which grades and writes its ``Verdict`` as JSON, so a
grader crash, a kernel that will not die or a notebook that brings TensorFlow
down costs that one submission only. ``run_here`` runs ``jobs`` children at
once on this machine; ``run_on_cluster`` sends each notebook's bytes to a
Dask worker, which runs ``grade_bytes`` (the same ``grade_file``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.batch.discover import Submission, file_name
from grader.batch.options import Options
from grader.batch.store import write_atomically
from grader.errors import GraderError
from grader.files import SOCKETS_ENV, sockets_base, tail_line, temporary_folder
from grader.report import ERROR, GRADED, INVALID, GradeReport

#: Seconds a child may take beyond the submission's own limit: kernel start,
#: the assignment's imports and the checks that run in the grading process.
OVERHEAD_SECONDS = 300


@dataclass(frozen=True)
class Verdict:
    """What grading one notebook came to, as the child reports it.

    ``status`` is ``graded`` (``report`` holds the checks), ``invalid`` or
    ``error`` (``message`` says why); ``seconds`` is the whole grading's time,
    child process included.
    """

    status: str
    message: str = ""
    report: GradeReport | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data; ``from_dict`` reads it back."""
        return {
            "status": self.status,
            "message": self.message,
            "report": self.report.to_dict() if self.report is not None else None,
            "seconds": self.seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        """A verdict from ``to_dict``'s data."""
        report = data.get("report")
        return cls(
            status=data["status"],
            message=data.get("message", ""),
            report=GradeReport.from_dict(report) if report else None,
            seconds=float(data.get("seconds", 0.0)),
        )


class Children:
    """The child processes running now, so that Ctrl-C can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def add(self, process: subprocess.Popen[bytes]) -> None:
        """Track a child; one started after ``stop_all`` is killed at once."""
        with self._lock:
            self._running.add(process)
            stopping = self.stopping
        if stopping:
            _kill(process)

    def remove(self, process: subprocess.Popen[bytes]) -> None:
        """Stop tracking a child that has ended."""
        with self._lock:
            self._running.discard(process)

    def stop_all(self) -> None:
        """Kill every child, and any started from now on."""
        with self._lock:
            self.stopping = True
            running = list(self._running)
        for process in running:
            _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    # Each child leads its own process group: its kernel launcher goes too.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass


def grade_file(
    path: Path, options: Options, *, children: Children | None = None
) -> Verdict:
    """Grade one notebook in a child process.

    Never raises for anything the notebook does; a child that crashes or runs
    past the submission's limit plus ``OVERHEAD_SECONDS`` is an ``error``.
    """
    started = time.monotonic()
    verdict = _grade_in_child(path, options, children)
    return replace(verdict, seconds=round(time.monotonic() - started, 3))


def _grade_in_child(path: Path, options: Options, children: Children | None) -> Verdict:
    limit = options.limits.submission_seconds + OVERHEAD_SECONDS
    with temporary_folder("grader-batch-") as tmp, sockets_base(tmp) as sockets:
        answer = tmp / "result.json"
        stderr_path = tmp / "stderr.txt"
        # Everything the child makes lives here, so that it goes with this
        # folder however the child ends (killed, crashed, timed out).
        child_tmp = tmp / "tmp"
        child_tmp.mkdir()
        command = [
            sys.executable,
            "-m",
            "grader.batch",
            str(path),
            str(answer),
            json.dumps(options.to_dict()),
        ]
        env = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "TMPDIR": str(child_tmp),
            SOCKETS_ENV: str(sockets),
        }
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=env,
                start_new_session=True,
            )
        if children is not None:
            children.add(process)
        try:
            process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.wait()
            return Verdict(ERROR, f"grading ran past {limit:g} s and was stopped")
        finally:
            if children is not None:
                children.remove(process)
        _kill(process)  # anything the child left behind
        if children is not None and children.stopping:
            return Verdict(ERROR, "interrupted")
        try:
            return Verdict.from_dict(json.loads(answer.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            tail = tail_line(stderr_path)
            return Verdict(
                ERROR,
                f"the grader crashed (exit status {process.returncode})"
                + (f": {tail}" if tail else ""),
            )


def grade_bytes(name: str, data: bytes, options: Options, shown: str) -> Verdict:
    """``grade_file`` on a notebook sent as bytes: what a Dask worker runs.

    Messages name the notebook as ``shown`` (its path where it was sent
    from), not as the worker's temporary copy.
    """
    with temporary_folder("grader-remote-") as tmp:
        path = tmp / f"{file_name(name)}.ipynb"
        path.write_bytes(data)
        verdict = grade_file(path, options)
    return replace(verdict, message=verdict.message.replace(str(path), shown))


def child_main(notebook: str, answer: str, options_json: str) -> int:
    """The child process: grade one notebook and write its verdict as JSON."""
    from grader.errors import NotebookError
    from grader.grading import grade
    from grader.sandbox import choose

    options = Options.from_dict(json.loads(options_json))
    try:
        sandbox = choose(
            require=options.require_sandbox,
            disable=options.no_sandbox,
            limits=options.limits,
        )
        report = grade(
            notebook,
            functions=options.functions,
            visible_only=options.visible_only,
            sandbox=sandbox,
        )
        verdict = Verdict(GRADED, report=report)
    except NotebookError as exc:
        verdict = Verdict(INVALID, str(exc))
    except GraderError as exc:
        verdict = Verdict(ERROR, str(exc))
    write_atomically(Path(answer), json.dumps(verdict.to_dict()))
    return 0


#: Called with a task's index and its verdict as each grading finishes.
Finish = Callable[[int, Verdict], None]


def run_here(
    todo: Sequence[tuple[int, Submission]],
    options: Options,
    finish: Finish,
    *,
    jobs: int,
) -> None:
    """Grade ``todo`` in child processes on this machine, ``jobs`` at a time.

    Ctrl-C kills the children and re-raises once the threads have ended.
    """
    children = Children()
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    pending: dict[Future[Verdict], int] = {
        pool.submit(grade_file, submission.path, options, children=children): index
        for index, submission in todo
    }
    try:
        while pending:
            # A short wait, so that Ctrl-C reaches this thread promptly.
            finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(pending.pop(future), future.result())
    except BaseException:
        children.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def run_on_cluster(
    todo: Sequence[tuple[int, Submission]],
    options: Options,
    finish: Finish,
    *,
    scheduler: str,
) -> None:
    """Grade ``todo`` on the workers of the Dask cluster at ``scheduler``.

    A task that fails (a worker died) is an ``error``; Ctrl-C cancels the
    tasks not finished and re-raises.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise GraderError(
            "--scheduler needs Dask's distributed package: "
            "pip install 'resnet-grader[dask]'"
        ) from None
    # distributed has annotations but leaves some functions untyped.
    try:
        client = Client(scheduler, timeout="15s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise GraderError(
            f"{scheduler}: cannot reach the Dask scheduler ({exc})"
        ) from None
    with client:
        futures: dict[Any, int] = {}
        for index, submission in todo:
            data = submission.path.read_bytes()
            future = client.submit(
                grade_bytes,
                submission.student,
                data,
                options,
                str(submission.path),
                pure=False,
                key=f"grade-{file_name(submission.student)}-{index}",
            )
            futures[future] = index
        try:
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                try:
                    verdict = future.result()
                except Exception as exc:  # a worker died or the task failed
                    verdict = Verdict(ERROR, f"the Dask task failed: {exc}")
                finish(futures[future], verdict)
        except BaseException:
            client.cancel(list(futures))  # type: ignore[no-untyped-call]
            raise
