"""Layer graphs and where two of them part.

A graph is the model reduced to what grading cares about: for each layer its
kind, inputs, output shape, parameter count and the settings that decide what
it computes. Layers are matched between two graphs by a key that uses the
layer's name where the author gave one and, for layers Keras named itself
(``activation_4``, ``add_2``), the kinds and keys of their inputs. So a
student's graph lines up with the reference's however the code was written.
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
class Difference:
    """One place where a graph differs from the one it is compared with.

    ``named`` differences concern a layer the author named; they come first,
    because a misplaced unnamed layer (a ReLU, an Add) is usually the echo of
    a named one that is missing or wired elsewhere.
    """

    position: float
    text: str
    named: bool = True


class Graph:
    """Layers in topological order, with structural keys and readable labels."""

    def __init__(self, layers: Iterable[Layer]) -> None:
        self.layers = {layer.name: layer for layer in layers}
        self._keys: dict[str, str] = {}
        for name in self.layers:
            self._keys[name] = self._key(name)
        self.by_key = {key: name for name, key in self._keys.items()}

    def key(self, name: str) -> str:
        """Structural key of the layer called ``name``."""
        return self._keys[name]

    def _key(self, name: str) -> str:
        layer = self.layers[name]
        if layer.kind == "Input":
            return "Input"
        if layer.named:
            return name
        inputs = [self._keys[i] for i in layer.inputs]
        if layer.kind in COMMUTATIVE:
            inputs.sort()
        return f"{layer.kind}({', '.join(inputs)})"

    def label(self, name: str, *, depth: int = 2) -> str:
        """Describe a layer for a student: its name, or where it sits."""
        layer = self.layers[name]
        if layer.kind == "Input":
            return "the input"
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


def compare(
    graph: Graph,
    reference: Graph,
    *,
    shapes: bool = False,
    params: bool = False,
    settings: bool = True,
) -> list[Difference]:
    """List where ``graph`` parts from ``reference``, earliest first."""
    found: list[Difference] = []
    for position, (name, expected) in enumerate(reference.layers.items()):
        actual_name = graph.by_key.get(reference.key(name))
        if actual_name is None:
            text = _missing(reference, name)
            found.append(Difference(position, text, expected.named))
            continue
        actual = graph.layers[actual_name]
        texts = _layer_differences(
            graph, reference, actual, expected, shapes, params, settings
        )
        label = reference.label(name)
        found.extend(
            Difference(position, f"{label}: {text}", expected.named) for text in texts
        )
    # A layer only the student has sits just after the latest of its inputs.
    order = {name: float(i) for i, name in enumerate(reference.layers)}
    positions: dict[str, float] = {}
    for name, actual in graph.layers.items():
        matched = reference.by_key.get(graph.key(name))
        if matched is not None:
            positions[name] = order[matched]
            continue
        positions[name] = max((positions[i] for i in actual.inputs), default=-1) + 0.5
        found.append(Difference(positions[name], _extra(graph, actual), actual.named))
    return sorted(found, key=lambda d: (not d.named, d.position))


def _missing(reference: Graph, name: str) -> str:
    expected = reference.layers[name]
    label = reference.label(name)
    if expected.named:
        return f"no layer named {name} ({expected.kind})"
    return f"{label} is missing ({expected.kind} expected)"


def _extra(graph: Graph, layer: Layer) -> str:
    if layer.named:
        return f"{layer.name} ({layer.kind}) is not in the reference"
    return f"{graph.label(layer.name)} is not in the reference"


def _layer_differences(
    graph: Graph,
    reference: Graph,
    actual: Layer,
    expected: Layer,
    shapes: bool,
    params: bool,
    settings: bool,
) -> list[str]:
    if actual.kind != expected.kind:
        return [f"a {actual.kind} layer, expected {expected.kind}"]
    texts = []
    got_inputs = [graph.key(i) for i in actual.inputs]
    want_inputs = [reference.key(i) for i in expected.inputs]
    if expected.kind in COMMUTATIVE:
        got_inputs.sort()
        want_inputs.sort()
    if got_inputs != want_inputs:
        got = " and ".join(graph.label(i) for i in actual.inputs) or "nothing"
        want = " and ".join(reference.label(i) for i in expected.inputs)
        texts.append(f"takes {got}, expected {want}")
    if shapes and expected.shape is not None and actual.shape != expected.shape:
        texts.append(f"output shape {actual.shape}, expected {expected.shape}")
    if params and expected.params is not None and actual.params != expected.params:
        texts.append(f"{actual.params:,} parameters, expected {expected.params:,}")
    if settings:
        for setting, want in expected.settings.items():
            got = actual.settings.get(setting)
            if got != want:
                texts.append(f"{setting} {_show(got)}, expected {_show(want)}")
    return texts


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return str(value)


def from_model(model: Any) -> Graph:
    """Build the graph of a functional Keras model."""
    config = model.get_config()
    layers = []
    for entry in config["layers"]:
        name = entry["config"]["name"]
        keras_layer = model.get_layer(name)
        kind, settings = _kind_and_settings(entry, keras_layer)
        layers.append(
            Layer(
                name=name,
                kind=kind,
                inputs=tuple(_inbound(entry.get("inbound_nodes", []))),
                shape=tuple(keras_layer.output.shape),
                params=int(keras_layer.count_params()),
                settings=settings,
            )
        )
    return Graph(layers)


def _kind_and_settings(entry: dict, layer: Any) -> tuple[str, dict[str, Any]]:
    class_name = entry["class_name"]
    config = entry["config"]
    if class_name == "InputLayer":
        return "Input", {}
    if class_name == "ReLU":
        plain = not config.get("max_value") and not config.get("negative_slope")
        return ("ReLU" if plain else "ReLU(clipped or leaky)"), {}
    if class_name == "Activation":
        activation = _activation_name(config.get("activation"))
        return ("ReLU" if activation == "relu" else f"Activation({activation})"), {}
    settings = {}
    for setting in SETTINGS.get(class_name, ()):
        value = config.get(setting)
        if setting == "activation":
            value = _activation_name(value)
        elif setting == "axis":
            value = _positive_axes(value, len(layer.output.shape))
        elif isinstance(value, list):
            value = _tuple(value)
        settings[setting] = value
    return class_name, settings


def _activation_name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("config", value.get("class_name"))
    return str(value)


def _positive_axes(axis: Any, rank: int) -> Any:
    if isinstance(axis, list):
        return tuple(a % rank for a in axis) if len(axis) > 1 else axis[0] % rank
    return axis % rank if isinstance(axis, int) else axis


def _tuple(value: Any) -> Any:
    return tuple(_tuple(v) for v in value) if isinstance(value, list) else value


def _inbound(nodes: Any) -> list[str]:
    """Names of the layers whose outputs feed this one, in argument order."""
    names: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            history = item.get("config", {}).get("keras_history")
            if item.get("class_name") == "__keras_tensor__" and history:
                names.append(history[0])
                return
            for value in item.values():
                walk(value)
        elif isinstance(item, list | tuple):
            for value in item:
                walk(value)

    walk(nodes[:1])
    return names


def from_table(rows: Iterable[Mapping[str, str]]) -> Graph:
    """Build a graph from a ``model.summary()`` table read as rows of text."""
    kinds = {"InputLayer": "Input", "Activation": "ReLU"}
    layers = []
    for row in rows:
        shape = tuple(
            None if part.strip() == "None" else int(part)
            for part in row["output_shape"].strip("()").split(",")
        )
        layers.append(
            Layer(
                name=row["name"],
                kind=kinds.get(row["type"], row["type"]),
                inputs=tuple(i for i in row["inputs"].split(",") if i),
                shape=shape,
                params=int(row["params"]),
            )
        )
    return Graph(layers)
