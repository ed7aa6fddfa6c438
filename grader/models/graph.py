"""Layer graphs and where two of them part.

A graph is the model reduced to what grading cares about: for each layer its
kind, inputs, output shape, parameter count and the settings that decide what
it computes. Two graphs are lined up by structure, walking from the input:
a layer of the reference is matched with the layer of the same kind that the
student applies to the same tensors. Names only break ties, so a misnamed
layer costs the names check and nothing else, and ``Add()`` inputs in either
order, ``ReLU()`` for ``Activation('relu')`` or stages built in a loop all
line up.

A graph is read from a Keras model or the layer table in ``grader.models.graph_read``;
``grader.models.graph_window`` cuts out the layers around a difference, for a picture.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

AUTO_NAME = re.compile(
    r"(input|input_layer|activation|re_lu|add|zero_padding2d|max_pooling2d|"
    r"average_pooling2d|global_average_pooling2d|global_max_pooling2d|flatten|"
    r"dense|conv2d|batch_normalization|dropout)(_\d+)?"
)

SETTINGS = {
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "activation"),
    "BatchNormalization": ("axis", "epsilon", "center", "scale"),
    "MaxPooling2D": ("pool_size", "strides", "padding"),
    "AveragePooling2D": ("pool_size", "strides", "padding"),
    "ZeroPadding2D": ("padding",),
    "Dense": ("units", "activation"),
}
COMMUTATIVE = {"Add"}
ACTIONS = {
    "Add": "adds the shortcut",
    "ReLU": "applies a ReLU",
    "Flatten": "flattens",
}


@dataclass(frozen=True)
class Layer:
    """One layer of a graph."""

    name: str
    kind: str
    inputs: tuple[str, ...]
    shape: tuple[int | None, ...] | None = None
    params: int | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def named(self) -> bool:
        """Whether the author named this layer (rather than Keras)."""
        return not AUTO_NAME.fullmatch(self.name)


@dataclass(frozen=True)
class NameProblem:
    """A name the reference gives that the student's counterpart lacks."""

    text: str
    #: No layer of the student's stands in that place at all (a layer left
    #: out, or a model cut short), rather than one misnamed or unnamed.
    missing: bool = False


@dataclass(frozen=True)
class Difference:
    """One place where a graph differs from the one it is compared with.

    ``reference`` and ``student`` name the layer of each graph at fault:
    both for a layer set up otherwise, one of them where the other graph
    has no layer in its place (missing, or one too many).
    """

    position: float
    text: str
    reference: str | None = None
    student: str | None = None


class Graph:
    """Layers in topological order, with the layers that consume each one."""

    def __init__(
        self, layers: Iterable[Layer], labels: Mapping[str, str] | None = None
    ) -> None:
        self.layers = {layer.name: layer for layer in layers}
        #: How to call some layers in messages, where the notebook names none
        #: (``"the third Conv2D of the main path"``): see ``position_labels``.
        self.labels = dict(labels or {})
        self.consumers: dict[str, list[str]] = {name: [] for name in self.layers}
        for name, layer in self.layers.items():
            for source in layer.inputs:
                self.consumers.setdefault(source, []).append(name)

    def label(self, name: str, *, depth: int = 2) -> str:
        """Describe a layer for a student: its name, or where it sits."""
        layer = self.layers[name]
        if layer.kind == "Input":
            return "the input"
        if name in self.labels:
            return self.labels[name]
        if layer.named:
            return name
        if depth == 0 or not layer.inputs:
            return f"a {layer.kind}"
        parts = sorted(self.label(i, depth=depth - 1) for i in layer.inputs)
        if layer.kind in COMMUTATIVE:
            return f"the {layer.kind} of {' and '.join(parts)}"
        return f"the {layer.kind} after {parts[0]}"

    def named_layers(self) -> list[str]:
        """Names the author gave, in graph order."""
        return [name for name, layer in self.layers.items() if layer.named]


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
BRANCH = re.compile(r"(res|bn)(\d)([a-f])_branch(1|2[abc])")
STEM = {
    "conv1": "the first Conv2D",
    "bn_conv1": "the first BatchNormalization",
    "avg_pool": "the AveragePooling2D",
}


def position_label(name: str, *, within_model: bool) -> str | None:
    """A 2020 layer name said the way the later editions' notebooks say it.

    ``res3a_branch2c`` is "the third Conv2D of the main path" in a block, and
    in the whole model "... of stage 3's convolutional block";
    ``bn4c_branch1`` is "the BatchNormalization of the shortcut". Names that
    are not the assignment's give None.
    """
    if name in STEM:
        return STEM[name]
    if re.fullmatch(r"fc\d+", name):
        return "the Dense layer"
    match = BRANCH.fullmatch(name)
    if match is None:
        return None
    prefix, stage, block, branch = match.groups()
    kind = "Conv2D" if prefix == "res" else "BatchNormalization"
    if branch == "1":
        text = f"the {kind} of the shortcut"
    else:
        text = f"the {ORDINALS['abc'.index(branch[1])]} {kind} of the main path"
    if within_model:
        which = (
            "convolutional block"
            if block == "a"
            else f"{ORDINALS['bcdef'.index(block)]} identity block"
        )
        text += f" of stage {stage}'s {which}"
    return text


