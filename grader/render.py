"""Renderers of a ``GradeReport``: terminal text and Gradescope's results.json."""

from __future__ import annotations

import json
from typing import Any

from grader.report import GradeReport


def _points(value: float) -> str:
    return f"{value:g}"


def render_text(report: GradeReport, *, show_hidden: bool = True) -> str:
    """A report for the terminal: one line per check, reasons under failures."""
    lines = [f"Grading {report.notebook}", ""]
    function = None
    for check in report.checks:
        if not (check.visible or show_hidden):
            continue
        if check.function != function:
            function = check.function
            lines.append(function)
        mark = "PASS" if check.passed else "FAIL"
        name = check.name.split(": ", 1)[-1]
        hidden = "" if check.visible else " (hidden)"
        score = f"{_points(check.points)}/{_points(check.max_points)}"
        lines.append(f"  {mark}  {score:>7}  {name}{hidden}")
        lines.append(f"                 {check.message}")
    for note in report.notes:
        lines.append(f"note: {note}")
    lines.append("")
    lines.append(
        f"Total: {_points(report.score)}/{_points(report.max_score)}"
        f"  ({report.seconds:.1f} s)"
    )
    return "\n".join(lines)


def to_gradescope(report: GradeReport) -> dict[str, Any]:
    """The report in Gradescope's ``results.json`` schema."""
    return {
        "score": report.score,
        "max_score": report.max_score,
        "execution_time": round(report.seconds, 3),
        "output": "\n".join(report.notes),
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
