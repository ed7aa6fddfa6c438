"""Figures as inline SVG: the score histogram, pass rates, and a graph window.

The grader draws them itself rather than with matplotlib or Graphviz. Each
is a few rectangles and lines; drawn here, the text stays text (sharp in
print, searchable on the page), the output is the same bytes for the same
results (so ``grader report`` rebuilds a report identically, without
matplotlib's dated metadata and salted ids), nothing is installed for it
(Graphviz needs system binaries a pip install does not bring), and a
report costs a tenth of a second or two, less than importing matplotlib
alone (docs/grading-a-course.md: Why the grader draws its own figures).

Each function returns one ``<svg>`` element, sized by its ``viewBox`` so a
page can scale it, and described by a ``<title>`` for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from grader.reports.results import GraphWindow, LayerBox

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#1a1a1a"
GRID = "#d0d0d0"
BAR = "#3f6fb0"
HIDDEN_BAR = "#9db5d8"
WRONG = "#b3261e"
WRONG_FILL = "#fdecea"
BOX_FILL = "#f4f6f9"
MUTED = "#5f6368"


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}"'
        f' width="{width:g}" height="{height:g}" role="img"'
        f' font-family="{FONT}" font-size="12" fill="{INK}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float | None = None,
    weight: str | None = None,
    fill: str | None = None,
) -> str:
    extra = f' font-size="{size:g}"' if size else ""
    extra += f' font-weight="{weight}"' if weight else ""
    extra += f' fill="{fill}"' if fill else ""
    return (
        f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str = INK) -> str:
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="{stroke}"/>'


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 times a power of ten) for about ``ticks`` ticks."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw)


def histogram(bins: Sequence[tuple[float, float, int]], *, title: str) -> str:
    """Bars of how many scores fall in each range, with the count on each."""
    width, height = 640.0, 260.0
    left, right, top, bottom = 48.0, 16.0, 16.0, 44.0
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max((n for _, _, n in bins), default=0)
    step = max(1.0, _nice_step(most))
    ceiling = max(step, math.ceil(most / step) * step)
    body = []
    tick = 0.0
    while tick <= ceiling:
        y = top + plot_h * (1 - tick / ceiling)
        body.append(_line(left, y, left + plot_w, y, GRID))
        body.append(_text(left - 6, y + 4, f"{tick:g}", anchor="end"))
        tick += step
    slot = plot_w / max(len(bins), 1)
    for i, (low, _high, count) in enumerate(bins):
        x = left + i * slot
        bar = plot_h * count / ceiling
        if count:
            body.append(
                f'<rect x="{x + 3:g}" y="{top + plot_h - bar:g}" width="{slot - 6:g}"'
                f' height="{bar:g}" fill="{BAR}"/>'
            )
            body.append(
                _text(x + slot / 2, top + plot_h - bar - 4, str(count), anchor="middle")
            )
        body.append(_text(x, top + plot_h + 16, f"{low:g}", anchor="middle"))
    if bins:
        body.append(
            _text(left + plot_w, top + plot_h + 16, f"{bins[-1][1]:g}", anchor="middle")
        )
    body.append(_line(left, top + plot_h, left + plot_w, top + plot_h))
    body.append(_text(left + plot_w / 2, height - 6, "score", anchor="middle"))
    body.append(
        f'<text transform="translate(13 {top + plot_h / 2:g}) rotate(-90)"'
        ' text-anchor="middle">submissions</text>'
    )
    return _svg(width, height, title, body)


def pass_rates(rows: Sequence[tuple[str, float, bool]], *, title: str) -> str:
    """One bar per check: ``(label, share passed from 0 to 1, visible)``.

    Hidden checks' bars are lighter and their labels say "(hidden)".
    """
    label_w, bar_w, row_h = 370.0, 280.0, 22.0
    top, bottom = 8.0, 30.0
    width = label_w + bar_w + 56
    height = top + row_h * len(rows) + bottom
    body = []
    for quarter in range(5):
        x = label_w + bar_w * quarter / 4
        body.append(_line(x, top, x, top + row_h * len(rows), GRID))
        body.append(
            _text(x, height - 10, f"{quarter * 25}%", anchor="middle", fill=MUTED)
        )
    for i, (label, rate, visible) in enumerate(rows):
        y = top + i * row_h
        shown = label if visible else f"{label} (hidden)"
        body.append(_text(label_w - 8, y + 15, _fit(shown, 58), anchor="end"))
        fill = BAR if visible else HIDDEN_BAR
        body.append(
            f'<rect x="{label_w:g}" y="{y + 4:g}" width="{bar_w * rate:g}"'
            f' height="{row_h - 8:g}" fill="{fill}"/>'
        )
        body.append(_text(label_w + bar_w * rate + 6, y + 15, f"{rate:.0%}"))
    return _svg(width, height, title, body)


def _fit(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, an ellipsis marking the cut."""
    return text if len(text) <= chars else text[: chars - 1] + "…"


