"""Renderers of HTML pages: a student's feedback and the class report.

Both are single files that open from disk: the style is inline, the figures
are inline SVG (``grader.reports.figures``), and nothing is fetched. Like
``grader.reports.render``, each takes finished results and returns text; the class
report's figures come from ``grader.reports.class_summary``.

``render_feedback_html`` says what the Markdown feedback says, and, under
each structural check that failed, shows where the student's layer graph
parts from the reference's. ``render_report_html`` shows the class: the
headline, the spread of scores, each check's pass rate, the most common
mistakes and every student, linked to their feedback page.

The markup is in templates (``grader/reports/templates/feedback.html.j2`` and
``report.html.j2``, see ``grader.reports.templating``), which an instructor may
replace; this module decides what they show: each function's checks, which
failures share a picture, the class's figures and rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from grader.reports import figures, templating
from grader.reports.class_summary import CheckRate, ClassSummary, Mistake
from grader.reports.render import shared_reason
from grader.reports.results import GRADED, CheckResult, GraphWindow, SubmissionResult
from grader.reports.templating import points as _points

#: The most common mistakes the report lists; the rest are counted.
MISTAKES_SHOWN = 25

#: The templates of the two pages (``grader.reports.templating``).
FEEDBACK = "feedback.html.j2"
REPORT = "report.html.j2"


# --- feedback ---------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """A picture of where a student's layer graph parts from the reference's."""

    title: str
    svg: Markup
    difference: str


@dataclass(frozen=True)
class Section:
    """A graded function's part of the feedback: its checks and pictures.

    ``shared`` is the one reason every check failed for, where there is one
    (the page says it once, above the table).
    """

    function: str
    checks: tuple[CheckResult, ...]
    shared: str | None
    pictures: tuple[Picture, ...]

    @property
    def earned(self) -> float:
        """Points the function's checks earned."""
        return sum(c.points for c in self.checks)

    @property
    def available(self) -> float:
        """Points the function's checks are worth."""
        return sum(c.max_points for c in self.checks)


def render_feedback_html(
    result: SubmissionResult, *, templates: Path | None = None
) -> str:
    """A student's feedback as a page.

    The content of ``render_feedback``, and a picture under each structural
    check that failed. ``templates``: a folder whose templates replace the
    shipped ones of the same name (``grader.reports.templating``).
    """
    report = result.report
    sections = []
    if report is not None:
        functions = dict.fromkeys(check.function for check in report.checks)
        sections = [_section(f, report.for_function(f)) for f in functions]
    return templating.render(
        FEEDBACK,
        templates,
        title=f"Residual Networks: {result.student}",
        student=result.student,
        notebook=result.notebook,
        message=result.message,
        report=report,
        sections=sections,
    )


def _section(function: str, checks: Sequence[CheckResult]) -> Section:
    return Section(
        function,
        tuple(checks),
        shared_reason(checks),
        tuple(_picture(group) for group in _places(checks)),
    )


def _places(checks: Sequence[CheckResult]) -> list[list[CheckResult]]:
    """The failed checks with a window, those that part at one place together.

    Two checks of a function often find the same first difference (the
    layer table and the layers and settings of ``ResNet50``): one picture.
    """
    places: dict[tuple[object, ...], list[CheckResult]] = {}
    for check in checks:
        if check.window is None or check.passed:
            continue
        # The same student layers: the two references may name Keras' own
        # layers differently (the table's activation_6 is another's _14).
        window = check.window
        key = (window.at, *(box and box.name for box in window.student))
        places.setdefault(key, []).append(check)
    return list(places.values())


def _picture(checks: list[CheckResult]) -> Picture:
    # The window that says most (the table's reference layers have no settings).
    shown = max(checks, key=lambda c: _said(c.window))
    assert shown.window is not None
    names = ", ".join(check.name for check in checks)
    title = (
        f"{checks[0].function}: {names}: "
        "where your layer graph parts from the reference"
    )
    texts = list(dict.fromkeys(c.window.text for c in checks if c.window))
    if len(texts) == 1:
        difference = texts[0]
    else:
        difference = "; ".join(f"{c.name}: {c.window.text}" for c in checks if c.window)
    svg = Markup(figures.graph_window(shown.window, title=title))
    return Picture(title, svg, difference)


def _said(window: GraphWindow | None) -> int:
    boxes = () if window is None else (*window.reference, *window.student)
    return sum(bool(box and box.settings) for box in boxes)


