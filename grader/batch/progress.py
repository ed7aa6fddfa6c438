"""How a batch stands (``Tally``) and its display on standard error."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TextIO

from grader.render import render_bar, render_progress
from grader.report import GRADED, INVALID, SubmissionResult


@dataclass
class Tally:
    """How a batch stands: the counts so far, updated after each result.

    A finished submission was ``graded``, ``invalid`` (not a notebook of this
    assignment) or an ``error`` (grading could not finish); ``reused`` counts
    the results kept from an earlier run, whatever their status.
    """

    total: int
    started: float = field(default_factory=time.monotonic)
    graded: int = 0
    invalid: int = 0
    errors: int = 0
    reused: int = 0

    @property
    def not_graded(self) -> int:
        """Submissions finished without a grade: invalid ones and errors."""
        return self.invalid + self.errors

    @property
    def finished(self) -> int:
        """Submissions finished, graded or not."""
        return self.graded + self.not_graded

    @property
    def remaining(self) -> int:
        """Submissions not finished yet."""
        return self.total - self.finished

    @property
    def elapsed(self) -> float:
        """Seconds since the batch started."""
        return time.monotonic() - self.started

    def add(self, result: SubmissionResult) -> None:
        """Count one finished submission."""
        if result.status == GRADED:
            self.graded += 1
        elif result.status == INVALID:
            self.invalid += 1
        else:
            self.errors += 1
        self.reused += result.reused


class Progress:
    """Progress of a batch on a stream (standard error for the command).

    On a terminal, a bar that ticks every second under a line per finished
    submission; elsewhere (a log, CI), the line per submission only.
    """

    def __init__(self, total: int, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._tally = Tally(total=total)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        if self._tty and total:
            threading.Thread(target=self._tick, daemon=True).start()

    def __call__(self, result: SubmissionResult, tally: Tally) -> None:
        """Print the line for one finished submission, then the bar."""
        with self._lock:
            self._tally = tally
            prefix = "\r\x1b[K" if self._tty else ""
            print(prefix + render_progress(result, tally), file=self._stream)
            self._draw()

    def _draw(self) -> None:
        if self._tty:
            print("\r\x1b[K" + render_bar(self._tally), end="", file=self._stream)
        self._stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                self._draw()

    def close(self) -> None:
        """Stop the bar and leave the cursor on a fresh line."""
        self._stop.set()
        with self._lock:
            if self._tty:
                print("\r\x1b[K", end="", file=self._stream, flush=True)