def position_labels(
    unnamed: Iterable[str], named: Iterable[str], *, within_model: bool
) -> dict[str, str]:
    """Labels for an unnamed model's layers from its named twin's, in order.

    ``unnamed`` and ``named`` are the layer names of the same architecture
    built twice, without and with the 2020 edition's names.
    """
    labels = {}
    for plain, given in zip(unnamed, named, strict=True):
        label = position_label(given, within_model=within_model)
        if label is not None:
            labels[plain] = label
    return labels


def align(graph: Graph, reference: Graph) -> dict[str, str]:
    """Match reference layers with the student's, by structure.

    Returns ``{reference name: student name}`` for every reference layer that
    has a counterpart: the first (graph-order) layer of the same kind that
    consumes the counterparts of its inputs, preferring the same name, then
    the same settings. A layer whose inputs have no counterparts is matched by
    name alone.
    """
    mapping: dict[str, str] = {}
    used: set[str] = set()
    order = {name: i for i, name in enumerate(graph.layers)}
    for name, expected in reference.layers.items():
        if expected.kind == "Input":
            pool = [n for n, layer in graph.layers.items() if layer.kind == "Input"]
        else:
            known = [mapping[i] for i in expected.inputs if i in mapping]
            pool = sorted(
                {c for k in known for c in graph.consumers.get(k, [])},
                key=order.__getitem__,
            )
            # Consumers of every matched input first: they sit in the same place.
            pool.sort(key=lambda c: -sum(k in graph.layers[c].inputs for k in known))
        candidates = [
            c
            for c in pool
            if c not in used
            and graph.layers[c].kind == expected.kind
            and (
                c == name
                or not graph.layers[c].named
                or _agrees(graph.layers[c], expected)
            )
        ]
        if (
            not candidates
            and expected.named
            and name in graph.layers
            and name not in used
        ):
            if graph.layers[name].kind == expected.kind or not pool:
                candidates = [name]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda c: (
                c != name,
                _setting_mismatches(graph.layers[c], expected),
                order[c],
            ),
        )
        mapping[name] = best
        used.add(best)
    return mapping


def name_problems(graph: Graph, reference: Graph) -> list[NameProblem]:
    """Each name the reference gives that the student's counterpart lacks."""
    mapping = align(graph, reference)
    problems = []
    for name in reference.named_layers():
        theirs = mapping.get(name)
        if theirs == name or (theirs is None and name in graph.layers):
            continue
        if theirs is None:
            problems.append(NameProblem(f"no layer named {name}", missing=True))
        elif graph.layers[theirs].named:
            problems.append(
                NameProblem(f"the layer in {name}'s place is named {theirs}")
            )
        else:
            kind = reference.layers[name].kind
            problems.append(NameProblem(f"the {kind} in {name}'s place has no name"))
    return problems


def _agrees(actual: Layer, expected: Layer) -> bool:
    """Whether a layer the author named otherwise may stand in for ``expected``."""
    return (
        _setting_mismatches(actual, expected) == 0
        and expected.shape in (None, actual.shape)
        and expected.params in (None, actual.params)
    )


def _setting_mismatches(actual: Layer, expected: Layer) -> int:
    return sum(actual.settings.get(k) != v for k, v in expected.settings.items())


def compare(
    graph: Graph,
    reference: Graph,
    *,
    shapes: bool = False,
    params: bool = False,
    settings: bool = True,
) -> list[Difference]:
    """List where ``graph`` parts from ``reference``, earliest first.

    Shapes and parameter counts are reported only where they first go wrong
    (the layer's inputs still agreed), so one mistake is one difference.
    """
    mapping = align(graph, reference)
    back = {student: ref for ref, student in mapping.items()}
    found: list[Difference] = []
    told: set[str] = set()  # student layers a "missing" message already names
    for position, (name, expected) in enumerate(reference.layers.items()):
        if name not in mapping:
            echo = expected.inputs and not any(i in mapping for i in expected.inputs)
            if echo and not expected.named:
                continue  # follows from a missing input, already reported
            source = next((i for i in expected.inputs if i in mapping), None)
            text, instead = _missing(graph, reference, name, source, mapping, back)
            found.append(Difference(position, text, name, instead))
            if source is not None:
                told.update(graph.consumers.get(mapping[source], []))
            continue
        actual = graph.layers[mapping[name]]
        label = reference.label(name)
        if actual.kind != expected.kind:
            text = f"{label}: a {actual.kind} layer, expected {expected.kind}"
            found.append(Difference(position, text, name, actual.name))
            continue
        inputs_known = all(i in mapping for i in expected.inputs)
        texts = []
        if inputs_known and not _same_inputs(actual, expected, mapping):
            got = " and ".join(graph.label(i) for i in actual.inputs) or "nothing"
            want = " and ".join(reference.label(i) for i in expected.inputs)
            texts.append(f"takes {got}, expected {want}")
        root = inputs_known and all(
            graph.layers[mapping[i]].shape == reference.layers[i].shape
            for i in expected.inputs
        )
        same_shape = actual.shape == expected.shape or expected.shape is None
        if shapes and root and not same_shape:
            texts.append(f"output shape {actual.shape}, expected {expected.shape}")
        if params and root and expected.params not in (None, actual.params):
            texts.append(f"{actual.params:,} parameters, expected {expected.params:,}")
        if settings:
            texts.extend(_setting_differences(actual, expected, same_shape, label))
        found.extend(
            Difference(
                position,
                t if t.startswith(label) else f"{label}: {t}",
                name,
                actual.name,
            )
            for t in texts
        )
    # A layer only the student has sits just after the latest of its inputs.
    order = {name: float(i) for i, name in enumerate(reference.layers)}
    positions: dict[str, float] = {}
    for name, actual in graph.layers.items():
        if name in back:
            positions[name] = order[back[name]]
            continue
        positions[name] = max((positions[i] for i in actual.inputs), default=-1) + 0.5
        if name not in told:
            text, instead = _extra(graph, reference, name, mapping, back)
            found.append(Difference(positions[name], text, instead, name))
    return sorted(found, key=lambda d: d.position)