# --- where two layer graphs part -------------------------------------------

BOX_W, BOX_H, GAP, GUTTER, MARGIN, HEAD = 320.0, 56.0, 18.0, 56.0, 12.0, 30.0
SIDES = ("reference", "yours")


def graph_window(window: GraphWindow, *, title: str) -> str:
    """The two chains of layers side by side, the row where they part marked.

    Each box shows a layer's name, kind, settings and output shape, and the
    layers it takes where that is not simply the box above. A dashed box
    marks a place where one graph has no layer and the other has one.
    """
    rows = max(len(window.reference), len(window.student))
    width = 2 * BOX_W + GUTTER + 2 * MARGIN
    height = HEAD + rows * (BOX_H + GAP) - GAP + MARGIN
    body = []
    for column, (side, boxes) in enumerate(
        zip(SIDES, (window.reference, window.student), strict=True)
    ):
        x = MARGIN + column * (BOX_W + GUTTER)
        body.append(_text(x, 18, side, weight="bold", size=13))
        body.extend(_chain(x, boxes, window.at))
    y = HEAD + window.at * (BOX_H + GAP) + BOX_H / 2
    middle = MARGIN + BOX_W + GUTTER / 2
    body.append(
        _text(middle, y + 7, "≠", anchor="middle", size=22, weight="bold", fill=WRONG)
    )
    return _svg(width, height, title, body)


def _chain(x: float, boxes: Sequence[LayerBox | None], at: int) -> list[str]:
    arrows, shapes = [], []
    previous: LayerBox | None = None
    bottom = None  # of the last layer drawn
    middle = x + BOX_W / 2
    for row, box in enumerate(boxes):
        y = HEAD + row * (BOX_H + GAP)
        if box is None:
            shapes.append(_empty(x, y))
            continue
        if bottom is not None:
            # From the layer before, behind any empty place between them.
            arrows.append(_line(middle, bottom, middle, y - 4, MUTED))
            arrows.append(
                f'<path d="M{middle - 4:g} {y - 8:g} l4 7 l4 -7 z" fill="{MUTED}"/>'
            )
        shapes.extend(_box(x, y, box, previous, marked=row == at))
        previous, bottom = box, y + BOX_H
    return arrows + shapes


def _empty(x: float, y: float) -> str:
    return (
        f'<rect x="{x:g}" y="{y:g}" width="{BOX_W:g}" height="{BOX_H:g}" rx="5"'
        f' fill="#ffffff" stroke="{WRONG}" stroke-width="2" stroke-dasharray="6 4"/>'
        + _text(
            x + BOX_W / 2,
            y + BOX_H / 2 + 4,
            "no layer in this place",
            anchor="middle",
            fill=WRONG,
        )
    )


def _box(
    x: float, y: float, box: LayerBox, previous: LayerBox | None, *, marked: bool
) -> list[str]:
    stroke, fill, width = (WRONG, WRONG_FILL, 2.5) if marked else (MUTED, BOX_FILL, 1)
    kind = " · ".join(part for part in (box.kind, box.settings) if part)
    below = [f"out {box.shape}"] if box.shape else []
    if box.params:
        below.append(f"{box.params:,} params")
    if box.inputs and (previous is None or box.inputs != (previous.name,)):
        below.append("from " + ", ".join(box.inputs))
    shapes = [
        f'<rect x="{x:g}" y="{y:g}" width="{BOX_W:g}" height="{BOX_H:g}" rx="5"'
        f' fill="{fill}" stroke="{stroke}" stroke-width="{width:g}"/>',
        _text(x + 8, y + 17, _fit(box.name, 44), weight="bold"),
        _text(x + 8, y + 33, _fit(kind, 50)),
    ]
    if below:
        shapes.append(
            _text(x + 8, y + 48, _fit("; ".join(below), 54), size=11, fill=MUTED)
        )
    return shapes
