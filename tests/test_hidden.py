"""The short training run's optimizer against Keras' own, on a real model."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from grader.judging.hidden import adam_steps

pytestmark = pytest.mark.fast


def _model() -> keras.Model:
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.BatchNormalization(axis=3, name="bn")(x)
    x = keras.layers.Activation("relu")(x)
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(6, activation="softmax", name="fc")(x)
    return keras.Model(inputs, outputs)


def test_adam_steps_train_to_the_bit_as_keras_adam_does():
    rng = np.random.default_rng(5)
    x = rng.uniform(size=(4, 8, 8, 3)).astype("float32")
    y = np.eye(6, dtype="float32")[[0, 3, 5, 1]]
    keras.utils.set_random_seed(0)
    theirs = _model()
    theirs.compile(optimizer="adam", loss="categorical_crossentropy", run_eagerly=True)
    their_losses = [float(theirs.train_on_batch(x, y)) for _ in range(4)]
    keras.utils.set_random_seed(0)
    ours = _model()
    our_losses = adam_steps(ours, x, y, 4)
    assert our_losses == their_losses
    assert our_losses[-1] < our_losses[0]
    # Every weight, BatchNormalization's moving statistics included.
    for mine, keras_own in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        assert np.array_equal(mine, keras_own)
