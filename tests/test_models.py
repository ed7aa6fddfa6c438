"""Rebuilding untrusted model configurations."""

from __future__ import annotations

import json

import keras
import pytest

from grader.models import rebuild as models


def _tiny(*middle):
    inputs = keras.Input((4, 4, 3))
    x = inputs
    for layer in middle:
        x = layer(x)
    return keras.Model(inputs, x)


def test_builtin_layers_rebuild_and_initializers_are_dropped():
    model = _tiny(keras.layers.Conv2D(2, 1, kernel_initializer="ones", name="c"))
    rebuilt = models.rebuild(model.to_json())
    assert rebuilt.get_layer("c").get_config()["kernel_initializer"]["class_name"] == (
        "GlorotUniform"
    )


def test_lambda_layers_are_refused_with_their_name():
    model = _tiny(keras.layers.Lambda(lambda t: t * 2, name="sneaky"))
    with pytest.raises(models.Rejected, match="layer 'sneaky' is a Lambda"):
        models.rebuild(model.to_json())


def test_custom_classes_are_refused():
    config = json.loads(_tiny(keras.layers.ReLU(name="r")).to_json())
    config["config"]["layers"][1]["module"] = "evil.module"
    with pytest.raises(models.Rejected, match="layer 'r' is a ReLU"):
        models.rebuild(json.dumps(config))


@pytest.mark.parametrize("text", ["", "{", '{"config": {}}', "[]", None])
def test_garbage_is_refused(text):
    with pytest.raises(models.Rejected, match="could not be rebuilt"):
        models.rebuild(text)


def test_seeded_weights_depend_on_shape_only():
    a = _tiny(keras.layers.Conv2D(2, 3, name="x"), keras.layers.BatchNormalization())
    b = _tiny(keras.layers.Conv2D(2, 3, name="y"), keras.layers.BatchNormalization())
    for model in (a, b):
        models.set_seeded_weights(model, batchnorm="varied")
    for left, right in zip(a.get_weights(), b.get_weights(), strict=True):
        assert (left == right).all()
    assert models.parameter_counts(a) == (2 * 27 + 2 + 4 * 2, 2 * 27 + 2 + 2 * 2, 4)
