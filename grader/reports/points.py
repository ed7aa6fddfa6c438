"""Points the instructor sets: a TOML file of points and visibility per check.

The checks table (``grader.judging.checks.CHECKS``) sets every check's points and
whether students see it before grades are published. A points file changes
some of them, and ``grader points --points FILE`` prints the table it makes::

    # A check as a number: its points.
    [identity_block]
    "layer names" = 2

    # Or as a table: points, visible, or both.
    [ResNet50]
    "short training run" = { points = 10, visible = true }

Checks the file does not name keep the table's points and visibility. A
check's verdict never depends on its points: the judge finds what share of
it is right (``CheckResult.credit``, 0 to 1) and the points follow from that
share and the policy (``grader.reports.results.earned``). So results graded
under one policy are re-scored under another (``rescore``) without running
the notebook again.

Errors are one line, naming the file and the entry at fault (``PointsError``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project's CI runs 3.11
    import tomli as tomllib

from grader.errors import GraderError
from grader.reports.results import GradeReport, earned

#: The keys a check's table may hold.
KEYS = ("points", "visible")

NO_FILE = "{path}: no such points file"
UNREADABLE = "{path}: cannot be read ({reason})"
NOT_TOML = "{path}: not a valid TOML file ({reason})"
UNKNOWN_FUNCTION = "{path}: no graded function is called {name!r}{hint}"
NOT_A_TABLE = (
    "{path}: [{function}] should be a table of that function's checks, "
    'such as "layer names" = 4'
)
UNKNOWN_CHECK = "{path}: {function} has no check {name!r}{hint}"
UNKNOWN_KEY = (
    "{path}: {title}: unknown key {key!r}; a check's table takes points and visible"
)
NOT_POINTS = "{path}: {title}: points must be a number, not {value!r}"
NEGATIVE = "{path}: {title}: points must be 0 or more, not {value:g}"
NOT_FINITE = "{path}: {title}: points must be a finite number, not {value}"
NOT_VISIBLE = "{path}: {title}: visible must be true or false, not {value!r}"
NOTHING_TO_EARN = "{path}: the checks add up to 0 points; give at least one points"


class PointsError(GraderError, ValueError):
    """A points file cannot be read, or sets something no check can have."""


class Row(Protocol):
    """What the policy reads of a row of the checks table."""

    @property
    def function(self) -> str: ...  # noqa: D102

    @property
    def name(self) -> str: ...  # noqa: D102

    @property
    def points(self) -> float: ...  # noqa: D102

    @property
    def visible(self) -> bool: ...  # noqa: D102


RowT = TypeVar("RowT", bound=Row)


@dataclass(frozen=True)
class Setting:
    """What a points file sets for one check; ``None`` keeps the table's."""

    points: float | None = None
    visible: bool | None = None


@dataclass(frozen=True)
class Policy:
    """The points file's settings, by check title (``function: check``).

    The empty policy is the checks table's own points and visibility.
    """

    settings: Mapping[str, Setting] = field(default_factory=dict)
    source: str = ""

    def key(self) -> str:
        """A digest of the settings, ``""`` for the table's own.

        A stored result records it; results scored under another key are
        re-scored (see ``grader.batch``).
        """
        if not self.settings:
            return ""
        data = {
            title: [setting.points, setting.visible]
            for title, setting in sorted(self.settings.items())
        }
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def apply(self, table: Sequence[RowT]) -> tuple[RowT, ...]:
        """The rows of ``table`` with this policy's points and visibility."""
        rows = []
        for row in table:
            setting = self.settings.get(f"{row.function}: {row.name}", Setting())
            rows.append(
                replace(  # type: ignore[type-var]
                    row,
                    points=row.points if setting.points is None else setting.points,
                    visible=row.visible if setting.visible is None else setting.visible,
                )
            )
        return tuple(rows)


def rescore(report: GradeReport, table: Sequence[Row]) -> GradeReport:
    """The report with each check's points and visibility from ``table``.

    ``table`` is the checks table with a policy applied (``Policy.apply``).
    Each check keeps its verdict (its credit and message); checks the table
    does not have are kept as they are.
    """
    rows = {f"{row.function}: {row.name}": row for row in table}
    checks = []
    for check in report.checks:
        row = rows.get(check.title)
        if row is None:
            checks.append(check)
            continue
        checks.append(
            replace(
                check,
                max_points=row.points,
                points=earned(row.points, check.fraction),
                visible=row.visible,
                credit=check.fraction,
            )
        )
    return replace(report, checks=tuple(checks))


def load_policy(path: Path, table: Sequence[Row]) -> Policy:
    """Read and check a points file against the checks ``table``.

    Raises ``PointsError`` with one line naming the file and the entry at
    fault: a file missing or not TOML, a function or check the table does
    not have (with the close names), a key other than points and visible,
    points that are not a number, negative or infinite, a visible that is
    not a boolean, or a table whose points add up to 0.
    """
    data = _read_toml(path)
    checks: dict[str, dict[str, Row]] = {}
    for row in table:
        checks.setdefault(row.function, {})[row.name] = row
    settings: dict[str, Setting] = {}
    for function, entries in data.items():
        if function not in checks:
            hint = _close(function, checks, "the functions are")
            raise PointsError(
                UNKNOWN_FUNCTION.format(path=path, name=function, hint=hint)
            )
        if not isinstance(entries, dict):
            raise PointsError(NOT_A_TABLE.format(path=path, function=function))
        for name, value in entries.items():
            if name not in checks[function]:
                hint = _close(name, checks[function], f"{function}'s checks are")
                raise PointsError(
                    UNKNOWN_CHECK.format(
                        path=path, function=function, name=name, hint=hint
                    )
                )
            title = f"{function}: {name}"
            settings[title] = _setting(path, title, value)
    policy = Policy(settings, source=str(path))
    if sum(row.points for row in policy.apply(table)) <= 0:
        raise PointsError(NOTHING_TO_EARN.format(path=path))
    return policy


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PointsError(NO_FILE.format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise PointsError(UNREADABLE.format(path=path, reason=reason)) from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PointsError(NOT_TOML.format(path=path, reason=exc)) from None
    return data


def _setting(path: Path, title: str, value: Any) -> Setting:
    """One check's entry: a number (its points) or a table of points and visible."""
    entry = value if isinstance(value, dict) else {"points": value}
    for key in entry:
        if key not in KEYS:
            raise PointsError(UNKNOWN_KEY.format(path=path, title=title, key=key))
    points = entry.get("points")
    if points is not None:
        # TOML's booleans are not points, though Python's bool is an int.
        if isinstance(points, bool) or not isinstance(points, (int, float)):
            raise PointsError(NOT_POINTS.format(path=path, title=title, value=points))
        if not math.isfinite(points):
            raise PointsError(NOT_FINITE.format(path=path, title=title, value=points))
        if points < 0:
            raise PointsError(NEGATIVE.format(path=path, title=title, value=points))
        points = float(points)
    visible = entry.get("visible")
    if visible is not None and not isinstance(visible, bool):
        raise PointsError(NOT_VISIBLE.format(path=path, title=title, value=visible))
    return Setting(points=points, visible=visible)


def _close(name: str, known: Mapping[str, object], listing: str) -> str:
    """``; did you mean 'x'?`` where a known name is close, else the list of them."""
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if close:
        return "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    return f"; {listing} " + ", ".join(repr(k) for k in known)
