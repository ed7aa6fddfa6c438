"""Renderers of reports: terminal text, Gradescope, gradebook, feedback, JUnit.

For one report: terminal text and Gradescope's results.json; for a batch:
the gradebook CSV, per-student Markdown feedback and JUnit XML.

Each takes finished reports and returns text; none grades or writes files.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from grader.errors import CONTACT_STAFF
from grader.reports.results import (
    ERROR,
    GRADED,
    CheckResult,
    GradeReport,
    SubmissionResult,
)

if TYPE_CHECKING:  # grader.batch renders with this module
    from grader.reports.tally import Tally

DEFAULT_EDITION = "2020"
"""The edition a report names only when it is another (``grader.editions``)."""


def _points(value: float) -> str:
    return f"{value:g}"


def render_text(report: GradeReport) -> str:
    """A report for the terminal: one line per check, the reason under each.

    When every check of a function fails for one reason (a stub, a crash),
    the reason is printed once, under the function's name.
    """
    lines = [f"Grading {report.notebook}", ""]
    if report.edition != DEFAULT_EDITION:
        # The 2020 edition's reports read as they did before editions.
        lines[1:1] = [f"Edition: {report.edition}"]
    functions = dict.fromkeys(check.function for check in report.checks)
    for function in functions:
        lines.append(function)
        lines.extend(render_checks(report.for_function(function)))
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
    reason = shared_reason(checks)
    shared = reason is not None
    lines = [f"  every check fails: {reason}"] if shared else []
    for check in checks:
        mark = "PASS" if check.passed else "FAIL"
        hidden = "" if check.visible else " (hidden)"
        score = f"{_points(check.points)}/{_points(check.max_points)}"
        lines.append(f"  {mark}  {score:>7}  {check.name}{hidden}")
        if not shared:
            lines.append(f"                 {check.message}")
    return lines


def shared_reason(checks: Sequence[CheckResult]) -> str | None:
    """The one reason every check failed for (a stub, a crash), or None."""
    reasons = {check.message for check in checks if not check.passed}
    if len(reasons) == 1 and not any(check.passed for check in checks):
        return reasons.pop()
    return None


def to_gradescope(report: GradeReport) -> dict[str, Any]:
    """The report in Gradescope's ``results.json`` schema.

    A later edition's report also names its edition (``extra_data``, which
    Gradescope keeps and shows no one; the output's first line says it too).
    """
    data = _gradescope(report)
    if report.edition != DEFAULT_EDITION:
        data["extra_data"] = {"edition": report.edition}
        data["output"] = "\n".join(
            line for line in (f"Edition: {report.edition}", data["output"]) if line
        )
    return data


def _gradescope(report: GradeReport) -> dict[str, Any]:
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
                "name": check.title,
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

    ``checks`` are rows of the checks table (``grader.judging.checks.CHECKS``).
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


def result_to_gradescope(result: SubmissionResult) -> dict[str, Any]:
    """A batch result in Gradescope's schema.

    A notebook that could not be graded scores 0, with the reason as output;
    where the grader failed (``error``), the student is told to contact the
    staff, the reason following for them.
    """
    if result.report is not None:
        return to_gradescope(result.report)
    message = result.message
    if result.status == ERROR:
        message = f"{CONTACT_STAFF}\n({message})"
    return gradescope_not_graded(message, seconds=result.seconds)


def gradescope_not_graded(
    message: str, *, seconds: float | None = None
) -> dict[str, Any]:
    """Gradescope's results for a submission that could not be graded.

    A score of 0, no tests and the reason as the output; ``execution_time``
    only where the grading's time is known (a batch's result).
    """
    results: dict[str, Any] = {"score": 0}
    if seconds is not None:
        results["execution_time"] = round(seconds, 3)
    results["output"] = message
    results["tests"] = []
    return results


def _check_columns(results: Sequence[SubmissionResult]) -> list[str]:
    names: dict[str, None] = {}
    for result in results:
        if result.report is not None:
            names.update(dict.fromkeys(check.title for check in result.report.checks))
    return list(names)


def render_gradebook(results: Sequence[SubmissionResult]) -> str:
    """The gradebook as CSV: one row per submission.

    Columns: ``student``, ``status``, ``score``, ``max_score``, one column per
    check with its points (empty where the notebook could not be graded),
    ``seconds`` (grading time), ``notebook``, ``sha256`` and ``message``.
    """
    columns = _check_columns(results)
    # An edition column where any submission is of another edition than 2020:
    # a 2020 class's gradebook reads as it did before editions.
    editions = any(
        r.report is not None and r.report.edition != DEFAULT_EDITION for r in results
    )
    full = max(
        (r.report.max_score for r in results if r.report is not None), default=0.0
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["student", "status", "score", "max_score"]
        + (["edition"] if editions else [])
        + [*columns, "seconds", "notebook", "sha256", "message"]
    )
    for result in results:
        points = (
            {check.title: check.points for check in result.report.checks}
            if result.report is not None
            else {}
        )
        writer.writerow(
            [
                result.student,
                result.status,
                _points(result.score),
                _points(result.report.max_score if result.report else full),
                *([result.report.edition if result.report else ""] if editions else []),
                *(_points(points[c]) if c in points else "" for c in columns),
                f"{result.seconds:.1f}",
                result.notebook,
                result.sha256,
                result.message,
            ]
        )
    return buffer.getvalue()


def render_feedback(result: SubmissionResult) -> str:
    """Feedback for one student as Markdown: the terminal report's lines."""
    lines = [f"# Residual Networks: {result.student}", ""]
    if result.report is None:
        lines += [
            "**Not graded.** " + result.message,
            "",
            f"Notebook: `{result.notebook}`",
        ]
        return "\n".join(lines) + "\n"
    report = result.report
    lines += [
        f"**Score: {_points(report.score)}/{_points(report.max_score)}**",
        "",
        f"Notebook: `{result.notebook}`",
    ]
    functions = dict.fromkeys(check.function for check in report.checks)
    for function in functions:
        lines += ["", f"## {function}", "", "```"]
        lines += render_checks(report.for_function(function))
        lines += ["```"]
    if report.notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def render_junit(results: Sequence[SubmissionResult]) -> str:
    """JUnit XML: a test suite per submission, a test case per check.

    A failed check is a ``failure`` with its message; a notebook that could
    not be graded is one ``error`` case with the reason.
    """
    root = ET.Element("testsuites", name="resnet-grader")
    for result in results:
        suite = ET.SubElement(
            root, "testsuite", name=result.student, time=f"{result.seconds:.3f}"
        )
        checks = result.report.checks if result.report is not None else ()
        failures = sum(not check.passed for check in checks)
        suite.set("tests", str(len(checks) or 1))
        suite.set("failures", str(failures))
        suite.set("errors", "0" if result.status == GRADED else "1")
        for check in checks:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{result.student}.{check.function}",
                name=check.name,
            )
            if not check.passed:
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=check.message,
                    type=f"{_points(check.points)}/{_points(check.max_points)}",
                )
                failure.text = check.message
        if result.status != GRADED:
            case = ET.SubElement(
                suite, "testcase", classname=result.student, name="grading"
            )
            error = ET.SubElement(
                case, "error", message=result.message, type=result.status
            )
            error.text = result.message
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _short_reason(result: SubmissionResult, width: int = 100) -> str:
    """Why a submission was not graded, in one short line without its path."""
    message = result.message.removeprefix(f"{result.notebook}: ")
    if len(message) > width:
        message = message[: width - 3].rstrip() + "..."
    return f"{result.status}: {message}"


