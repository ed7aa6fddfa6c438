"""Renderers of HTML pages: a student's feedback and the class report.

Both are single files that open from disk: the style is inline, the figures
are inline SVG (``grader.figures``), and nothing is fetched. Like
``grader.render``, each takes finished results and returns text; the class
report's figures come from ``grader.summary``.

``render_feedback_html`` says what the Markdown feedback says, and, under
each structural check that failed, shows where the student's layer graph
parts from the reference's. ``render_report_html`` shows the class: the
headline, the spread of scores, each check's pass rate, the most common
mistakes and every student, linked to their feedback page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape

from grader import figures
from grader.render import shared_reason
from grader.report import GRADED, CheckResult, GraphWindow, SubmissionResult
from grader.summary import CheckRate, ClassSummary, Mistake

#: The most common mistakes the report lists; the rest are counted.
MISTAKES_SHOWN = 25

STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, "Segoe UI", Roboto, "DejaVu Sans", Arial,
  sans-serif; color: #1a1a1a; background: #fff; line-height: 1.45;
  max-width: 76rem; margin: 1.5rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #ddd; }
p.meta, .muted { color: #5f6368; }
nav { margin: .5rem 0 1rem; }
nav a { margin-right: 1rem; }
a { color: #1a56a8; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #f4f6f9; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
td.msg { font-size: .92rem; }
.pass { color: #1b6e35; font-weight: 600; }
.fail { color: #b3261e; font-weight: 600; }
.tag { font-size: .8rem; border: 1px solid #999; border-radius: 3px;
  padding: 0 .25rem; color: #444; white-space: nowrap; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: .5rem .9rem;
  min-width: 7rem; }
.card b { display: block; font-size: 1.5rem; }
figure { margin: 1rem 0; break-inside: avoid; }
figcaption { color: #444; font-size: .92rem; margin-top: .3rem; }
svg { max-width: 100%; height: auto; }
pre { background: #f4f6f9; padding: .6rem; overflow-x: auto; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  nav { display: none; }
  h2 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def _points(value: float) -> str:
    return f"{value:g}"


def _page(title: str, body: Iterable[str]) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )


def _anchor(function: str) -> str:
    return f"fn-{function}"


# --- feedback ---------------------------------------------------------------


def render_feedback_html(result: SubmissionResult) -> str:
    """A student's feedback as a page.

    The content of ``render_feedback``, and a picture under each structural
    check that failed.
    """
    title = f"Residual Networks: {result.student}"
    body = [f"<h1>{escape(title)}</h1>"]
    notebook = f"<p class='meta'>Notebook: <code>{escape(result.notebook)}</code></p>"
    if result.report is None:
        body += [f"<p><b>Not graded.</b> {escape(result.message)}</p>", notebook]
        return _page(title, body)
    report = result.report
    body += [
        f"<p><b>Score: {_points(report.score)}/{_points(report.max_score)}</b></p>",
        notebook,
    ]
    functions = list(dict.fromkeys(check.function for check in report.checks))
    body.append(
        "<nav>"
        + "".join(f'<a href="#{_anchor(f)}">{escape(f)}</a>' for f in functions)
        + "</nav>"
    )
    for function in functions:
        body += _function_section(function, report.for_function(function))
    if report.notes:
        body.append("<h2>Notes</h2>\n<ul>")
        body += [f"<li>{escape(note)}</li>" for note in report.notes]
        body.append("</ul>")
    return _page(title, body)


def _function_section(function: str, checks: Sequence[CheckResult]) -> list[str]:
    earned = sum(c.points for c in checks)
    available = sum(c.max_points for c in checks)
    body = [
        f'<h2 id="{_anchor(function)}">{escape(function)} '
        f'<span class="muted">{_points(earned)}/{_points(available)}</span></h2>'
    ]
    shared = shared_reason(checks)
    if shared is not None:
        body.append(f"<p><b>Every check fails:</b> {escape(shared)}</p>")
    head = "<tr><th>result</th><th class='num'>points</th><th>check</th>"
    head += "</tr>" if shared is not None else "<th>why</th></tr>"
    body.append(f"<table>\n<thead>{head}</thead>\n<tbody>")
    for check in checks:
        mark = "PASS" if check.passed else "FAIL"
        hidden = ' <span class="tag">hidden</span>' if not check.visible else ""
        row = (
            f'<tr><td class="{mark.lower()}">{mark}</td>'
            f'<td class="num">{_points(check.points)}/{_points(check.max_points)}</td>'
            f"<td>{escape(check.name)}{hidden}</td>"
        )
        if shared is None:
            row += f'<td class="msg">{escape(check.message)}</td>'
        body.append(row + "</tr>")
    body.append("</tbody>\n</table>")
    body += [_window_figure(group) for group in _places(checks)]
    return body


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


def _window_figure(checks: list[CheckResult]) -> str:
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
    picture = figures.graph_window(shown.window, title=title)
    return (
        f"<figure>\n<figcaption><b>{escape(title)}</b></figcaption>\n{picture}\n"
        f"<figcaption>First difference: {escape(difference)}. "
        "Each box is a layer in the order the model defines them; the red row "
        "is where the two part, and a dashed box marks a place where one has "
        "no layer.</figcaption>\n</figure>"
    )


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
) -> str:
    """The class report as one page.

    ``feedback(student)`` is the address of a student's feedback page,
    relative to the report's; ``similar``, where given, adds a short
    section linking to the similarity page.
    """
    summary = ClassSummary.of(results)
    title = "Residual Networks: class report"
    versions = sorted({r.grader for r in summary.results if r.grader})
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p class='meta'>{len(summary.results)} submissions"
        + (f"; graded by grader {escape(', '.join(versions))}" if versions else "")
        + "</p>",
        '<nav><a href="#scores">Scores</a><a href="#checks">Checks</a>'
        '<a href="#mistakes">Common mistakes</a><a href="#students">Students</a>'
        "</nav>",
        _headline(summary),
    ]
    body += _scores(summary)
    body += _checks(summary)
    body += _mistakes(summary, feedback)
    if similar is not None:
        body += _similar(similar, feedback)
    body += _students(summary, feedback)
    return _page(title, body)


#: Flagged pairs the class report names; the similarity page has them all.
SIMILAR_SHOWN = 10


def _similar(similar: SimilarPairs, feedback: Callable[[str], str]) -> list[str]:
    page = escape(similar.page)
    body = [
        '<h2 id="similar">Similar submissions</h2>',
        f"<p>{len(similar.flagged)} of {similar.compared} pairs of submissions "
        "share enough uncommon material to be worth a look "
        f'(<a href="{page}">{page}</a> ranks every pair with its evidence, '
        "side by side). This is what they share, not a verdict.</p>",
    ]
    if similar.flagged:
        body.append("<ul>")
        for a, b, score in similar.flagged[:SIMILAR_SHOWN]:
            body.append(
                f'<li><a href="{escape(feedback(a))}">{escape(a)}</a> and '
                f'<a href="{escape(feedback(b))}">{escape(b)}</a>: '
                f"score {score:.2f}</li>"
            )
        body.append("</ul>")
    return body


def _card(label: str, value: str, note: str = "") -> str:
    extra = f"<br><span class='muted'>{escape(note)}</span>" if note else ""
    return f'<div class="card">{escape(label)}<b>{escape(value)}</b>{extra}</div>'


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"


def _headline(summary: ClassSummary) -> str:
    counts = summary.counts
    top = _points(summary.max_score)
    mean, median = summary.mean, summary.median
    return (
        '<div class="cards">'
        + _card("submissions", str(len(summary.results)))
        + "".join(_card(status, str(n)) for status, n in counts.items())
        + _card("mean score", "–" if mean is None else f"{mean:.1f}/{top}", "graded")
        + _card("median score", "–" if median is None else f"{median:g}/{top}")
        + _card(
            "grading time",
            _duration(summary.seconds),
            f"summed; longest {_duration(summary.longest)}",
        )
        + "</div>"
    )


def _scores(summary: ClassSummary) -> list[str]:
    graded = len(summary.graded)
    left_out = len(summary.results) - graded
    note = (
        f" The {left_out} not graded are left out (the gradebook gives them 0)."
        if left_out
        else ""
    )
    title = f"Scores of the {graded} graded submissions"
    return [
        '<h2 id="scores">Scores</h2>',
        f"<figure>\n{figures.histogram(summary.histogram(), title=title)}\n"
        f"<figcaption>{escape(title)}, in ranges of "
        f"{_points(summary.max_score / 10)} points.{escape(note)}</figcaption>\n"
        "</figure>",
    ]


def _checks(summary: ClassSummary) -> list[str]:
    rates = summary.pass_rates()
    title = "Share of graded submissions that passed each check"
    # A class of several editions: each edition's checks apart, named.
    mixed = len(summary.editions) > 1

    def label(rate: CheckRate) -> str:
        return f"{rate.edition} · {rate.title}" if mixed else rate.title

    chart = figures.pass_rates(
        [(label(rate), rate.rate, rate.visible) for rate in rates], title=title
    )
    body = [
        '<h2 id="checks">Checks</h2>',
        f"<figure>\n{chart}\n<figcaption>{escape(title)}; hidden checks, which "
        "students see only once grades are published, are lighter.</figcaption>\n"
        "</figure>",
        "<table>\n<thead><tr><th>function</th><th>check</th>"
        "<th class='num'>points</th><th>seen by students</th>"
        "<th class='num'>passed</th><th class='num'>pass rate</th>"
        "<th class='num'>mean points</th></tr></thead>\n<tbody>",
    ]
    for rate in rates:
        seen = "yes" if rate.visible else '<span class="tag">hidden</span>'
        edition = f" ({escape(rate.edition)} edition)" if mixed else ""
        body.append(
            f"<tr><td><code>{escape(rate.function)}</code>{edition}</td>"
            f"<td>{escape(rate.name)}</td>"
            f"<td class='num'>{_points(rate.max_points)}</td><td>{seen}</td>"
            f"<td class='num'>{rate.passed} of {rate.graded}</td>"
            f"<td class='num'>{rate.rate:.0%}</td>"
            f"<td class='num'>{rate.mean:.1f}</td></tr>"
        )
    body.append("</tbody>\n</table>")
    return body


def _mistakes(summary: ClassSummary, feedback: Callable[[str], str]) -> list[str]:
    mistakes = summary.mistakes()
    body = [
        '<h2 id="mistakes">Most common mistakes</h2>',
        "<p>Failed checks' messages, grouped once the parts that vary between "
        "students are made the same (stage and block letters in layer names, "
        "Keras' own names, numbers, printed vectors, quoted code). A student "
        "counts once per mistake, whichever of a function's checks report it."
        "</p>",
    ]
    if not mistakes:
        return [*body, "<p>No check failed.</p>"]
    body.append(
        "<table>\n<thead><tr><th class='num'>students</th><th>function</th>"
        "<th>checks</th><th>example message</th><th>who</th></tr></thead>\n<tbody>"
    )
    hidden = {(r.function, r.name) for r in summary.pass_rates() if not r.visible}
    body += [_mistake_row(m, hidden, feedback) for m in mistakes[:MISTAKES_SHOWN]]
    body.append("</tbody>\n</table>")
    rest = mistakes[MISTAKES_SHOWN:]
    if rest:
        body.append(
            f"<p>{len(rest)} more mistakes, each made by "
            f"{max(m.count for m in rest)} students or fewer.</p>"
        )
    return body


def _mistake_row(
    mistake: Mistake, hidden: set[tuple[str, str]], feedback: Callable[[str], str]
) -> str:
    who = ", ".join(
        f'<a href="{escape(feedback(s))}" title="{escape(example)}">{escape(s)}</a>'
        for s, example in zip(mistake.students, mistake.examples, strict=True)
    )
    return (
        f"<tr><td class='num'>{mistake.count}</td>"
        f"<td><code>{escape(mistake.function)}</code></td>"
        f"<td>{_check_names(mistake, hidden)}</td>"
        f'<td class="msg" title="{escape(mistake.pattern)}">'
        f"{escape(mistake.examples[0])}</td><td>{who}</td></tr>"
    )


def _check_names(mistake: Mistake, hidden: set[tuple[str, str]]) -> str:
    return ", ".join(
        escape(name)
        + (
            ' <span class="tag">hidden</span>'
            if (mistake.function, name) in hidden
            else ""
        )
        for name in mistake.checks
    )


def _students(summary: ClassSummary, feedback: Callable[[str], str]) -> list[str]:
    functions = summary.functions
    body = [
        '<h2 id="students">Students</h2>',
        "<table>\n<thead><tr><th>student</th><th>status</th>"
        "<th class='num'>score</th>"
        + "".join(f"<th class='num'><code>{escape(f)}</code></th>" for f in functions)
        + "<th>note</th></tr></thead>\n<tbody>",
    ]
    for result in summary.results:
        link = (
            f'<a href="{escape(feedback(result.student))}">{escape(result.student)}</a>'
        )
        if result.report is None:
            cells = "".join("<td class='num'>–</td>" for _ in functions)
            score = "–"
        else:
            report = result.report
            parts = [report.for_function(f) for f in functions]
            cells = "".join(
                f"<td class='num'>{_points(sum(c.points for c in p))}/"
                f"{_points(sum(c.max_points for c in p))}</td>"
                if p
                else "<td class='num'>–</td>"
                for p in parts
            )
            score = f"{_points(report.score)}/{_points(report.max_score)}"
        status_class = "pass" if result.status == GRADED else "fail"
        note = "" if result.report is not None else result.message
        body.append(
            f"<tr><td>{link}</td><td class='{status_class}'>{result.status}</td>"
            f"<td class='num'>{score}</td>{cells}"
            f'<td class="msg">{escape(note)}</td></tr>'
        )
    body.append("</tbody>\n</table>")
    return body
