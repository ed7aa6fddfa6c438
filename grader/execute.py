"""Run student code in a Jupyter kernel through nbclient.

Only the graded cells run, after a prelude with the assignment's imports; the
rest of the notebook (training, the own-image cell) never does. Each cell has
a time limit: on expiry the kernel is interrupted, and if it does not answer a
trivial cell afterwards it is restarted and the cells that worked are replayed.
Probe answers come back through files in a fresh folder, never through the
kernel's printed output, and are read as untrusted data (``grader.protocol``).
The kernel runs in the sandbox of ``grader.sandbox``.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, cast

import nbformat
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

from grader import errors
from grader.files import socket_folder, tail_line, temporary_folder
from grader.kernel_side import PRELUDE
from grader.notebook import GradedCell
from grader.probes import payload
from grader.protocol import (
    AnswerStatus,
    CellOutcome,
    KernelRun,
    ProbeAnswer,
    read_answers,
)
from grader.sandbox import (
    Limits,
    Sandbox,
    Watchdog,
    ending,
    for_one_kernel,
    plan_kernel,
)

SUBMISSION_TIME_UP = "the submission's time ran out before this cell"

KERNEL_NAME = "grader-python"
TIMEOUT_ENAME = "CellTimeout"
DIED_ENAME = "KernelDied"
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
PASSED_ENV = ("TF_ENABLE_ONEDNN_OPTS",)
EVALUE_LIMIT = 2000
REPLAY_SECONDS = 60.0
# How long a kernel that was sent its death may take to die.
ENDING_SECONDS = 10.0
PRELUDE_SECONDS = 180.0
#: How long a launcher told to end (SIGTERM) may take to kill its kernel and
#: everything below it before it is killed itself.
LAUNCHER_SECONDS = 10.0
BOUND_CELL_SECONDS = 10.0
SIGNAL_REASONS = {
    24: "it used more than {cpu} s of CPU time",
    25: "it wrote a file larger than {scratch} MB",
}


# nbclient logs timeouts and interrupts as errors; they are results here.
_QUIET_LOG = logging.getLogger("grader.kernel")
_QUIET_LOG.addHandler(logging.NullHandler())
_QUIET_LOG.propagate = False


class Stopwatch:
    """Wall time of consecutive phases: ``lap(name)`` ends the current one."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, float]] = []
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        """Record the time since the last lap as phase ``name``."""
        now = time.monotonic()
        self.phases.append((name, round(now - self._last, 3)))
        self._last = now


def _kernel_spec_dir(root: Path, argv: list[str]) -> Path:
    """Write a kernelspec that starts the kernel through the sandbox.

    Whatever else is installed under the name ``python3`` is not used.
    """
    spec_dir = root / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [*argv, "{connection_file}"],
        "display_name": "grader",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return spec_dir.parent


class _CappedClient(NotebookClient):
    """A notebook client that keeps at most ``output_limit`` bytes per cell.

    Errors are always kept (shortened): they are what grading reads.
    """

    output_limit = 1024 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output_seen = 0
        self.output_cut = False

    def output(  # noqa: D102
        self,
        outs: list[nbformat.NotebookNode],
        msg: dict[str, Any],
        display_id: str | None,
        cell_index: int,
    ) -> nbformat.NotebookNode | None:
        content = msg.get("content", {})
        if msg.get("msg_type") == "error":
            content["evalue"] = str(content.get("evalue", ""))[:EVALUE_LIMIT]
            content["traceback"] = []
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(content, default=str))
        self.output_seen += size
        if self.output_seen > self.output_limit:
            self.output_cut = True
            return None
        return super().output(outs, msg, display_id, cell_index)


