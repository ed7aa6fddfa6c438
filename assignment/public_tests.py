"""Public checks for the Residual Networks assignment, run from the notebook.

Each ``*_test`` function builds the student's function on the assignment's
own example, raises ``AssertionError`` with a message naming what to fix, and
prints ``All tests passed.`` otherwise. The auto-grader runs these checks and
more (hidden inputs, a short training run) when the notebook is submitted.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from resnets_utils import tf1_glorot_uniform_values

__all__ = ["convolutional_block_test", "identity_block_test", "resnet50_test"]

IDENTITY_EXPECTED = [0.94822985, 0.0, 1.16101444, 2.747859, 0.0, 1.36677003]
CONVOLUTIONAL_EXPECTED = [
    0.09018463,
    1.23489773,
    0.46822017,
    0.0367176,
    0.0,
    0.65516603,
]
BLOCK_ARGS = {"f": 2, "filters": [2, 4, 6], "stage": 1, "block": "a"}
BRANCHES = ("2a", "2b", "2c")
RESNET50_PARAMS = (23_600_006, 23_546_886, 53_120)


def seeded_input() -> np.ndarray:
    """Return the assignment's test input: ``np.random.seed(1); randn(3, 4, 4, 6)``."""
    np.random.seed(1)
    return np.random.randn(3, 4, 4, 6).astype("float32")


def reset_to_seeded_weights(model: keras.Model) -> None:
    """Set the weights the assignment's printed values were computed with.

    Every Conv2D gets TF1's ``glorot_uniform(seed=0)`` kernel and a zero bias,
    every BatchNormalization its initial state, whatever initializer the code
    asked for.
    """
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            weights = [tf1_glorot_uniform_values(tuple(layer.kernel.shape), 0)]
            if layer.use_bias:
                weights.append(np.zeros(layer.bias.shape, "float32"))
            layer.set_weights(weights)
        elif isinstance(layer, keras.layers.BatchNormalization):
            layer.set_weights(
                [
                    np.ones(w.shape) if i in (0, 3) else np.zeros(w.shape)
                    for i, w in enumerate(layer.get_weights())
                ]
            )


def _block_model(target: Callable, out_size: int, **extra: object) -> keras.Model:
    inputs = keras.Input(shape=(4, 4, 6))
    outputs = target(inputs, **BLOCK_ARGS, **extra)
    assert outputs is not None, (
        "The function returned None: fill in the code between "
        "### START CODE HERE ### and ### END CODE HERE ###."
    )
    expected_shape = (None, out_size, out_size, 6)
    assert tuple(outputs.shape) == expected_shape, (
        f"Output shape {tuple(outputs.shape)}, expected {expected_shape}."
    )
    return keras.Model(inputs, outputs)


def _check_names(model: keras.Model, expected: list[str]) -> None:
    names = {layer.name for layer in model.layers}
    missing = [name for name in expected if name not in names]
    assert not missing, f"No layer named {', '.join(missing)}."


def _check_seeded_output(model: keras.Model, expected: list[float]) -> None:
    reset_to_seeded_weights(model)
    out = np.asarray(model(seeded_input(), training=False))[1][1][0]
    assert np.allclose(out, expected, atol=1e-5), (
        f"out[1][1][0] is {out}, expected {np.array(expected)}."
    )


def identity_block_test(target: Callable) -> None:
    """Check ``identity_block`` on the assignment's example."""
    model = _block_model(target, 4)
    _check_names(
        model,
        [f"{kind}1a_branch{b}" for b in BRANCHES for kind in ("res", "bn")],
    )
    _check_seeded_output(model, IDENTITY_EXPECTED)
    print("All tests passed.")


def convolutional_block_test(target: Callable) -> None:
    """Check ``convolutional_block`` (s=2) on the assignment's example."""
    model = _block_model(target, 2, s=2)
    _check_names(
        model,
        [f"{kind}1a_branch{b}" for b in (*BRANCHES, "1") for kind in ("res", "bn")],
    )
    _check_seeded_output(model, CONVOLUTIONAL_EXPECTED)
    print("All tests passed.")


def resnet50_test(target: Callable) -> None:
    """Check that ``ResNet50()`` builds with the expected size and output."""
    model = target(input_shape=(64, 64, 3), classes=6)
    assert isinstance(model, keras.Model), (
        f"ResNet50 returned {type(model).__name__}, expected a keras Model."
    )
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    counts = (trainable + frozen, trainable, frozen)
    assert counts == RESNET50_PARAMS, (
        "Parameters (total, trainable, non-trainable) are "
        f"{counts}, expected {RESNET50_PARAMS}."
    )
    assert tuple(model.output_shape) == (None, 6), (
        f"Output shape {tuple(model.output_shape)}, expected (None, 6)."
    )
    names = {layer.name for layer in model.layers}
    for name in ("conv1", "bn_conv1", "avg_pool", "fc6"):
        assert name in names, f"No layer named {name}."
    print("All tests passed.")
