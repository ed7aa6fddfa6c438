"""The layers of two graphs around where they part, for the feedback's picture."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from grader.models.graph import Difference, Graph, Layer, align, shown
from grader.reports.results import GraphWindow, LayerBox


def window(
    graph: Graph, reference: Graph, difference: Difference, *, around: int = 3
) -> GraphWindow:
    """The layers of both graphs around ``difference``, for a picture.

    Each side is its graph's layers in graph order: up to ``around`` before
    the layer at fault, that layer, and up to ``around`` after it. Where one
    graph has no layer in the other's place (a layer missing, or one too
    many) that side's row is ``None``, so that the layers after it line up
    again, as in a text diff.
    """
    ours, theirs = list(reference.layers), list(graph.layers)
    if difference.reference is not None:
        ours_at = ours.index(difference.reference)
    else:  # the student's extra layer sits half a place after its input
        ours_at = min(math.ceil(difference.position), len(ours))
    if difference.student is not None:
        theirs_at = theirs.index(difference.student)
    else:  # just after the student's last layer that stands for an earlier one
        mapping = align(graph, reference)
        matched = [theirs.index(mapping[n]) for n in ours[:ours_at] if n in mapping]
        theirs_at = max(matched, default=-1) + 1
    before = min(around, ours_at, theirs_at)

    def side(
        g: Graph, names: list[str], at: int, present: bool
    ) -> tuple[LayerBox | None, ...]:
        rest = at + 1 if present else at
        middle: list[str | None] = [names[at]] if present else [None]
        shown = names[at - before : at] + middle + names[rest : rest + around]
        return tuple(None if n is None else _box(g.layers[n]) for n in shown)

    return GraphWindow(
        text=difference.text,
        at=before,
        reference=side(reference, ours, ours_at, difference.reference is not None),
        student=side(graph, theirs, theirs_at, difference.student is not None),
    )


def _box(layer: Layer) -> LayerBox:
    shape = layer.shape[1:] if layer.shape else ()
    return LayerBox(
        name=layer.name,
        kind=layer.kind,
        settings=", ".join(_settings_text(layer)),
        shape="×".join("?" if d is None else str(d) for d in shape),
        params=layer.params,
        inputs=layer.inputs,
    )


#: Settings left out of a layer's picture while they have Keras' defaults.
QUIET = {"activation": "linear", "epsilon": 0.001, "center": True, "scale": True}


def _settings_text(layer: Layer) -> list[str]:
    """A layer's settings in a few words each: ``4 filters``, ``3×3``, ``stride 2``."""
    parts = []
    for setting, value in layer.settings.items():
        if QUIET.get(setting, object()) == value:
            continue
        if setting == "padding" and layer.kind == "ZeroPadding2D":
            parts.append(f"pad {_step(value)}")
        elif setting == "filters":
            parts.append(f"{value} filters")
        elif setting == "units":
            parts.append(f"{value} units")
        elif setting == "kernel_size":
            parts.append(_size(value))
        elif setting == "pool_size":
            parts.append(f"pool {_size(value)}")
        elif setting == "strides":
            parts.append(f"stride {_step(value)}")
        elif setting in ("padding", "activation"):
            parts.append(str(value))
        elif value is False:
            parts.append(f"no {setting}")
        else:
            parts.append(f"{setting} {shown(value)}")
    return parts


def _size(value: Any) -> str:
    """A kernel's or pool's size: ``(3, 3)`` as ``3×3``."""
    if isinstance(value, tuple):
        return "×".join(_size(v) for v in value)
    return str(value)


def _step(value: Any) -> str:
    """A stride or padding, one number where all are the same: ``(2, 2)`` as ``2``."""
    flat = list(_flatten(value))
    return str(flat[0]) if len(set(flat)) == 1 else _size(value)


def _flatten(value: Any) -> Iterable[Any]:
    if isinstance(value, tuple):
        for v in value:
            yield from _flatten(v)
    else:
        yield value
