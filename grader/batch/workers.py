"""The processes that grade a batch: warm workers here, a child per notebook.

``run_here`` runs ``jobs`` warm workers (``WarmWorker``, ``python -m
grader.batch --worker``, ``worker_main``) on this machine: each imports
TensorFlow once and grades one notebook after another, each in a kernel of
its own started ahead, and writes each ``Verdict`` as JSON. A grader crash,
a kernel that will not die or a notebook that brings TensorFlow down costs
that one submission and a new worker. ``grade_file`` starts ``python -m
grader.batch NOTEBOOK ANSWER OPTIONS`` (``child_main``) for one notebook;
``grade_bytes`` grades a notebook's bytes the same way: what a Dask worker
runs (``grader.batch.cluster``).
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.batch.options import Options
from grader.errors import GraderError
from grader.files import (
    SOCKETS_ENV,
    sockets_base,
    tail_line,
    temporary_folder,
    write_atomically,
)
from grader.notebooks.discover import Submission, file_name
from grader.reports.results import ERROR, GRADED, INVALID, GradeReport

if TYPE_CHECKING:
    from grader.kernel.pool import KernelPool
    from grader.sandbox.choice import Sandbox

#: Seconds a child may take beyond the submission's own limit: kernel start,
#: the assignment's imports and the checks that run in the grading process.
OVERHEAD_SECONDS = 300
#: Seconds a warm worker told to end may take before it is killed.
CLOSE_SECONDS = 30


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
        process = _start_child(
            [str(path), str(answer), json.dumps(options.to_dict())],
            child_tmp,
            sockets,
            stderr_path,
            piped=False,
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


def _start_child(
    args: list[str], tmp: Path, sockets: Path, stderr_path: Path, *, piped: bool
) -> subprocess.Popen[bytes]:
    """Start ``python -m grader.batch ARGS`` leading its own process group.

    Its ``TMPDIR`` is ``tmp`` and its kernels' sockets go below ``sockets``
    (folders the batch removes); standard error goes to ``stderr_path``;
    with ``piped``, standard input and output are pipes (a warm worker's).
    """
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TMPDIR": str(tmp),
        SOCKETS_ENV: str(sockets),
    }
    stream = subprocess.PIPE if piped else subprocess.DEVNULL
    with open(stderr_path, "wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "grader.batch", *args],
            stdin=stream,
            stdout=stream,
            stderr=stderr,
            env=env,
            start_new_session=True,
            # What it writes is for the batch alone: where its kernels run as
            # another user, they may enter its folders but read nothing there
            # that is not theirs.
            umask=0o077,
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
    from grader.sandbox.choice import choose

    options = Options.from_dict(json.loads(options_json))
    try:
        sandbox = choose(
            require=options.require_sandbox,
            disable=options.no_sandbox,
            kernel_user=options.kernel_user,
            limits=options.limits,
        )
        verdict = _verdict(notebook, options, sandbox=sandbox)
    except GraderError as exc:
        verdict = Verdict(ERROR, str(exc))
    write_atomically(Path(answer), json.dumps(verdict.to_dict()))
    return 0


def _verdict(
    notebook: str,
    options: Options,
    *,
    sandbox: Sandbox | None = None,
    pool: KernelPool | None = None,
) -> Verdict:
    """Grade one notebook, in ``sandbox`` or with a kernel from ``pool``."""
    from grader.errors import NotebookError
    from grader.grading import grade

    try:
        report = grade(
            notebook,
            functions=options.functions,
            visible_only=options.visible_only,
            sandbox=sandbox,
            pool=pool,
            edition=options.edition,
        )
    except NotebookError as exc:
        return Verdict(INVALID, str(exc))
    except GraderError as exc:
        return Verdict(ERROR, str(exc))
    return Verdict(GRADED, report=report)


def worker_main(folder: str, options_json: str) -> int:
    """A warm worker: grade the notebooks named on standard input, one a line.

    Each line is JSON, ``{"notebook": PATH, "answer": NAME}``; the verdict
    goes to the file ``NAME`` in ``folder`` (the worker's, which the batch
    made and removes) as ``child_main`` writes it, then a line ``done`` to
    standard output; anything else the worker prints goes to standard error.
    TensorFlow is imported once, and each submission's kernel was started,
    with the assignment's imports done, while the one before was judged
    (``grader.kernel.pool.KernelPool``); Keras' session is cleared before each
    grading, so that layer names the grader's own models get are those of a
    fresh process and results are the same as ``child_main``'s.
    """
    from grader.kernel.pool import KernelPool
    from grader.sandbox.choice import choose

    options = Options.from_dict(json.loads(options_json))
    # Standard output is the batch's channel: nothing else may write a line
    # there, so file descriptor 1 becomes standard error for everything else.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    pool = None
    try:
        sandbox = choose(
            require=options.require_sandbox,
            disable=options.no_sandbox,
            kernel_user=options.kernel_user,
            limits=options.limits,
        )
        refused = ""
    except GraderError as exc:
        refused = str(exc)
    else:
        pool = KernelPool(sandbox)
        pool.refill()
    import keras

    import grader.judging.checks  # noqa: F401  (TensorFlow, while the kernel starts)

    try:
        for line in sys.stdin:
            job = json.loads(line)
            if pool is None:
                verdict = Verdict(ERROR, refused)
            else:
                keras.backend.clear_session()
                verdict = _verdict(job["notebook"], options, pool=pool)
            answer = Path(folder) / Path(job["answer"]).name
            write_atomically(answer, json.dumps(verdict.to_dict()))
            print("done", file=channel, flush=True)
    finally:
        if pool is not None:
            pool.close()
    return 0


class WarmWorker:
    """A ``worker_main`` process, run from the batch: grade one notebook at a time.

    A worker that crashes, or runs past a submission's limit plus
    ``OVERHEAD_SECONDS``, is killed with its kernels, which costs that
    submission (an ``error``, as ``grade_file`` says it) and a new worker
    for the next. Its files live in a folder of the batch's, removed however
    it ended.
    """

    def __init__(self, options: Options, children: Children | None = None) -> None:
        self._options = options
        self._children = children
        self._process: subprocess.Popen[bytes] | None = None
        self._folder: ExitStack | None = None
        self._root = Path()
        self._count = 0

    def start(self) -> None:
        """Start the worker process now, so that it is warm for the first."""
        if self._process is None:
            self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        stack = ExitStack()
        root = stack.enter_context(temporary_folder("grader-batch-"))
        sockets = stack.enter_context(sockets_base(root))
        (root / "tmp").mkdir()
        process = _start_child(
            ["--worker", str(root), json.dumps(self._options.to_dict())],
            root / "tmp",
            sockets,
            root / "stderr.txt",
            piped=True,
        )
        self._folder, self._root, self._process = stack, root, process
        if self._children is not None:
            self._children.add(process)
        return process

    def grade(self, path: Path) -> Verdict:
        """Grade one notebook; never raises for anything the notebook does."""
        started = time.monotonic()
        verdict = self._grade(path)
        return replace(verdict, seconds=round(time.monotonic() - started, 3))

    def _grade(self, path: Path) -> Verdict:
        process = self._process or self._start()
        self._count += 1
        answer = self._root / f"result-{self._count}.json"
        limit = self._options.limits.submission_seconds + OVERHEAD_SECONDS
        assert process.stdin is not None and process.stdout is not None
        try:
            line = json.dumps({"notebook": str(path), "answer": answer.name})
            process.stdin.write(line.encode() + b"\n")
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], limit)
            said = process.stdout.readline() if ready else None
        except (OSError, ValueError):
            said = b""
        if said is None:
            self.close()
            return Verdict(ERROR, f"grading ran past {limit:g} s and was stopped")
        if self._children is not None and self._children.stopping:
            self.close()
            return Verdict(ERROR, "interrupted")
        if said.strip() == b"done":
            try:
                verdict = Verdict.from_dict(json.loads(answer.read_text("utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                pass
            else:
                answer.unlink(missing_ok=True)
                return verdict
        _kill(process)
        code = process.wait()
        tail = tail_line(self._root / "stderr.txt")
        self.close()
        return Verdict(
            ERROR,
            f"the grader crashed (exit status {code})" + (f": {tail}" if tail else ""),
        )

    def close(self) -> None:
        """End the worker (and its kernels) and remove its folder."""
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                try:
                    process.stdin.close()  # the worker ends its loop
                except OSError:
                    pass
            try:
                process.wait(timeout=CLOSE_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            _kill(process)  # and anything it left behind
            process.wait()
            if process.stdout is not None:
                process.stdout.close()
            if self._children is not None:
                self._children.remove(process)
        folder, self._folder = self._folder, None
        if folder is not None:
            folder.close()


#: Called with a task's index and its verdict as each grading finishes.
Finish = Callable[[int, Verdict], None]


def run_here(
    todo: Sequence[tuple[int, Submission]],
    options: Options,
    finish: Finish,
    *,
    jobs: int,
) -> None:
    """Grade ``todo`` on this machine with ``jobs`` warm workers at once.

    Each worker (``WarmWorker``) grades one submission after another; Ctrl-C
    kills the workers and re-raises once the threads have ended.
    """
    children = Children()
    count = max(1, min(jobs, len(todo)))
    idle: queue.Queue[WarmWorker] = queue.Queue()
    workers = [WarmWorker(options, children) for _ in range(count)]
    for worker in workers:
        idle.put(worker)

    def grade(path: Path) -> Verdict:
        worker = idle.get()
        try:
            return worker.grade(path)
        finally:
            idle.put(worker)

    pool = ThreadPoolExecutor(max_workers=count)
    pending: dict[Future[Verdict], int] = {
        pool.submit(grade, submission.path): index for index, submission in todo
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
        for worker in workers:
            worker.close()
        raise
    pool.shutdown(wait=True)
    for worker in workers:
        worker.close()
