"""How a batch stands: the counts so far (``Tally``), plain data.

Results' data, as ``results`` is: the batch counts them, ``render`` draws
the progress line and bar from them, and neither imports the other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from grader.reports.results import GRADED, INVALID, SubmissionResult


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