def _same_inputs(actual: Layer, expected: Layer, mapping: dict[str, str]) -> bool:
    want = [mapping[i] for i in expected.inputs]
    got = list(actual.inputs)
    if expected.kind in COMMUTATIVE:
        return sorted(got) == sorted(want)
    return got == want


def _action(layer: Layer) -> str:
    action = ACTIONS.get(layer.kind, f"applies {layer.kind}")
    return f"{action} ({layer.name})" if layer.named else action


def _joined(actions: Iterable[str]) -> str:
    """Join actions, saying "applies" once: "applies Conv2D (a) and Conv2D (b)"."""
    text = " and ".join(actions)
    return text.replace(" and applies ", " and ")


def _missing(
    graph: Graph,
    reference: Graph,
    name: str,
    source: str | None,
    mapping: dict[str, str],
    back: dict[str, str],
) -> tuple[str, str | None]:
    """Describe a reference layer with no counterpart, after its matched input.

    Also returns the student's layer in its place: the first there that
    stands for no reference layer, if any.
    """
    expected = reference.layers[name]
    what = f" ({name})" if expected.named else ""
    if source is None:
        if expected.named:
            return f"no layer named {name} ({expected.kind})", None
        return f"{reference.label(name)} is missing ({expected.kind} expected)", None
    ours_after = set(reference.consumers.get(source, []))
    theirs = [
        graph.layers[c]
        for c in graph.consumers.get(mapping[source], [])
        if back.get(c) not in ours_after
    ]
    yours = (
        "yours " + _joined(_action(layer) for layer in theirs)
        if theirs
        else "yours has nothing there"
    )
    ours = ACTIONS.get(expected.kind, f"applies {expected.kind}")
    instead = next((layer.name for layer in theirs if layer.name not in back), None)
    text = f"after {reference.label(source)} the reference {ours}{what}; {yours}"
    return text, instead


def _extra(
    graph: Graph,
    reference: Graph,
    name: str,
    mapping: dict[str, str],
    back: dict[str, str],
) -> tuple[str, str | None]:
    """Describe a student layer with no counterpart, after its matched input.

    Also returns the reference's layer in its place: the first there that
    has no counterpart, if any.
    """
    layer = graph.layers[name]
    source = next((i for i in layer.inputs if i in back), None)
    if source is None:
        return f"{graph.label(name)} ({layer.kind}) is not in the reference", None
    after = reference.consumers.get(back[source], [])
    # What the reference does there instead: its unmatched layers if any.
    instead = [reference.layers[c] for c in after if c not in mapping] or [
        reference.layers[c] for c in after
    ]
    reference_does = (
        "the reference " + _joined(_action(r) for r in instead)
        if instead
        else "the reference ends there"
    )
    yours = f"after {graph.label(source)} yours {_action(layer)}"
    unmatched = next((c for c in after if c not in mapping), None)
    return f"{yours}; {reference_does}", unmatched


def _setting_differences(
    actual: Layer, expected: Layer, same_shape: bool, label: str
) -> list[str]:
    texts = []
    for setting, want in expected.settings.items():
        got = actual.settings.get(setting)
        if got == want:
            continue
        if setting == "padding" and same_shape:
            continue  # 'same' pads nothing where it gives 'valid''s shape
        if setting == "axis" and expected.kind == "BatchNormalization":
            texts.append(
                f"{label} normalizes axis {shown(got)}, "
                f"expected the channels axis ({shown(want)})"
            )
            continue
        texts.append(f"{setting} {shown(got)}, expected {shown(want)}")
    return texts


def shown(value: Any) -> str:
    """A setting's value as a message shows it (strings quoted)."""
    if isinstance(value, str):
        return repr(value)
    return str(value)