def _verdict(result: SubmissionResult) -> str:
    """A batch result in a few words: its score, or why it was not graded."""
    if result.report is None:
        return _short_reason(result)
    return f"{_points(result.score)}/{_points(result.report.max_score)}"


def render_progress(result: SubmissionResult, tally: Tally) -> str:
    """One line after each finished submission of a batch.

    ``done`` counts the graded submissions, ``failed`` those not graded.
    """
    minutes, seconds = divmod(int(tally.elapsed), 60)
    verdict = _verdict(result)
    reused = " (unchanged, kept)" if result.reused else ""
    return (
        f"[{tally.finished}/{tally.total}] done {tally.graded}, "
        f"failed {tally.not_graded}, remaining {tally.remaining}, "
        f"elapsed {minutes}:{seconds:02d}  {result.student}: {verdict}{reused}"
    )


def render_bar(tally: Tally, width: int = 24) -> str:
    """The live progress bar of a batch: a bar, the counts, the time so far."""
    filled = width * tally.finished // tally.total if tally.total else width
    minutes, seconds = divmod(int(tally.elapsed), 60)
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {tally.finished}/{tally.total}  "
        f"done {tally.graded}  failed {tally.not_graded}  "
        f"remaining {tally.remaining}  {minutes}:{seconds:02d}"
    )


def render_summary(results: Sequence[SubmissionResult]) -> str:
    """The end of a batch: a line per student, then the totals."""
    if not results:
        return "no submissions finished"
    width = max(len(result.student) for result in results)
    lines = []
    for result in results:
        kept = "  (kept)" if result.reused else ""
        lines.append(
            f"{result.student:<{width}}  {_verdict(result)}  "
            f"({result.seconds:.1f} s){kept}"
        )
    graded = sum(result.status == GRADED for result in results)
    reused = sum(result.reused for result in results)
    lines.append(
        f"{len(results)} submissions: {graded} graded, "
        f"{len(results) - graded} not gradable or failed, {reused} kept from "
        "an earlier run"
    )
    return "\n".join(lines)


def render_timings(report: GradeReport) -> str:
    """Where the time of a grading went: ``timing: PHASE  SECONDS s`` lines."""
    width = max((len(name) for name, _ in report.phases), default=0)
    lines = [
        f"timing: {name:<{width}}  {seconds:6.2f} s" for name, seconds in report.phases
    ]
    lines.append(f"timing: {'total':<{width}}  {report.seconds:6.2f} s")
    return "\n".join(lines)