class KernelSession:
    """One sandboxed kernel, fed one cell at a time, restarted if it stops."""

    def __init__(
        self,
        root: Path,
        sandbox: Sandbox,
        *,
        startup_timeout: float,
        sockets: Path | None = None,
    ) -> None:
        # ``sockets``: a folder for the kernel's sockets, where ``root`` is too
        # deep for them (``grader.files.socket_folder``).
        if sockets is None:
            sockets = root / "ipc"
            sockets.mkdir()
        ipc = sockets
        self.outbox = root / f"results-{secrets.token_hex(8)}"
        self.outbox.mkdir()
        self._limits = sandbox.limits
        env = dict(QUIET_ENV)
        # Settings that change TensorFlow's numbers reach the kernel as well.
        env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
        launch = plan_kernel(sandbox, root, writable=[ipc, self.outbox], base_env=env)
        specs = KernelSpecManager(
            kernel_dirs=[str(_kernel_spec_dir(root, launch.argv))]
        )
        # nbclient needs the asynchronous manager: with a blocking client its
        # output polling would hold the event loop and no time limit would fire.
        # Unix sockets (``ipc``) cross into the kernel's network namespace, and
        # no TCP port is shared between gradings running side by side.
        self._km = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=specs,
            transport="ipc",
            ip=str(ipc / "k"),
            connection_file=str(ipc / "connection.json"),
        )
        self._nb = nbformat.v4.new_notebook()
        self._client = _CappedClient(
            self._nb,
            km=self._km,
            kernel_name=KERNEL_NAME,
            startup_timeout=int(startup_timeout),
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": TIMEOUT_ENAME,
                "evalue": "time limit reached",
                "traceback": [],
            },
            resources={"metadata": {"path": str(launch.workdir)}},
            log=_QUIET_LOG,
            on_cell_executed=self._keep_reply,
            shutdown_kernel="immediate",
        )
        self._client.output_limit = sandbox.limits.output_kb * 1024
        self._reply: dict[str, Any] = {}
        self._replay: list[tuple[str, float]] = []
        self._env = launch.env
        self._stderr_path = root / "kernel-stderr.txt"
        self._watchdog = Watchdog(sandbox.limits, self._kernel_pid)
        self._stopping = False
        self.last_cut = False

    def _kernel_process(self) -> subprocess.Popen[bytes] | None:
        """The launcher's process, or None between a death and a restart."""
        provisioner = self._km.provisioner
        return getattr(provisioner, "process", None) if provisioner else None

    def _kernel_pid(self) -> int | None:
        process = self._kernel_process()
        return process.pid if process is not None else None

    @property
    def peak_rss_mb(self) -> float:
        """The largest resident set the kernel's process tree was seen using."""
        return self._watchdog.peak_rss_mb

    @contextmanager
    def running(self) -> Iterator[KernelSession]:
        """Start the kernel for the duration of the ``with`` block."""
        with open(self._stderr_path, "wb") as stderr:
            # The grader's alone: a kernel running as another user could
            # otherwise read another kernel's.
            self._stderr_path.chmod(0o600)
            try:
                # The kernel's own output (TensorFlow's start-up chatter, and
                # whatever a student writes to file descriptor 1 or 2) never
                # reaches the grader's terminal.
                # nbclient leaves a kernel it did not create running; this one
                # is killed on the way out (``cleanup_kc``), at once.
                with self._client.setup_kernel(
                    cleanup_kc=True,
                    env=self._env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                ):
                    self._watchdog.start()
                    try:
                        yield self
                    finally:
                        self._watchdog.stop()
                        # Before nbclient kills the launcher's process group:
                        # the launcher must outlive its kernel to clear away
                        # what the kernel left running.
                        self._end_launcher()
                        self._watchdog.clear_strays()
            except (RuntimeError, TimeoutError, OSError) as exc:
                if self._client.kc is None:
                    raise errors.KernelError(
                        errors.KERNEL_WOULD_NOT_START.format(
                            reason=tail_line(self._stderr_path) or exc
                        )
                    ) from None
                raise

    def kill(self) -> None:
        """Kill the kernel now, for good: no restart follows (Ctrl-C)."""
        self._stopping = True
        process = self._kernel_process()
        if process is not None and process.poll() is None:
            # The launcher kills its kernel and everything below it, then
            # exits; the kernel's thread waits for that (``_end_launcher``).
            process.send_signal(signal.SIGTERM)

    def _end_launcher(self) -> None:
        """Have the launcher kill its kernel and all below it; wait until it has.

        A launcher that takes longer than ``LAUNCHER_SECONDS`` is killed.
        """
        process = self._kernel_process()
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(LAUNCHER_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def run(self, source: str, timeout: float, *, keep: bool = False) -> CellOutcome:
        """Execute ``source`` as one cell; with ``keep``, replay it after a restart."""
        outcome = self._execute(source, timeout)
        if self._stopping:
            return outcome
        if outcome.status == "timeout" and not self._responsive():
            self._restart()
        elif outcome.status == "died":
            self._restart()
        elif keep and outcome.ok:
            self._replay.append((source, timeout))
        return outcome

    def _keep_reply(self, **hook: object) -> None:
        reply = hook.get("execute_reply")
        self._reply = reply.get("content", {}) if isinstance(reply, dict) else {}

    def _execute(self, source: str, timeout: float) -> CellOutcome:
        cell = nbformat.v4.new_code_cell(source)
        self._reply = {}
        self._nb.cells.append(cell)
        self._client.timeout = int(max(1, timeout))
        self._client.output_seen = 0
        self._client.output_cut = False
        self._watchdog.take_reason()  # a kill before this cell is not its doing
        try:
            self._client.execute_cell(cell, len(self._nb.cells) - 1)
        except DeadKernelError:
            return CellOutcome("died", DIED_ENAME, self._death_reason())
        except CellTimeoutError:
            return CellOutcome("timeout", TIMEOUT_ENAME, "time limit reached")
        finally:
            self.last_cut = self._client.output_cut
        if self._ended():
            return CellOutcome("died", DIED_ENAME, self._death_reason())
        # On a time limit nbclient interrupts the kernel and hands back a made-up
        # reply at once; the kernel may still be busy (code that swallows
        # KeyboardInterrupt), so only the reply tells a timeout apart.
        timed_out = self._reply.get("ename") == TIMEOUT_ENAME
        errors_seen = [o for o in cell.outputs if o.get("output_type") == "error"]
        # Outputs are not kept: only errors matter, and output can be huge.
        cell.outputs = []
        if timed_out or any(e.get("ename") == "KeyboardInterrupt" for e in errors_seen):
            return CellOutcome("timeout", TIMEOUT_ENAME, "time limit reached")
        if errors_seen:
            return CellOutcome(
                "error", errors_seen[0]["ename"], errors_seen[0]["evalue"]
            )
        return CellOutcome("ok")

    def _ended(self) -> bool:
        """Whether the cell just answered has ended the kernel after all.

        A cell's answer can arrive before the death the cell caused (see
        ``sandbox.ending``); taking that cell for a success would keep it for
        replay and leave the next cell to find the kernel dead.
        """
        process = self._kernel_process()
        if process is None:
            return False
        if process.poll() is None and not ending(process.pid):
            return False
        deadline = time.monotonic() + ENDING_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return process.poll() is not None

    def _death_reason(self) -> str:
        reason = self._watchdog.take_reason()
        if reason:
            return reason
        process = self._kernel_process()
        code = process.poll() if process is not None else None
        if code is not None and code - 128 in SIGNAL_REASONS:
            return SIGNAL_REASONS[code - 128].format(
                cpu=self._limits.cpu_seconds, scratch=self._limits.scratch_mb
            )
        return "the kernel died"

    def _responsive(self) -> bool:
        """Whether the kernel runs a trivial cell (after a timeout, say)."""
        return self._execute("pass", 10).ok

    def _restart(self) -> None:
        self._end_launcher()
        self._watchdog.clear_strays()
        # A restart keeps the connection, so the client carries on as it is.
        run_sync(self._km.restart_kernel)(now=True)
        # nbclient types its client as the base KernelClient; an asynchronous
        # kernel manager's client is an AsyncKernelClient, which has the wait.
        client = cast(AsyncKernelClient, self._client.kc)
        run_sync(client.wait_for_ready)(timeout=self._client.startup_timeout)
        # Replayed cells worked once; on a busy machine a fresh kernel may take
        # longer to import TensorFlow, so they get at least REPLAY_SECONDS.
        for source, timeout in self._replay:
            self._execute(source, max(timeout, REPLAY_SECONDS))


def start_submission(
    graded: dict[str, GradedCell],
    *,
    sandbox: Sandbox,
    startup_timeout: float = 60,
    probed: Collection[str] | None = None,
    visible_only: bool = False,
    kernel: WarmKernel | None = None,
    imports: str = "",
) -> Submission:
    """Start running a submission in its own kernel; return at once.

    The prelude, the graded cells, then the probes of each function, in the
    kernel, on a thread of its own (``WarmKernel``): the returned
    ``Submission`` says when each function's answers are in, so that the
    judge can check one function while the kernel builds the next.
    ``probed`` limits which functions are probed (all graded ones by default;
    every graded cell still runs, as ``ResNet50`` calls the blocks), and
    ``visible_only`` keeps to the calls the notebook itself shows;
    ``imports``, the notebook's own imports (``grader.notebook.own_imports``),
    run before the graded cells. The time
    limits are the sandbox's: per cell, per function's probes, and for the
    whole submission, after which nothing more runs. ``kernel``, a
    ``WarmKernel`` started ahead (its prelude run), is used instead of
    starting one, and is used up: it serves this submission only.
    """
    # The submission's time counts from here: its own kernel's start and the
    # imports count, a warm kernel's, done ahead, do not.
    deadline = time.monotonic() + sandbox.limits.submission_seconds
    job = _Job(graded, probed, visible_only, deadline, imports)
    if not graded:
        # Nothing to run (every function is still the stub): no kernel needed.
        job.finish(KernelRun(cells={}, answers={}, probe_cells={}))
        return Submission(job, sandbox)
    kernel = kernel or WarmKernel(sandbox, startup_timeout=startup_timeout)
    kernel.start(job)
    return Submission(job, sandbox, kernel)


def _prelude(session: KernelSession, limits: Limits) -> None:
    """Run the assignment's imports; raises ``KernelError`` if they fail."""
    # The grader's own cells get their own limit: on a busy machine importing
    # TensorFlow alone can take a minute, and that is no fault of the student's.
    prelude = session.run(PRELUDE, max(limits.cell_seconds, PRELUDE_SECONDS), keep=True)
    if not prelude.ok:
        raise errors.KernelError(
            errors.KERNEL_WOULD_NOT_START.format(
                reason=f"the assignment's imports failed: {prelude.evalue}"
            )
        )


class _Stopped(BaseException):
    """The grading waiting for a submission's kernel was stopped (Ctrl-C)."""


class _Job:
    """One submission's graded cells and probes, and what came of them so far.

    The kernel's thread fills ``cells``, ``answers`` and ``probe_cells`` as
    it goes, and marks each function ``ready`` once its answers are in; the
    grading's thread waits on that (``Submission.wait_for``) and reads them.
    """

    def __init__(
        self,
        graded: dict[str, GradedCell],
        probed: Collection[str] | None,
        visible_only: bool,
        deadline: float,
        imports: str = "",
    ) -> None:
        self.graded = graded
        self.imports = imports
        self.deadline = deadline
        self.probed = [n for n in graded if probed is None or n in probed]
        self.visible_only = visible_only
        self.cells: dict[str, CellOutcome] = {}
        self.answers: dict[str, list[ProbeAnswer]] = {}
        self.probe_cells: dict[str, CellOutcome] = {}
        self.phases: list[tuple[str, float]] = []
        self.stopped = False
        self._changed = threading.Condition()
        self._ready: set[str] = set()
        self._cells_done = False
        self._outcome: KernelRun | BaseException | None = None

    def _mark(self, *, function: str | None = None, cells: bool = False) -> None:
        with self._changed:
            if function is not None:
                self._ready.add(function)
            self._cells_done = self._cells_done or cells
            self._changed.notify_all()

    def finish(self, outcome: KernelRun | BaseException) -> None:
        """Record how the kernel's part ended: its run, or what it raised."""
        with self._changed:
            self._outcome = outcome
            self._changed.notify_all()

    def wait(self, function: str | None) -> KernelRun | BaseException | None:
        """Wait until ``function``'s answers are in (None: until the end)."""
        with self._changed:
            while self._outcome is None:
                if function is not None:
                    if function in self._ready:
                        break
                    if function not in self.probed and self._cells_done:
                        break  # nothing more will come for it
                self._changed.wait()
            return self._outcome

    def run(self, session: KernelSession, limits: Limits) -> KernelRun:
        """Run the graded cells, the grader's kernel code and the probes."""
        watch = Stopwatch()
        kernel_side = resources.files("grader").joinpath("kernel_side.py").read_text()

        def run(source: str, limit: float, *, keep: bool = False) -> CellOutcome:
            if self.stopped:
                raise _Stopped
            left = self.deadline - time.monotonic()
            if left <= 1:
                return CellOutcome("timeout", TIMEOUT_ENAME, SUBMISSION_TIME_UP)
            return session.run(source, min(limit, left), keep=keep)

        cut = []
        if self.imports:  # cannot fail: each statement is wrapped
            run(self.imports, limits.cell_seconds, keep=True)
        for name, cell in self.graded.items():
            self.cells[name] = run(cell.source, limits.cell_seconds, keep=True)
            if session.last_cut:
                cut.append(name)
        watch.lap("graded cells")
        run(kernel_side, max(limits.cell_seconds, PRELUDE_SECONDS), keep=True)
        watch.lap("grader's kernel code")
        self._mark(cells=True)
        for name in self.probed:
            nonce = secrets.token_hex(16)
            path = session.outbox / f"{name}-{secrets.token_hex(8)}.json"
            edition = self.graded[name].edition if name in self.graded else None
            calls = payload(name, visible_only=self.visible_only, edition=edition)
            call = _probe_call(name, calls, path, nonce)
            self.probe_cells[name] = run(call, limits.probe_seconds)
            keys = {p["key"] for p in calls}
            self.answers[name] = read_answers(path, nonce, keys)
            if _ran_out(self.probe_cells[name], self.answers[name]):
                # One limit is enough: the functions probed next that call
                # this one get a short limit per call of it.
                run(f"_grader_bound({name!r})", BOUND_CELL_SECONDS, keep=True)
            watch.lap(f"models built in the kernel: {name}")
            self._mark(function=name)
        self.phases += watch.phases
        return KernelRun(
            cells=self.cells,
            answers=self.answers,
            probe_cells=self.probe_cells,
            output_cut=tuple(cut),
            peak_rss_mb=session.peak_rss_mb,
        )


class Submission:
    """A submission running in its kernel (``start_submission``)."""

    def __init__(
        self, job: _Job, sandbox: Sandbox, kernel: WarmKernel | None = None
    ) -> None:
        self._job = job
        self._sandbox = sandbox
        self._kernel = kernel
        #: The kernel's run as far as it has come: a function's entries are
        #: there once ``wait_for`` has returned for it.
        self.live = KernelRun(
            cells=job.cells, answers=job.answers, probe_cells=job.probe_cells
        )

    @property
    def phases(self) -> list[tuple[str, float]]:
        """The kernel's own phases (``--timings``), once it has finished."""
        return list(self._job.phases)

    @property
    def sandbox(self) -> Sandbox:
        """The sandbox the kernel ran in, its own user included.

        Known once the kernel has finished; where no kernel ran, the one given.
        """
        return self._kernel.sandbox if self._kernel is not None else self._sandbox

    def wait_for(self, function: str) -> None:
        """Wait until ``function``'s answers are in, or nothing more will come.

        Raises what stopped the kernel's part (``KernelError``).
        """
        outcome = self._job.wait(function)
        if isinstance(outcome, BaseException):
            self._end()
            raise outcome

    def result(self) -> KernelRun:
        """Wait for the end: the kernel's whole run, the kernel shut down."""
        outcome = self._job.wait(None)
        self._end()
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        return outcome

    def stop(self) -> None:
        """Stop the kernel now, its cells unfinished, and wait until it is gone."""
        self._job.stopped = True
        if self._kernel is not None:
            self._kernel.kill()
        self._end()

    def _end(self) -> None:
        if self._kernel is not None:
            self._kernel.join()


class WarmKernel:
    """One submission's kernel, on a thread of its own; started ahead in a pool.

    The kernel starts, in the sandbox, and runs the assignment's imports as
    soon as this is made: in a batch worker's pool (``KernelPool``), while
    the worker judges the submission before. One submission's job then runs
    in it (``start_submission``) and it is shut down. Nothing else ever runs
    in it, so no state passes between students. Every step of the kernel
    happens on that one thread: nbclient's event loop belongs to the thread
    that made it, and the launcher is killed when the thread that started it
    ends (``PR_SET_PDEATHSIG``).
    """

    def __init__(
        self, sandbox: Sandbox, *, startup_timeout: float = 60, ahead: bool = False
    ) -> None:
        #: Once the kernel has started, its own: with the user reserved for it
        #: (``for_one_kernel``).
        self.sandbox = sandbox
        self._startup_timeout = startup_timeout
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=1)
        self._used = False
        self._session: KernelSession | None = None
        #: Made by a pool before its submission came (``KernelPool.refill``):
        #: its start and imports are named "(started ahead)" in the phases.
        self.ahead = ahead
        self._thread = threading.Thread(
            target=self._serve, name="grader-kernel", daemon=True
        )
        self._thread.start()

    def _serve(self) -> None:
        job: _Job | None = None
        watch = Stopwatch()
        try:
            # The kernel's user, where it has one of its own, is given back
            # only once the kernel's folder is gone.
            with (
                for_one_kernel(self.sandbox) as sandbox,
                temporary_folder("grader-") as tmp,
                socket_folder(tmp) as sockets,
            ):
                self.sandbox = sandbox
                session = KernelSession(
                    tmp,
                    sandbox,
                    startup_timeout=self._startup_timeout,
                    sockets=sockets,
                )
                self._session = session
                with session.running():
                    watch.lap("kernel start")
                    failure: errors.KernelError | None = None
                    try:
                        _prelude(session, sandbox.limits)
                    except errors.KernelError as exc:
                        failure = exc
                    watch.lap("imports in the kernel")
                    job = self._jobs.get()
                    if job is None:
                        return
                    job.phases += [
                        (f"{name} (started ahead)" if self.ahead else name, seconds)
                        for name, seconds in watch.phases
                    ]
                    if failure is not None:
                        raise failure
                    outcome: KernelRun | BaseException = job.run(
                        session, sandbox.limits
                    )
                watch = Stopwatch()
            watch.lap("kernel shutdown")
            job.phases += watch.phases
        except BaseException as exc:  # handed to the grading that waits
            outcome = exc
        if job is not None:
            job.finish(outcome)

    def start(self, job: _Job) -> None:
        """Run one submission's job in this kernel, on its thread."""
        if self._used:
            raise RuntimeError("a kernel serves one submission")
        self._used = True
        self._jobs.put(job)

    def kill(self) -> None:
        """Kill the kernel now (the grading was stopped)."""
        session = self._session
        if session is not None:
            session.kill()

    def join(self) -> None:
        """Wait until the kernel is shut down and its folder removed."""
        self._thread.join()

    def close(self) -> None:
        """Shut the kernel down unused (a worker with nothing left to grade)."""
        if not self._used:
            self._used = True
            self._jobs.put(None)
        self._thread.join()


class KernelPool:
    """At most one ``WarmKernel`` kept ready for the next submission."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._ready: WarmKernel | None = None

    def take(self) -> WarmKernel:
        """The kernel started ahead (one is started now if there is none)."""
        kernel, self._ready = self._ready or WarmKernel(self.sandbox), None
        return kernel

    def refill(self) -> None:
        """Start the next submission's kernel, unless one is ready."""
        if self._ready is None:
            self._ready = WarmKernel(self.sandbox, ahead=True)

    def close(self) -> None:
        """Shut down the kernel kept ready, if any."""
        if self._ready is not None:
            self._ready.close()
            self._ready = None


def _ran_out(cell: CellOutcome, answers: list[ProbeAnswer]) -> bool:
    """Whether a function's probes ran out of time (``AnswerStatus.TIMEOUT``)."""
    own = [a for a in answers if a.status == AnswerStatus.TIMEOUT and not a.message]
    return cell.status == "timeout" or bool(own)


def _probe_call(name: str, calls: list[dict[str, Any]], path: Path, nonce: str) -> str:
    probes = json.dumps(calls)
    return f"_grader_run_probes({name!r}, {probes!r}, {str(path)!r}, {nonce!r})"
