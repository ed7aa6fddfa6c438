"""Page templates: a file in an instructor's folder replaces the shipped
template of its name on every page that uses it (the feedback, the class
report, the similarity page), and a folder that cannot draw the pages is one
clear line, found before a batch grades anything."""

from __future__ import annotations

import re
import subprocess
import sys
from fnmatch import fnmatch
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from conftest import SOLUTION, STUDENT
from test_render_html import GRADED, INVALID

from grader.batch import Options, Submission, grade_many
from grader.batch.outputs import write_report
from grader.errors import TemplateError
from grader.reports.html import render_feedback_html, render_report_html
from grader.reports.shipped import SERVICE_PAGES
from grader.reports.templating import SHIPPED, check_templates, checked
from grader.similarity import compare
from grader.similarity.render import render_similarity_html

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

pytestmark = pytest.mark.fast

ROOT = Path(__file__).resolve().parent.parent

#: A course's header: its name after the title, and a line of its own.
HEADER = '<h1>{{ title }} · CS 231</h1>\n<p class="course">Deep Learning, spring</p>\n'


class _Text(HTMLParser):
    """The text of each ``h1`` and of each element of class ``course``."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {"h1": [], "course": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self._in = "h1"
        elif ("class", "course") in attrs:
            self._in = "course"
        if self._in:
            self.found[self._in].append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.found[self._in][-1] += data


def _seen(page: str) -> dict[str, list[str]]:
    parser = _Text()
    parser.feed(page)
    return parser.found


def _pages(templates: Path | None) -> dict[str, str]:
    pair = [Submission("s1", SOLUTION), Submission("s2", STUDENT)]
    return {
        "feedback": render_feedback_html(GRADED, templates=templates),
        "report": render_report_html(
            [GRADED, INVALID], feedback=lambda s: f"{s}.html", templates=templates
        ),
        "similarity": render_similarity_html(
            compare(pair, boilerplate=()), templates=templates
        ),
    }


def test_a_course_header_replaces_the_shipped_one_on_every_page(tmp_path):
    (tmp_path / "header.html.j2").write_text(HEADER, encoding="utf-8")
    shipped, own = _pages(None), _pages(tmp_path)
    titles = {
        "feedback": "Residual Networks: s1",
        "report": "Residual Networks: class report",
        "similarity": "Similar submissions",
    }
    for page, title in titles.items():
        assert _seen(shipped[page]) == {"h1": [title], "course": []}
        assert _seen(own[page]) == {
            "h1": [f"{title} · CS 231"],
            "course": ["Deep Learning, spring"],
        }
        # The rest of the page is the shipped templates' own.
        before, after = shipped[page].split(f"<h1>{title}</h1>\n")
        assert own[page].startswith(before) and own[page].endswith(after)


def _write(folder: Path, name: str, text: str | bytes) -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


#: A bad folder: what it holds (None: it does not exist), whether it is
#: found before any page is drawn (every template in the folder is compiled
#: first, used or not), and the start of the message either page gives.
BAD = [
    ("missing", None, True, "{folder}: no such folder of page templates"),
    (
        "a tag not closed",
        ("header.html.j2", "<h1>{{ title </h1>\n"),
        True,
        "{folder}/header.html.j2, line 1: not a valid Jinja2 template: ",
    ),
    (
        "a block not ended",
        ("feedback.html.j2", '{% extends "page.html.j2" %}\n{% block body %}\n'),
        True,
        "{folder}/feedback.html.j2, line 2: not a valid Jinja2 template: ",
    ),
    (
        "a partial of its own",
        ("course.html.j2", "{% if %}"),
        True,
        "{folder}/course.html.j2, line 1: not a valid Jinja2 template: ",
    ),
    (
        "not UTF-8",
        ("header.html.j2", b"<h1>\xff{{ title }}</h1>\n"),
        True,
        "{folder}/header.html.j2: the page template failed: ",
    ),
    (
        "a name misspelt",
        ("header.html.j2", "<h1>{{ titel }}</h1>\n"),
        False,
        "{folder}/header.html.j2, line 1: the page template failed: 'titel' is "
        "undefined",
    ),
    (
        "text where a number goes",
        ("header.html.j2", "<h1>{{ title|points }}</h1>\n"),
        False,
        "{folder}/header.html.j2, line 1: the page template failed: Unknown format",
    ),
]


@pytest.mark.parametrize(
    ("holds", "early", "message"), [row[1:] for row in BAD], ids=[r[0] for r in BAD]
)
def test_a_bad_folder_of_templates_is_one_clear_line(tmp_path, holds, early, message):
    folder = tmp_path / "templates"
    if holds is not None:
        _write(folder, *holds)
    expected = message.format(folder=folder)
    if early:
        with pytest.raises(TemplateError) as caught:
            check_templates(folder)
        assert str(caught.value).startswith(expected)
    else:
        check_templates(folder)
    for draw in (
        lambda: render_feedback_html(GRADED, templates=folder),
        lambda: render_report_html([GRADED], feedback=str, templates=folder),
        lambda: render_similarity_html(compare([], boilerplate=()), templates=folder),
    ):
        with pytest.raises(TemplateError) as caught:
            draw()
        text = str(caught.value)
        assert text.startswith(expected) and "\n" not in text, text


def test_pages_drawn_after_one_check_are_those_drawn_alone(tmp_path):
    """``checked``: a batch's pages are checked once, and drawn the same."""
    folder = tmp_path / "templates"
    _write(folder, "header.html.j2", HEADER)
    for templates in (None, folder):
        alone = _pages(templates)
        with checked(templates):
            assert _pages(templates) == alone
    bad = tmp_path / "bad"
    _write(bad, "report.html.j2", "{% if %}\n")
    with pytest.raises(TemplateError, match="report.html.j2, line 1"):
        with checked(bad):
            pytest.fail("a folder that cannot draw its pages was let in")


