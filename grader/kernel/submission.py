"""A submission running in its kernel: ``start_submission`` and ``Submission``.

The grading starts a submission and goes on at once; it waits for each
function's answers (``Submission.wait_for``) and judges that function while
the kernel builds the next one's models.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import TYPE_CHECKING

from grader.kernel.pool import Kernel
from grader.kernel.protocol import KernelRun
from grader.kernel.work import Progress, Work
from grader.sandbox.choice import Sandbox

if TYPE_CHECKING:
    from grader.notebooks.read import GradedCell


def start_submission(
    graded: dict[str, GradedCell],
    *,
    sandbox: Sandbox,
    startup_timeout: float = 60,
    probed: Collection[str] | None = None,
    visible_only: bool = False,
    kernel: Kernel | None = None,
    imports: str = "",
    fresh_names: bool = False,
) -> Submission:
    """Start running a submission in its own kernel; return at once.

    The prelude, the graded cells, then the probes of each function, in the
    kernel, on a thread of its own (``grader.kernel.pool.Kernel``): the returned
    ``Submission`` says when each function's answers are in, so that the
    judge can check one function while the kernel builds the next.
    ``probed`` limits which functions are probed (all graded ones by default;
    every graded cell still runs, as ``ResNet50`` calls the blocks), and
    ``visible_only`` keeps to the calls the notebook itself shows;
    ``imports``, the notebook's own imports (``grader.notebooks.read.own_imports``),
    run before the graded cells. The time
    limits are the sandbox's: per cell, per function's probes, and for the
    whole submission, after which nothing more runs. ``kernel``, a
    ``Kernel`` started ahead (its prelude run), is used instead of
    starting one, and is used up: it serves this submission only. With
    ``fresh_names`` (the solution's run) each probe's unnamed layers are
    named as in a new process.
    """
    # The submission's time counts from here: its own kernel's start and the
    # imports count, a warm kernel's, done ahead, do not.
    deadline = time.monotonic() + sandbox.limits.submission_seconds
    work = Work.of(graded, probed, visible_only, deadline, imports, fresh_names)
    progress = Progress(work.probed)
    if not graded:
        # Nothing to run (every function is still the stub): no kernel needed.
        progress.finish(KernelRun(cells={}, answers={}, probe_cells={}))
        return Submission(progress, sandbox)
    kernel = kernel or Kernel(sandbox, startup_timeout=startup_timeout)
    kernel.start(work, progress)
    return Submission(progress, sandbox, kernel)


class Submission:
    """A submission running in its kernel (``start_submission``)."""

    def __init__(
        self, progress: Progress, sandbox: Sandbox, kernel: Kernel | None = None
    ) -> None:
        self._progress = progress
        self._sandbox = sandbox
        self._kernel = kernel
        #: The kernel's run as far as it has come: a function's entries are
        #: there once ``wait_for`` has returned for it.
        self.live = KernelRun(
            cells=progress.cells,
            answers=progress.answers,
            probe_cells=progress.probe_cells,
        )

    @property
    def phases(self) -> list[tuple[str, float]]:
        """The kernel's own phases (``--timings``), once it has finished."""
        return list(self._progress.phases)

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
        outcome = self._progress.wait(function)
        if isinstance(outcome, BaseException):
            self._end()
            raise outcome

    def result(self) -> KernelRun:
        """Wait for the end: the kernel's whole run, the kernel shut down."""
        outcome = self._progress.wait(None)
        self._end()
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        return outcome

    def stop(self) -> None:
        """Stop the kernel now, its cells unfinished, and wait until it is gone."""
        self._progress.stopped = True
        if self._kernel is not None:
            self._kernel.kill()
        self._end()

    def _end(self) -> None:
        if self._kernel is not None:
            self._kernel.join()
