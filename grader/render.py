"""Renderers of a ``GradeReport``: terminal text and Gradescope's results.json."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from grader.report import CheckResult, GradeReport


def _points(value: float) -> str:
    return f"{value:g}"


def render_text(report: GradeReport, *, show_hidden: bool = True) -> str:
    """A report for the terminal: one line per check, the reason under each.

    When every check of a function fails for one reason (a stub, a crash),
    the reason is printed once, under the function's name.
    """
    lines = [f"Grading {report.notebook}", ""]
    functions = dict.fromkeys(check.function for check in report.checks)
    for function in functions:
        checks = [
            check
            for check in report.for_function(function)
            if check.visible or show_hidden
        ]
        lines.append(function)
        lines.extend(render_checks(checks))
    for note in report.notes:
        lines.append(f"note: {note}")
    if report.protections:
        lines.append("")
        lines.append("Sandbox")
        lines.extend(render_protections(report))
    lines.append("")
    lines.append(
        f"Total: {_points(report.score)}/{_points(report.max_score)}"
        f"  ({report.seconds:.1f} s)"
    )
    return "\n".join(lines)


def render_protections(report: GradeReport) -> list[str]:
    """One line per protection of the sandbox: on or OFF, and what it means."""
    return [
        f"  {'on ' if p.active else 'OFF'}  {p.name}: {p.detail}"
        for p in report.protections
    ]


def render_checks(checks: Iterable[CheckResult]) -> list[str]:
    """Lines for the checks of one function: mark, points, name, then the reason.

    The grader's report and the notebook's public checks both print these.
    """
    checks = list(checks)
    reasons = {check.message for check in checks if not check.passed}
    shared = len(reasons) == 1 and not any(check.passed for check in checks)
    lines = [f"  every check fails: {reasons.pop()}"] if shared else []
    for check in checks:
        mark = "PASS" if check.passed else "FAIL"
        name = check.name.split(": ", 1)[-1]
        hidden = "" if check.visible else " (hidden)"
        score = f"{_points(check.points)}/{_points(check.max_points)}"
        lines.append(f"  {mark}  {score:>7}  {name}{hidden}")
        if not shared:
            lines.append(f"                 {check.message}")
    return lines


def to_gradescope(report: GradeReport) -> dict[str, Any]:
    """The report in Gradescope's ``results.json`` schema."""
    return {
        "score": report.score,
        "max_score": report.max_score,
        "execution_time": round(report.seconds, 3),
        "output": "\n".join(
            [*report.notes, "Sandbox:", *render_protections(report)]
            if report.protections
            else report.notes
        ),
        "tests": [
            {
                "name": check.name,
                "score": check.points,
                "max_score": check.max_points,
                "status": "passed" if check.passed else "failed",
                "output": check.message,
                "visibility": "visible" if check.visible else "after_published",
                "tags": [check.function],
            }
            for check in report.checks
        ],
    }


def render_gradescope(report: GradeReport) -> str:
    """``to_gradescope`` as JSON text."""
    return json.dumps(to_gradescope(report), indent=2) + "\n"


def render_points(checks: Iterable[Any]) -> str:
    """The points table as Markdown: function, check, points, who sees it.

    ``checks`` are rows of the checks table (``grader.checks.CHECKS``).
    """
    rows = [
        "| function | check | points | seen by students |",
        "|---|---|---:|---|",
    ]
    total = 0.0
    for check in checks:
        seen = "yes" if check.visible else "after grades are published"
        rows.append(
            f"| `{check.function}` | {check.name} | {_points(check.points)} | {seen} |"
        )
        total += check.points
    rows.append(f"| | **total** | **{_points(total)}** | |")
    return "\n".join(rows)