def test_a_bad_folder_stops_a_batch_and_a_report_before_they_start(tmp_path):
    folder = tmp_path / "templates"
    _write(folder, "header.html.j2", "<h1>{{ title </h1>\n")
    out = tmp_path / "out"
    with pytest.raises(TemplateError, match="header.html.j2, line 1"):
        # The notebook need not exist: nothing is looked for or graded.
        grade_many(
            [tmp_path / "absent.ipynb"], out=out, options=Options(templates=folder)
        )
    with pytest.raises(TemplateError, match="header.html.j2, line 1"):
        write_report(out, [GRADED, INVALID], templates=folder)
    assert not out.exists()


def test_the_templates_folder_is_not_an_option_a_grading_depends_on(tmp_path):
    own = Options(templates=tmp_path)
    assert own.key() == Options().key()
    assert "templates" not in own.to_dict()
    assert Options.from_dict(own.to_dict()) == Options()


def test_every_shipped_template_is_package_data():
    """A non-editable install has the templates: pyproject ships them."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["grader.reports"]
    folder = resources.files("grader.reports") / "templates"
    on_disk = sorted(item.name for item in folder.iterdir() if item.is_file())
    assert on_disk == sorted(SHIPPED)
    for name in SHIPPED:
        assert any(fnmatch(f"templates/{name}", pattern) for pattern in patterns)


def test_the_help_of_templates_names_the_batch_pages_shipped():
    """``--templates``' help is made from the names shipped: the batch's
    pages, the heading first, not the service's."""
    text = " ".join(_grader("grade", "--help").stdout.split())
    named = re.search(r"the same name \(([^)]*)\)", text)
    assert named is not None, text
    pages = named[1].split(", ")
    assert pages[0] == "header.html.j2"
    assert sorted(pages) == sorted(set(SHIPPED) - set(SERVICE_PAGES))


def _grader(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grader", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_line_takes_a_folder_of_templates_where_it_draws_pages(tmp_path):
    """``--templates`` on ``grader similar`` draws the course's header; the
    commands that write pages offer it, and one notebook's grading, which
    writes none, refuses it in one line."""
    folder = tmp_path / "templates"
    _write(folder, "header.html.j2", HEADER)
    class_ = tmp_path / "class"
    class_.mkdir()
    for name, source in (("s1", SOLUTION), ("s2", SOLUTION), ("s3", STUDENT)):
        (class_ / f"{name}.ipynb").write_bytes(source.read_bytes())
    out = tmp_path / "similarity"
    drawn = _grader("similar", class_, "--out", out, "--templates", folder)
    assert drawn.returncode == 0, drawn.stderr
    seen = _seen((out / "similarity.html").read_text(encoding="utf-8"))
    assert seen["course"] == ["Deep Learning, spring"]
    for command in ("grade", "report", "similar"):
        assert "--templates DIR" in _grader(command, "--help").stdout
    refused = _grader("grade", SOLUTION, "--templates", folder)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "grader: error: --templates is for a batch's pages; one notebook's "
        "grading writes no HTML"
    ]
    missing = _grader("similar", class_, "--out", out, "--templates", tmp_path / "no")
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith("no such folder of page templates")
