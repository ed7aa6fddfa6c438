"""Layer graphs read from a Keras model (``from_model``) or a table (``from_table``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from grader.models.graph import SETTINGS, Graph, Layer


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


def _kind_and_settings(entry: dict[str, Any], layer: Any) -> tuple[str, dict[str, Any]]:
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