# --- the class report ---------------------------------------------------------


@dataclass(frozen=True)
class SimilarPairs:
    """What the class report says of similarity.

    The flagged pairs (ids and score, strongest first), how many pairs were
    compared, and the page's address.
    """

    flagged: tuple[tuple[str, str, float], ...]
    compared: int
    page: str


def render_report_html(
    results: Iterable[SubmissionResult],
    *,
    feedback: Callable[[str], str],
    similar: SimilarPairs | None = None,
    templates: Path | None = None,
) -> str:
    """The class report as one page.

    ``feedback(student)`` is the address of a student's feedback page,
    relative to the report's; ``similar``, where given, adds a short
    section linking to the similarity page. ``templates``: a folder whose
    templates replace the shipped ones of the same name.
    """
    summary = ClassSummary.of(results)
    versions = sorted({r.grader for r in summary.results if r.grader})
    mistakes = summary.mistakes()
    return templating.render(
        REPORT,
        templates,
        title="Residual Networks: class report",
        summary=summary,
        versions=", ".join(versions),
        feedback=feedback,
        scores=_scores(summary),
        checks=_checks(summary),
        mistakes=Mistakes(
            shown=tuple(mistakes[:MISTAKES_SHOWN]),
            rest=tuple(mistakes[MISTAKES_SHOWN:]),
            hidden=frozenset(
                (r.function, r.name) for r in summary.pass_rates() if not r.visible
            ),
        ),
        similar=similar,
        similar_shown=SIMILAR_SHOWN,
        students=[_student(result, summary.functions) for result in summary.results],
    )


#: Flagged pairs the class report names; the similarity page has them all.
SIMILAR_SHOWN = 10


@dataclass(frozen=True)
class Figure:
    """A figure of the class report: its title and its picture."""

    title: str
    svg: Markup


@dataclass(frozen=True)
class Scores(Figure):
    """The spread of scores, and how many submissions it leaves out."""

    left_out: int


@dataclass(frozen=True)
class Checks(Figure):
    """Each check's pass rate; ``mixed`` where the class has several editions."""

    rates: tuple[CheckRate, ...]
    mixed: bool


@dataclass(frozen=True)
class Mistakes:
    """The mistakes the report lists, those it only counts, and hidden checks.

    ``hidden`` holds ``(function, check)`` of the checks students do not see.
    """

    shown: tuple[Mistake, ...]
    rest: tuple[Mistake, ...]
    hidden: frozenset[tuple[str, str]]


@dataclass(frozen=True)
class StudentRow:
    """A student's row of the report: the score and each function's points.

    A text is ``–`` where there is nothing to show.
    """

    student: str
    status: str
    graded: bool
    score: str
    cells: tuple[str, ...]
    note: str


def _share(checks: Sequence[CheckResult]) -> str:
    earned = _points(sum(c.points for c in checks))
    return f"{earned}/{_points(sum(c.max_points for c in checks))}"


def _scores(summary: ClassSummary) -> Scores:
    graded = len(summary.graded)
    title = f"Scores of the {graded} graded submissions"
    svg = Markup(figures.histogram(summary.histogram(), title=title))
    return Scores(title, svg, left_out=len(summary.results) - graded)


def _checks(summary: ClassSummary) -> Checks:
    rates = summary.pass_rates()
    title = "Share of graded submissions that passed each check"
    # A class of several editions: each edition's checks apart, named.
    mixed = len(summary.editions) > 1

    def label(rate: CheckRate) -> str:
        return f"{rate.edition} · {rate.title}" if mixed else rate.title

    chart = figures.pass_rates(
        [(label(rate), rate.rate, rate.visible) for rate in rates], title=title
    )
    return Checks(title, Markup(chart), rates=tuple(rates), mixed=mixed)


def _student(result: SubmissionResult, functions: Sequence[str]) -> StudentRow:
    report = result.report
    if report is None:
        cells = tuple("–" for _ in functions)
        score = "–"
    else:
        parts = [report.for_function(f) for f in functions]
        cells = tuple(_share(part) if part else "–" for part in parts)
        score = f"{_points(report.score)}/{_points(report.max_score)}"
    return StudentRow(
        result.student,
        result.status,
        result.status == GRADED,
        score,
        cells,
        result.message if report is None else "",
    )
