"""A batch's progress shown on standard error (its counts: ``tally``)."""

from __future__ import annotations

import threading
from typing import TextIO

from grader.reports.render import render_bar, render_progress
from grader.reports.results import SubmissionResult
from grader.reports.tally import Tally


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
