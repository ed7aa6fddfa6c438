"""Rebuilding student models from their configuration, safely, and weighting them.

The kernel hands back a model's JSON configuration: data, not code. Before
Keras sees it, every layer must be a built-in Keras layer (a ``Lambda`` or a
custom class could carry code), and initializers are replaced by Keras'
defaults, because the grader sets every weight itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import keras
import numpy as np

from resnets_utils import stateless_glorot_uniform_values, tf1_glorot_uniform_values

REFUSED_LAYERS = {"Lambda", "TFSMLayer"}
CONFIG_LIMIT = 16 * 1024 * 1024
NOT_BUILTIN = (
    "layer {name!r} is a {kind}; the grader only accepts Keras' built-in layers "
    "(no Lambda or custom layers)"
)
NESTED_MODEL = "layer {name!r} is a whole model inside the model; build one flat model"
BAD_CONFIG = "the model could not be rebuilt from its configuration ({reason})"


class Rejected(ValueError):
    """The configuration is not one the grader will rebuild; the text says why."""


def rebuild(config_json: str) -> keras.Model:
    """Rebuild a functional model from untrusted JSON.

    Anything but Keras' built-in layers is refused with ``Rejected``.
    """
    if not isinstance(config_json, str) or len(config_json) > CONFIG_LIMIT:
        raise Rejected(BAD_CONFIG.format(reason="missing or too large"))
    try:
        config = json.loads(config_json)
        layers = config["config"]["layers"]
    except (ValueError, KeyError, TypeError) as exc:
        raise Rejected(BAD_CONFIG.format(reason=f"unreadable: {exc}")) from None
    for entry in layers:
        _vet_layer(entry)
    try:
        model = keras.saving.deserialize_keras_object(config, safe_mode=True)
    except Exception as exc:  # Keras raises many kinds on a bad config
        raise Rejected(BAD_CONFIG.format(reason=exc)) from None
    if not isinstance(model, keras.Model):
        raise Rejected(BAD_CONFIG.format(reason="not a model"))
    return model


def canonical_config(config_json: str) -> str | None:
    """The configuration as ``rebuild`` builds it, with every name left out.

    Layers are named by their place in the configuration instead, so two
    configurations with the same canonical form build the same model, layer
    for layer and weight for weight after the same seed: for a check that
    reads no name, one stands for the other. None where ``rebuild`` would
    refuse it.
    """
    try:
        config = json.loads(config_json)
        layers = config["config"]["layers"]
        for entry in layers:
            _vet_layer(entry)
        places = {entry["name"]: f"#{i}" for i, entry in enumerate(layers)}
    except (Rejected, ValueError, KeyError, TypeError):
        return None
    for entry in layers:
        entry["name"] = entry["config"]["name"] = places.get(entry["name"])
    config["config"]["name"] = ""
    for key in ("input_layers", "output_layers"):
        ends = config["config"].get(key)
        if isinstance(ends, list):
            config["config"][key] = _renamed(ends, places)

    def history(value: Any) -> Any:
        if isinstance(value, dict):
            if isinstance(value.get("keras_history"), list) and value["keras_history"]:
                first, *rest = value["keras_history"]
                value["keras_history"] = [places.get(first, first), *rest]
            return {key: history(item) for key, item in value.items()}
        if isinstance(value, list):
            return [history(item) for item in value]
        return value

    for entry in layers:
        entry["inbound_nodes"] = history(entry.get("inbound_nodes"))
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def _renamed(ends: list[Any], places: dict[str, str]) -> list[Any]:
    """``input_layers`` or ``output_layers``: [name, node, tensor] rows, or one."""
    if ends and isinstance(ends[0], str):
        return [places.get(ends[0], ends[0]), *ends[1:]]
    return [_renamed(end, places) if isinstance(end, list) else end for end in ends]


def _vet_layer(entry: Any) -> None:
    if not isinstance(entry, dict) or not isinstance(entry.get("config"), dict):
        raise Rejected(BAD_CONFIG.format(reason="a layer entry is malformed"))
    kind = entry.get("class_name")
    name = entry["config"].get("name", "?")
    if kind in {"Functional", "Sequential", "Model"}:
        raise Rejected(NESTED_MODEL.format(name=name))
    builtin = entry.get("module") == "keras.layers" and not entry.get("registered_name")
    if kind in REFUSED_LAYERS or not builtin:
        raise Rejected(NOT_BUILTIN.format(name=name, kind=kind))
    for key in list(entry["config"]):
        if key.endswith(("_initializer", "_regularizer", "_constraint")):
            del entry["config"][key]  # the layer's own default takes its place


@cache
def _tf1_kernel(shape: tuple[int, ...]) -> np.ndarray:
    return tf1_glorot_uniform_values(shape, 0)


@cache
def _stateless_kernel(shape: tuple[int, ...]) -> np.ndarray:
    return stateless_glorot_uniform_values(shape, 0)


def _ones(shape: tuple[int, ...]) -> np.ndarray:
    return np.ones(shape)


KERNELS: dict[str, Callable[[tuple[int, ...]], np.ndarray]] = {
    "tf1-glorot": _tf1_kernel,
    "stateless-glorot": _stateless_kernel,
    "ones": _ones,
}
"""Seeded kernels by the name an edition's ``expected`` file gives (see below)."""


def set_seeded_weights(
    model: keras.Model, *, batchnorm: str = "initial", kernels: str = "tf1-glorot"
) -> None:
    """Give every layer weights that depend only on its shape.

    Conv2D and Dense kernels are TF1's ``glorot_uniform(seed=0)`` draws, as in
    the 2020 edition (``"tf1-glorot"``), TensorFlow 2.7+'s stateless draws
    of the same (``"stateless-glorot"``: the 2021 edition's convolutional
    block example, run with its default initializer), or all ones
    (``"ones"``: its identity block examples pass ``constant(value=1)``);
    biases are zero.
    BatchNormalization is at its initial state (``"initial"``, which the
    assignment's printed values assume) or has statistics drawn from its
    shape (``"varied"``), so that the
    normalized axis shows in the output. Because nothing depends on names,
    a misnamed layer costs only the names check.
    """
    for layer in model.layers:
        weights = layer.get_weights()
        if not weights:
            continue
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.set_weights(_batchnorm_weights(layer, batchnorm))
        elif isinstance(layer, keras.layers.Conv2D | keras.layers.Dense):
            shape = tuple(int(d) for d in weights[0].shape)
            kernel = KERNELS[kernels](shape)
            layer.set_weights([kernel, *(np.zeros_like(w) for w in weights[1:])])


def _batchnorm_weights(layer: Any, mode: str) -> list[np.ndarray]:
    size = int(layer.moving_mean.shape[0])
    if mode == "initial":
        gamma, beta, mean = np.ones(size), np.zeros(size), np.zeros(size)
        variance = np.ones(size)
    else:
        rng = np.random.default_rng(size)
        gamma, beta, mean = (
            rng.uniform(low, high, size)
            for low, high in ((0.5, 1.5), (-0.5, 0.5), (-0.5, 0.5))
        )
        variance = rng.uniform(0.5, 2.0, size)
    # Keras orders them gamma, beta, mean, variance, leaving out what is off.
    weights = [gamma] if layer.scale else []
    weights += [beta] if layer.center else []
    return [w.astype("float32") for w in (*weights, mean, variance)]


def parameter_counts(model: keras.Model) -> tuple[int, int, int]:
    """Return (total, trainable, non-trainable) parameter counts."""
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return trainable + frozen, trainable, frozen
