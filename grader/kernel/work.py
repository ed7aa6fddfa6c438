"""One submission's work in its kernel, and what has come of it so far.

``Work`` is what the kernel runs for one submission: its graded cells, then
the grader's kernel code, then each function's probes. ``Progress`` is what
has come of it: the kernel's thread fills it as it goes and marks each
function once its answers are in; the grading's thread waits on it
(``grader.kernel.submission``) and reads it.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.editions import get
from grader.editions.probes import payload
from grader.kernel.protocol import (
    AnswerStatus,
    CellOutcome,
    KernelRun,
    ProbeAnswer,
    read_answers,
)
from grader.kernel.session import (
    BOUND_CELL_SECONDS,
    PRELUDE_SECONDS,
    TIMEOUT_ENAME,
    KernelSession,
)
from grader.reports.results import Stopwatch
from grader.sandbox.limits import Limits

if TYPE_CHECKING:
    from grader.notebooks.read import GradedCell

SUBMISSION_TIME_UP = "the submission's time ran out before this cell"


class Stopped(BaseException):
    """The grading waiting for a submission's kernel was stopped (Ctrl-C)."""


@dataclass(frozen=True)
class Work:
    """One submission's graded cells and the functions to probe.

    ``probed`` lists the graded functions whose probes run, in the graded
    cells' order; ``deadline`` is the ``time.monotonic()`` after which
    nothing more runs; ``imports``, the notebook's own, run first.
    """

    graded: dict[str, GradedCell]
    probed: tuple[str, ...]
    visible_only: bool
    deadline: float
    imports: str = ""
    #: Each probe's layers named as in a new process (the solution's run).
    fresh_names: bool = False

    @classmethod
    def of(
        cls,
        graded: dict[str, GradedCell],
        probed: Collection[str] | None,
        visible_only: bool,
        deadline: float,
        imports: str = "",
        fresh_names: bool = False,
    ) -> Work:
        """The work of ``graded``, probing those of ``probed`` (None: all)."""
        names = tuple(n for n in graded if probed is None or n in probed)
        return cls(graded, names, visible_only, deadline, imports, fresh_names)

    def run(
        self, session: KernelSession, limits: Limits, progress: Progress
    ) -> KernelRun:
        """Run the graded cells, the grader's kernel code and the probes.

        What comes of each goes into ``progress`` as it comes.
        """
        watch = Stopwatch()
        kernel_side = (
            resources.files("grader.kernel").joinpath("kernel_side.py").read_text()
        )

        def run(source: str, limit: float, *, keep: bool = False) -> CellOutcome:
            if progress.stopped:
                raise Stopped
            left = self.deadline - time.monotonic()
            if left <= 1:
                return CellOutcome("timeout", TIMEOUT_ENAME, SUBMISSION_TIME_UP)
            return session.run(source, min(limit, left), keep=keep)

        cut = []
        if self.imports:  # cannot fail: each statement is wrapped
            run(self.imports, limits.cell_seconds, keep=True)
        for name, cell in self.graded.items():
            progress.cells[name] = run(cell.source, limits.cell_seconds, keep=True)
            if session.last_cut:
                cut.append(name)
        watch.lap("graded cells")
        run(kernel_side, max(limits.cell_seconds, PRELUDE_SECONDS), keep=True)
        watch.lap("grader's kernel code")
        progress.mark(cells=True)
        for name in self.probed:
            nonce = secrets.token_hex(16)
            path = session.outbox / f"{name}-{secrets.token_hex(8)}.json"
            edition = self.graded[name].edition if name in self.graded else None
            table = None if edition is None else get(edition).probes
            calls = payload(name, visible_only=self.visible_only, table=table)
            call = _probe_call(name, calls, path, nonce, self.fresh_names)
            progress.probe_cells[name] = run(call, limits.probe_seconds)
            keys = {p["key"] for p in calls}
            progress.answers[name] = read_answers(path, nonce, keys)
            if _ran_out(progress.probe_cells[name], progress.answers[name]):
                # One limit is enough: the functions probed next that call
                # this one get a short limit per call of it.
                run(f"_grader_bound({name!r})", BOUND_CELL_SECONDS, keep=True)
            watch.lap(f"models built in the kernel: {name}")
            progress.mark(function=name)
        progress.phases += watch.phases
        return KernelRun(
            cells=progress.cells,
            answers=progress.answers,
            probe_cells=progress.probe_cells,
            output_cut=tuple(cut),
            peak_rss_mb=session.peak_rss_mb,
        )


class Progress:
    """What has come of a submission's ``Work`` so far, and how it ended.

    Shared by two threads: the kernel's fills ``cells``, ``answers`` and
    ``probe_cells`` and marks each function ready; the grading's waits on
    that (``wait``) and reads them. ``stopped`` asks the kernel's thread to
    run nothing more.
    """

    def __init__(self, probed: Collection[str]) -> None:
        self.probed = probed
        self.cells: dict[str, CellOutcome] = {}
        self.answers: dict[str, list[ProbeAnswer]] = {}
        self.probe_cells: dict[str, CellOutcome] = {}
        self.phases: list[tuple[str, float]] = []
        self.stopped = False
        self._changed = threading.Condition()
        self._ready: set[str] = set()
        self._cells_done = False
        self._outcome: KernelRun | BaseException | None = None

    def mark(self, *, function: str | None = None, cells: bool = False) -> None:
        """Record that ``function``'s answers are in, or that the cells have run."""
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


def _ran_out(cell: CellOutcome, answers: list[ProbeAnswer]) -> bool:
    """Whether a function's probes ran out of time (``AnswerStatus.TIMEOUT``)."""
    own = [a for a in answers if a.status == AnswerStatus.TIMEOUT and not a.message]
    return cell.status == "timeout" or bool(own)


def _probe_call(
    name: str, calls: list[dict[str, Any]], path: Path, nonce: str, fresh: bool
) -> str:
    probes = json.dumps(calls)
    more = ", fresh=True" if fresh else ""
    return f"_grader_run_probes({name!r}, {probes!r}, {str(path)!r}, {nonce!r}{more})"
