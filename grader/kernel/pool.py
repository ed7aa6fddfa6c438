"""Each grading's kernel on a thread of its own (``Kernel``), and a pool of one.

A ``Kernel`` starts a sandboxed kernel (``grader.kernel.session.KernelSession``),
runs the assignment's imports in it, then one submission's ``Work``
(``grader.kernel.work``), and shuts it down. A batch worker keeps one started ahead
(``KernelPool``) while it judges the submission before.
"""

from __future__ import annotations

import queue
import threading

from grader import errors
from grader.files import socket_folder, temporary_folder
from grader.kernel.kernel_side import PRELUDE
from grader.kernel.protocol import KernelRun
from grader.kernel.session import PRELUDE_SECONDS, KernelSession
from grader.kernel.work import Progress, Work
from grader.reports.results import Stopwatch
from grader.sandbox.choice import Sandbox, for_one_kernel
from grader.sandbox.limits import Limits


class Kernel:
    """One submission's kernel, on a thread of its own; started ahead in a pool.

    The kernel starts, in the sandbox, and runs the assignment's imports as
    soon as this is made: in a batch worker's pool (``KernelPool``), while
    the worker judges the submission before. One submission's work then runs
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
        self._jobs: queue.Queue[tuple[Work, Progress] | None]
        self._jobs = queue.Queue(maxsize=1)
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
        progress: Progress | None = None
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
                    work, progress = job
                    progress.phases += [
                        (f"{name} (started ahead)" if self.ahead else name, seconds)
                        for name, seconds in watch.phases
                    ]
                    if failure is not None:
                        raise failure
                    outcome: KernelRun | BaseException = work.run(
                        session, sandbox.limits, progress
                    )
                watch = Stopwatch()
            watch.lap("kernel shutdown")
            progress.phases += watch.phases
        except BaseException as exc:  # handed to the grading that waits
            outcome = exc
        if progress is None:
            # The kernel failed before its submission came (killed while it
            # started, say): the submission, when it comes, is told so
            # rather than left waiting for a kernel that is gone.
            job = self._jobs.get()
            if job is None:
                return
            progress = job[1]
            if isinstance(outcome, BaseException) and not isinstance(
                outcome, errors.GraderError
            ):
                outcome = errors.KernelError(
                    errors.KERNEL_WOULD_NOT_START.format(reason=_said(outcome))
                )
        progress.finish(outcome)

    def start(self, work: Work, progress: Progress) -> None:
        """Run one submission's work in this kernel, on its thread."""
        if self._used:
            raise RuntimeError("a kernel serves one submission")
        self._used = True
        self._jobs.put((work, progress))

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
    """At most one ``Kernel`` kept ready for the next submission."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._ready: Kernel | None = None

    def take(self) -> Kernel:
        """The kernel started ahead (one is started now if there is none)."""
        kernel, self._ready = self._ready or Kernel(self.sandbox), None
        return kernel

    def refill(self) -> None:
        """Start the next submission's kernel, unless one is ready."""
        if self._ready is None:
            self._ready = Kernel(self.sandbox, ahead=True)

    def close(self) -> None:
        """Shut down the kernel kept ready, if any."""
        if self._ready is not None:
            self._ready.close()
            self._ready = None


def _said(exc: BaseException) -> str:
    """An exception in a few words: its type, and its first line if it has one."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


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
