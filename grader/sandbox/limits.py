"""What one submission may use: ``Limits``, and the error for impossible ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from grader.errors import (
    GraderError,
)
from grader.reports.results import Protection

MB = 1024 * 1024


class LimitsError(GraderError, ValueError):
    """Limits no grading could run under (a time of 0, too little memory)."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times are wall-clock seconds.

    Raises ``LimitsError`` for a time that is not more than 0, or less than
    ``MIN_MEMORY_MB`` of memory or ``MIN_CPU_SECONDS`` of CPU time. The
    messages name the command line's options, which set these fields.
    """

    cell_seconds: float = 60.0
    probe_seconds: float = 60.0
    submission_seconds: float = 600.0
    memory_mb: int = 4096
    cpu_seconds: int = 600
    processes: int = 64
    threads: int = 1024
    output_kb: int = 1024
    scratch_mb: int = 256

    #: Below these, not even the assignment's imports would run.
    MIN_MEMORY_MB: ClassVar[int] = 512
    MIN_CPU_SECONDS: ClassVar[int] = 10
    #: Each time field and the option that sets it.
    TIME_OPTIONS: ClassVar[dict[str, str]] = {
        "cell_seconds": "--cell-timeout",
        "probe_seconds": "--probe-timeout",
        "submission_seconds": "--submission-timeout",
    }

    def __post_init__(self) -> None:
        for name, option in self.TIME_OPTIONS.items():
            if getattr(self, name) <= 0:
                raise LimitsError(f"{option} must be more than 0 seconds")
        if self.memory_mb < self.MIN_MEMORY_MB or self.cpu_seconds < (
            self.MIN_CPU_SECONDS
        ):
            raise LimitsError(
                f"--memory must be at least {self.MIN_MEMORY_MB}, "
                f"--cpu at least {self.MIN_CPU_SECONDS}"
            )

    def describe(self, *, namespaces: bool, counted: str = "") -> list[Protection]:
        """The limits as report lines; they hold on every system.

        Threads are limited inside a user namespace, or, where the kernel runs
        as another user, for that user's processes, ``counted`` saying whose
        ("user nobody's processes together"; see ``_rlimits``).
        """
        threads = (
            f"{self.threads} threads"
            if namespaces
            else f"{self.threads} threads for {counted}"
            if counted
            else "threads not limited (no user namespace)"
        )
        return [
            Protection(
                "time",
                True,
                f"{self.cell_seconds:g} s per cell, {self.probe_seconds:g} s per "
                f"function's probes, {self.submission_seconds:g} s per submission; "
                "interrupted, then killed",
            ),
            Protection(
                "memory",
                True,
                f"{self.memory_mb} MB for the kernel's whole process tree",
            ),
            Protection("CPU time", True, f"{self.cpu_seconds} s for the process tree"),
            Protection(
                "processes",
                True,
                f"{self.processes} processes and {threads}",
            ),
            Protection(
                "output", True, f"{self.output_kb} KB per cell kept, the rest dropped"
            ),
        ]
