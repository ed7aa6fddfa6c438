"""The HTML pages and their figures on hand-made results: the feedback page
with its picture of a wrong layer graph, and the class report. No kernel, no
TensorFlow; ``test_batch.py`` opens the pages of a real batch in Chromium."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

import pytest
from test_graph import _block, _without_bn

from grader.models.graph import compare
from grader.models.graph_window import window
from grader.reports import figures
from grader.reports.html import render_feedback_html, render_report_html
from grader.reports.render import render_feedback
from grader.reports.results import CheckResult, GradeReport, SubmissionResult

pytestmark = pytest.mark.fast

SVG = "{http://www.w3.org/2000/svg}"


def _window(theirs):
    return window(theirs, _block(), compare(theirs, _block())[0])


def _marked(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [
        rect for rect in root.iter(f"{SVG}rect") if rect.get("stroke") == figures.WRONG
    ]


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_a_setting_difference_marks_one_box_on_each_side_in_one_row():
    svg = figures.graph_window(_window(_block(axis=1)), title="t")
    marked = _marked(svg)
    assert len(marked) == 2
    assert {rect.get("y") for rect in marked} == {marked[0].get("y")}
    assert float(marked[1].get("x")) > float(marked[0].get("x"))
    texts = _texts(svg)
    assert "BatchNormalization · axis 3" in texts
    assert "BatchNormalization · axis 1" in texts
    assert texts[:1] == ["reference"] and "yours" in texts and "≠" in texts


def test_a_missing_layer_is_a_dashed_box_beside_the_reference_layer():
    svg = figures.graph_window(_window(_without_bn()), title="t")
    marked = _marked(svg)
    dashed = [rect for rect in marked if rect.get("stroke-dasharray")]
    assert len(marked) == 2 and len(dashed) == 1
    solid = next(rect for rect in marked if rect not in dashed)
    # The gap is on the student's side (right), level with bn_a.
    assert float(dashed[0].get("x")) > float(solid.get("x"))
    assert dashed[0].get("y") == solid.get("y")
    assert "no layer in this place" in _texts(svg)


def test_an_add_says_which_layers_it_takes():
    texts = _texts(figures.graph_window(_window(_block(extra_relu=True)), title="t"))
    assert "from activation_9, input" in texts


CHECKS = (
    CheckResult(
        "identity_block",
        "layers and settings",
        8,
        0,
        "bn_a normalizes axis 1, expected the channels axis (3)",
        window=_window(_block(axis=1)),
    ),
    CheckResult("identity_block", "layer names", 4, 4, "all 2 names <as expected>"),
    CheckResult(
        "identity_block", "hidden inputs", 5, 0, "differs & more", visible=False
    ),
    CheckResult("ResNet50", "layer names", 5, 0, "ResNet50 is still the stub"),
    CheckResult("ResNet50", "layer table", 10, 0, "ResNet50 is still the stub"),
)
GRADED = SubmissionResult(
    "s1",
    "subs/s1.ipynb",
    "aa",
    "graded",
    report=GradeReport("subs/s1.ipynb", CHECKS, notes=("a note",)),
    seconds=20,
)
INVALID = SubmissionResult(
    "s2", "subs/s2.ipynb", "bb", "invalid", message="not a notebook", seconds=1
)


def test_the_feedback_page_says_what_the_markdown_says():
    page = render_feedback_html(GRADED)
    for check in CHECKS:
        assert escape(check.name) in page
    for line in render_feedback(GRADED).splitlines():
        # Every reason and the score, escaped for HTML; the stub's reason once.
        if "differs" in line or "as expected" in line or "Score" in line:
            words = line.split("  ")[-1].strip(" *")
            assert escape(words) in page, words
    assert page.count("ResNet50 is still the stub") == 1
    assert "<b>Every check fails:</b> ResNet50 is still the stub" in page
    assert "a note" in page and "Score: 4/32" in page
    assert page.count('<span class="tag">hidden</span>') == 1


def test_the_feedback_page_has_a_picture_under_the_structural_failure_only():
    page = render_feedback_html(GRADED)
    assert page.count("<svg") == 1
    assert page.index("<svg") > page.index("bn_a normalizes axis 1")
    passed = SubmissionResult(
        "s3",
        "n.ipynb",
        "cc",
        "graded",
        report=GradeReport("n.ipynb", (CHECKS[1],)),
    )
    assert "<svg" not in render_feedback_html(passed)


def test_a_page_for_a_notebook_not_graded_says_why():
    page = render_feedback_html(INVALID)
    assert "<b>Not graded.</b> not a notebook" in page and "<svg" not in page


def _report(results):
    return render_report_html(results, feedback=lambda s: f"feedback/{s}.html")


def test_the_report_is_the_same_whatever_the_order_of_the_results():
    assert _report([GRADED, INVALID]) == _report([INVALID, GRADED])


def test_the_report_links_every_student_and_fetches_nothing():
    page = _report([GRADED, INVALID])
    links = re.findall(r'href="([^"]*)"', page)
    assert {link for link in links if not link.startswith("#")} == {
        "feedback/s1.html",
        "feedback/s2.html",
    }
    anchors = {link[1:] for link in links if link.startswith("#")}
    assert anchors == {"scores", "checks", "mistakes", "students"}
    assert all(f'id="{anchor}"' in page for anchor in anchors)
    assert re.findall(r"\bsrc=|url\(|@import", page) == []
    assert set(re.findall(r"https?://[^\"' ]+", page)) == {"http://www.w3.org/2000/svg"}
    # The headline, the figures, the mistakes.
    assert page.count("<svg") == 2
    assert '<div class="card">mean score<b>4.0/32</b>' in page
    assert "ResNet50 is still the stub" in page
    assert '<td>hidden inputs <span class="tag">hidden</span></td>' in page


def test_the_figures_are_well_formed_svg():
    summary_page = _report([GRADED, INVALID])
    for svg in re.findall(r"<svg.*?</svg>", summary_page, flags=re.S):
        assert ET.fromstring(svg).tag == f"{SVG}svg"
    bars = figures.pass_rates([("f: a", 0.5, True), ("f: b", 1.0, False)], title="t")
    widths = [r.get("width") for r in ET.fromstring(bars).iter(f"{SVG}rect")]
    assert widths == ["140", "280"]
    assert "f: b (hidden)" in _texts(bars)


def test_two_checks_that_part_at_one_place_share_one_picture():
    window_ = _window(_without_bn())
    both = tuple(
        CheckResult("ResNet50", name, 5, 0, window_.text, window=window_)
        for name in ("layer table", "layers and settings")
    )
    page = render_feedback_html(
        SubmissionResult(
            "s4", "n.ipynb", "dd", "graded", report=GradeReport("n.ipynb", both)
        )
    )
    assert page.count("<svg") == 1
    assert "ResNet50: layer table, layers and settings: where your layer" in page
    assert page.count(f"First difference: {escape(window_.text)}.") == 1
