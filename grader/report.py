"""Grading results as plain data. Totals are derived, never stored."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one submission."""

    name: str
    function: str
    max_points: float
    points: float
    message: str
    visible: bool = True

    @property
    def passed(self) -> bool:
        """Whether the check earned all its points."""
        return self.points >= self.max_points


@dataclass(frozen=True)
class Protection:
    """One protection of the sandbox the submission ran in, on or off."""

    name: str
    active: bool
    detail: str


@dataclass(frozen=True)
class GradeReport:
    """Everything the grader found in one notebook."""

    notebook: str
    checks: tuple[CheckResult, ...]
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    protections: tuple[Protection, ...] = ()

    @property
    def score(self) -> float:
        """Points earned over all checks."""
        return sum(check.points for check in self.checks)

    @property
    def max_score(self) -> float:
        """Points available over all checks."""
        return sum(check.max_points for check in self.checks)

    def for_function(self, function: str) -> tuple[CheckResult, ...]:
        """The checks of one graded function, in order."""
        return tuple(check for check in self.checks if check.function == function)
