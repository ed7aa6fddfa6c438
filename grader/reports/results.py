"""Grading results as plain data. Totals are derived, never stored."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LayerBox:
    """One layer as a picture of a layer graph shows it."""

    name: str
    kind: str
    #: Its settings, short: ``"4 filters, 3x3, stride 1, 'same'"``.
    settings: str = ""
    #: Its output shape without the batch axis: ``"4x4x6"``.
    shape: str = ""
    params: int | None = None
    inputs: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LayerBox:
        """A layer from ``asdict``'s data."""
        return cls(**{**data, "inputs": tuple(data.get("inputs", ()))})


@dataclass(frozen=True)
class GraphWindow:
    """Where a student's layer graph first parts from the reference's.

    ``reference`` and ``student`` are a few layers of each graph around the
    first difference, in graph order; row ``at`` of each is where they part.
    A side that is ``None`` at row ``at`` has no layer where the other has
    one (a layer missing, or one too many); ``text`` is the difference as
    the check's message words it.
    """

    text: str
    at: int
    reference: tuple[LayerBox | None, ...]
    student: tuple[LayerBox | None, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GraphWindow:
        """A window from ``asdict``'s data."""

        def side(boxes: list[dict[str, Any] | None]) -> tuple[LayerBox | None, ...]:
            return tuple(None if b is None else LayerBox.from_dict(b) for b in boxes)

        return cls(
            text=data["text"],
            at=int(data["at"]),
            reference=side(data["reference"]),
            student=side(data["student"]),
        )


@dataclass(frozen=True)
class CheckResult:
    """What one check found in one submission: points earned and the reason.

    ``credit`` is the judge's verdict, the share of the check that is right
    (0 to 1), whatever the check's points; ``points`` is what that share
    earns under the points in force (``earned``). Results
    stored before checks had a credit have ``None``, read as their points'
    share. ``window`` is set where a structural check failed: the layers
    around the first place the student's graph parts from the reference's,
    for a picture (``grader.reports.html``).
    """

    function: str
    name: str
    max_points: float
    points: float
    message: str
    visible: bool = True
    credit: float | None = None
    window: GraphWindow | None = None

    @property
    def title(self) -> str:
        """The name shown in reports and gradebooks: ``function: check``."""
        return f"{self.function}: {self.name}"

    @property
    def fraction(self) -> float:
        """The share of the check that is right, from 0 to 1."""
        if self.credit is not None:
            return self.credit
        if self.max_points > 0:
            return min(1.0, self.points / self.max_points)
        return 1.0

    @property
    def passed(self) -> bool:
        """Whether the check is wholly right (and so earned all its points)."""
        return self.fraction >= 1


def earned(points: float, credit: float) -> float:
    """The points of a check worth ``points`` that is ``credit`` (0 to 1) right.

    Rounded to hundredths, and never all the points of a check that is not
    wholly right: 107 of ResNet50's 108 names right earns 4.95 of 5.
    """
    if credit >= 1:
        return points
    if credit <= 0 or points <= 0:
        return 0.0
    return max(0.0, min(round(points * credit, 2), round(points - 0.01, 2)))


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
    #: Where the time went: ``(phase, seconds)`` in order (``--timings``).
    phases: tuple[tuple[str, float], ...] = ()
    #: The edition of the assignment it was graded as (``grader.editions``).
    edition: str = "2020"

    @property
    def score(self) -> float:
        """Points earned over all checks."""
        # To hundredths: partial credit has two decimals, and a float sum of
        # them can come to 99.94999999999999.
        return round(sum(check.points for check in self.checks), 2)

    @property
    def max_score(self) -> float:
        """Points available over all checks, to hundredths as ``score``."""
        return round(sum(check.max_points for check in self.checks), 2)

    def for_function(self, function: str) -> tuple[CheckResult, ...]:
        """The checks of one graded function, in order."""
        return tuple(check for check in self.checks if check.function == function)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data; ``from_dict`` reads it back."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        """A report from ``to_dict``'s data."""
        return cls(
            notebook=data["notebook"],
            checks=tuple(_check_from_dict(check) for check in data["checks"]),
            notes=tuple(data.get("notes", ())),
            seconds=float(data.get("seconds", 0.0)),
            protections=tuple(
                Protection(**protection) for protection in data.get("protections", ())
            ),
            phases=tuple((str(n), float(s)) for n, s in data.get("phases", ())),
            edition=str(data.get("edition", "2020")),
        )


def _check_from_dict(data: dict[str, Any]) -> CheckResult:
    fields = dict(data)
    # Versions before the title was derived stored it ("function: check") as
    # the name.
    fields["name"] = fields["name"].removeprefix(f"{fields['function']}: ")
    # Versions before the picture of a structural failure stored no window.
    window = fields.pop("window", None)
    return CheckResult(
        **fields, window=GraphWindow.from_dict(window) if window else None
    )


GRADED = "graded"
INVALID = "invalid"
ERROR = "error"


def notebook_name(path: str | Path, *, cwd: str | Path | None = None) -> str:
    """A notebook as a report names it, not where it is on the grading machine.

    Its path as given where that lies inside the current folder (``cwd``),
    else only its file name: ``grader grade /tmp/x/subs/s1.ipynb`` from
    ``/home/me`` says ``s1.ipynb``, from ``/tmp/x`` ``subs/s1.ipynb``.
    """
    path = Path(path)
    here = os.path.abspath(cwd if cwd is not None else os.getcwd())
    relative = os.path.relpath(os.path.normpath(os.path.join(here, path)), here)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return path.name
    return Path(relative).as_posix()


@dataclass(frozen=True)
class SubmissionResult:
    """One submission of a batch: who, which file, and what came of it.

    ``status`` is ``graded`` (``report`` holds the checks), ``invalid`` (the
    file is not a notebook of this assignment; ``message`` says why) or
    ``error`` (grading could not finish: the kernel would not start, the
    grading ran past its time, or the grader crashed; ``message`` says which).
    ``sha256`` is the notebook's content hash and ``grader`` the version that
    graded it; together they decide whether a later run may reuse the result.
    ``notebook`` is the file's name below the folder graded, which every
    report shows (``grader.notebooks.discover.Submission.name``); ``path`` is
    where the batch read it, for the similarity page drawn again later
    (``""`` in results stored before it, whose ``notebook`` is that path).
    """

    student: str
    notebook: str
    sha256: str
    status: str
    message: str = ""
    report: GradeReport | None = None
    seconds: float = 0.0
    grader: str = ""
    options: str = ""
    #: The points policy the scores follow (``grader.reports.points.Policy.key``),
    #: ``""`` for the checks table's own.
    policy: str = ""
    reused: bool = False
    path: str = ""

    @property
    def source(self) -> Path:
        """Where the notebook was read from."""
        return Path(self.path or self.notebook)

    @property
    def score(self) -> float:
        """Points earned; 0 when the submission could not be graded."""
        return self.report.score if self.report is not None else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data; ``from_dict`` reads it back."""
        data = asdict(self)
        data["report"] = self.report.to_dict() if self.report is not None else None
        del data["reused"]
        return data

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, reused: bool = False
    ) -> SubmissionResult:
        """A result from ``to_dict``'s data."""
        report = data.get("report")
        return cls(
            student=data["student"],
            notebook=data["notebook"],
            sha256=data["sha256"],
            status=data["status"],
            message=data.get("message", ""),
            report=GradeReport.from_dict(report) if report else None,
            seconds=float(data.get("seconds", 0.0)),
            grader=data.get("grader", ""),
            options=data.get("options", ""),
            policy=data.get("policy", ""),
            reused=reused,
            path=data.get("path", ""),
        )


class Stopwatch:
    """Wall time of consecutive phases, a report's ``phases``.

    ``lap(name)`` ends the current one.
    """

    def __init__(self) -> None:
        self.phases: list[tuple[str, float]] = []
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        """Record the time since the last lap as phase ``name``."""
        now = time.monotonic()
        self.phases.append((name, round(now - self._last, 3)))
        self._last = now
