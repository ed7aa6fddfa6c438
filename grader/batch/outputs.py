"""The files a batch leaves in ``OUT``: gradebook, feedback, Gradescope, JUnit.

Then the class report, ``report.html``, and the similarity page it links to.

``grader.reports.render`` and ``grader.reports.html`` make their text; this module
only writes it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from grader.batch.roster import Roster, render_canvas_import
from grader.files import write_atomically
from grader.notebooks.discover import Submission, file_name
from grader.reports.html import (
    SimilarPairs,
    render_feedback_html,
    render_report_html,
)
from grader.reports.render import (
    render_feedback,
    render_gradebook,
    render_junit,
    result_to_gradescope,
)
from grader.reports.results import SubmissionResult
from grader.reports.templating import checked

#: What ``write_outputs`` writes under ``OUT``, in the order it reports them.
OUTPUTS = ("gradebook.csv", "feedback", "gradescope", "junit.xml", "report.html")
REPORT = "report.html"
#: What ``write_canvas_import`` writes, where the batch has a Canvas roster.
CANVAS_IMPORT = "canvas-import.csv"


def output_paths(out: Path) -> list[Path]:
    """The files and folders ``write_outputs`` writes under ``out``."""
    return [out / name for name in OUTPUTS]


def write_outputs(
    out: Path, results: Sequence[SubmissionResult], *, templates: Path | None = None
) -> list[Path]:
    """Write the gradebook, feedback, Gradescope and JUnit files; return them.

    ``feedback/STUDENT.md`` and ``gradescope/STUDENT/results.json`` are
    written per student, each file whole or not at all; the class report and
    the HTML feedback come last (``write_report``, with ``templates``).
    """
    write_atomically(out / "gradebook.csv", render_gradebook(results))
    for result in results:
        name = file_name(result.student)
        write_atomically(out / "feedback" / f"{name}.md", render_feedback(result))
        gradescope = json.dumps(result_to_gradescope(result), indent=2) + "\n"
        write_atomically(out / "gradescope" / name / "results.json", gradescope)
    write_atomically(out / "junit.xml", render_junit(results))
    write_report(out, results, templates=templates)
    return output_paths(out)


def feedback_page(student: str) -> str:
    """Where a student's HTML feedback is, relative to ``OUT``."""
    return f"feedback/{file_name(student)}.html"


def write_report(
    out: Path, results: Sequence[SubmissionResult], *, templates: Path | None = None
) -> Path:
    """Write ``OUT/report.html`` and the pages it links to; return its path.

    The pages are each student's ``feedback/STUDENT.html`` and the
    similarity page and CSV (``grader.similarity``, from the notebooks as
    they are on disk now: one gone since it was graded is left out); each
    file is written whole or not at all. ``templates``: a folder whose page
    templates replace the shipped ones (``grader.reports.templating``); a bad one
    raises ``TemplateError`` before any page is written.
    """
    # One check of the folder for every page, and one environment.
    with checked(templates):
        for result in results:
            page = render_feedback_html(result, templates=templates)
            write_atomically(out / feedback_page(result.student), page)
        similar = write_similar(out, results, templates=templates)
        path = out / REPORT
        report = render_report_html(
            results, feedback=feedback_page, similar=similar, templates=templates
        )
        write_atomically(path, report)
    return path


def write_similar(
    out: Path, results: Sequence[SubmissionResult], *, templates: Path | None = None
) -> SimilarPairs:
    """Compare the batch's notebooks; write the similarity page and CSV.

    Returns what the class report shows of it.
    """
    from grader.similarity import compare
    from grader.similarity.outputs import PAGE, failed_checks, write_similarity

    submissions = [Submission(r.student, r.source, r.notebook) for r in results]
    # Each edition's own hand-out counts for nobody; an install without the
    # solution notebooks still gets its page, the class's and each cohort's
    # common material discounted all the same.
    found = compare(submissions, mistakes=failed_checks(results))
    # A notebook that would not read is named as the other pages name it.
    unread = [_renamed(line, submissions) for line in found.unread]
    found = replace(found, unread=tuple(unread))
    write_similarity(out, found, templates=templates)
    size = found.class_size
    return SimilarPairs(
        flagged=tuple((p.a, p.b, p.score) for p in found.flagged),
        compared=size * (size - 1) // 2,
        page=PAGE,
    )


def _renamed(message: str, submissions: Sequence[Submission]) -> str:
    for submission in submissions:
        message = submission.rename(message)
    return message


@dataclass(frozen=True)
class Written:
    """A file written, and what the instructor should know of it."""

    path: Path
    notes: tuple[str, ...] = ()


def write_canvas_import(
    out: Path, results: Sequence[SubmissionResult], roster: Roster
) -> Written:
    """Write ``canvas-import.csv`` for Canvas's gradebook import (``roster``).

    The notes name the roster's students without a score and the
    submissions from nobody in it (see ``render_canvas_import``).
    """
    made = render_canvas_import(results, roster)
    path = out / CANVAS_IMPORT
    write_atomically(path, made.text)
    return Written(path, made.notes)
