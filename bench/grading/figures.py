"""The bench's figures: everything one run measured, and the goals from it.

Owns the record of a run (what each side measured, this side's extras) and
the figures the goals are judged on, derived from it and never stored: the
speed-up of a grading, the batch's rate, its heaviest worker, the check's
median. Also the explanations of misses, as data for the report. Imports the
sides, the runs, the measures and the memory measure.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .measures import Gradings
from .memory import Boxed
from .runs import Run
from .sides import Side

Phases = list[tuple[str, float]]


@dataclass(frozen=True)
class Figures:
    """One run of the bench: both sides' figures and this side's extras."""

    about: list[str]
    head: str
    runs: int
    batch_size: int
    limits: list[int]
    old: Side
    new: Side
    warm: Run
    #: Gradings with an empty cache folder each, by side.
    cold: dict[str, Gradings]
    gradings: dict[str, Gradings]
    checks: dict[str, list[float]]
    boxed: dict[str, list[Boxed]]
    #: The older code's run_autograder with the limit hidden from it.
    hidden: dict[int, Boxed]
    batches: dict[str, Run]
    #: The course folder's gradebook's differences from the one before.
    course: list[str] | None
    half: Gradings | None
    hang: float | None
    #: The notebook top to bottom: seconds and peak MB.
    notebook: tuple[float, float] | None

    @property
    def labels(self) -> tuple[str, str]:
        """The two sides' column headings."""
        return (self.old.label, f"this code ({self.head})")

    @property
    def speed(self) -> float:
        """How many times faster this code's median grading is."""
        old, new = self.gradings[self.old.label], self.gradings[self.new.label]
        return old.median / new.median

    def boxed_at(self, limit: int) -> list[Boxed | None]:
        """Each side's ``run_autograder`` in ``limit`` MB, old then new."""
        return [
            next((x for x in self.boxed[side.label] if x.limit == limit), None)
            for side in (self.old, self.new)
        ]

    @property
    def rates(self) -> dict[str, float]:
        """Each side's batch: submissions a minute."""
        return {
            label: self.batch_size / done.seconds * 60
            for label, done in self.batches.items()
        }

    @property
    def batch_ratio(self) -> float:
        """How many times this code's batch rate is the older code's."""
        rates = self.rates
        return rates[self.new.label] / rates[self.old.label]

    @property
    def worst(self) -> dict[str, float]:
        """Each side's heaviest batch worker's peak, in MB."""
        return {
            label: max((p for p, _ in done.workers), default=0.0)
            for label, done in self.batches.items()
        }

    @property
    def counted(self) -> dict[str, int]:
        """How many workers each side's batch was seen to run."""
        return {label: len(done.workers) for label, done in self.batches.items()}

    @property
    def check(self) -> dict[str, float]:
        """Each side's median ``grader check`` of one function."""
        return {label: statistics.median(found) for label, found in self.checks.items()}


@dataclass(frozen=True)
class Explanations:
    """Where the time went, measured for the goals missed only."""

    #: cProfile of this code's ``grader grade``, if it is less than 2x faster.
    grade_profile: list[str] | None = None
    #: One more ``grader check`` of each side, wall time and report phases,
    #: and a cProfile of this code's, if its check is above 5 s.
    check_phases: tuple[tuple[float, Phases], tuple[float, Phases]] | None = None
    check_profile: list[str] | None = None
