"""Helpers for the Residual Networks assignment.

Loading the SIGNS hand-sign images, one-hot labels, and ``glorot_uniform``:
an initializer that draws the same numbers TensorFlow 1 drew for
``glorot_uniform(seed=0)``, so that the test cells of the notebook print the
values the assignment has always printed. ``StatelessGlorotUniform`` draws
what TensorFlow 2.7 and later drew for ``glorot_uniform(seed=0)``, the numbers
the 2021 edition's examples print.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

__all__ = [
    "StatelessGlorotUniform",
    "TF1GlorotUniform",
    "convert_to_one_hot",
    "glorot_uniform",
    "load_dataset",
    "stateless_glorot_uniform_values",
    "tf1_glorot_uniform_values",
]

TRAIN_FILE = "train_signs.h5"
TEST_FILE = "test_signs.h5"
MISSING_DATA = (
    "No SIGNS data in {where}: expected {train} and {test}. "
    "Make a synthetic stand-in with `grader signs {where}`."
)


def load_dataset(
    data_dir: str | os.PathLike[str] = "datasets",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read the SIGNS train and test files from ``data_dir``.

    Returns ``(X_train, Y_train, X_test, Y_test, classes)``: images as uint8
    arrays of shape (m, 64, 64, 3), labels as int arrays of shape (1, m), and
    the list of class labels.
    """
    import h5py

    where = Path(data_dir)
    train_path, test_path = where / TRAIN_FILE, where / TEST_FILE
    if not (train_path.is_file() and test_path.is_file()):
        raise FileNotFoundError(
            MISSING_DATA.format(where=where, train=TRAIN_FILE, test=TEST_FILE)
        )
    with h5py.File(train_path, "r") as train, h5py.File(test_path, "r") as test:
        x_train = np.array(train["train_set_x"][:])
        y_train = np.array(train["train_set_y"][:])
        x_test = np.array(test["test_set_x"][:])
        y_test = np.array(test["test_set_y"][:])
        classes = np.array(test["list_classes"][:])
    return x_train, y_train.reshape(1, -1), x_test, y_test.reshape(1, -1), classes


def convert_to_one_hot(Y: np.ndarray, C: int) -> np.ndarray:
    """Turn labels of shape (1, m) or (m,) into a one-hot matrix of shape (C, m)."""
    labels = np.asarray(Y).reshape(-1).astype(int)
    return np.eye(C)[labels].T


def _glorot_limit(shape: tuple[int, ...]) -> float:
    """Glorot's bound, sqrt(6 / (fan_in + fan_out)), for a kernel of ``shape``."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in = receptive * int(shape[-2]) if len(shape) > 1 else int(shape[0])
    fan_out = receptive * int(shape[-1])
    return float(np.sqrt(6.0 / (fan_in + fan_out)))


def stateless_glorot_uniform_values(
    shape: tuple[int, ...], seed: int = 0
) -> np.ndarray:
    """Draw what TensorFlow 2.7+ gave ``glorot_uniform(seed=seed)`` for ``shape``.

    From 2.7 on, a seeded Keras initializer drew statelessly from the seed
    pair (seed, 0): every kernel of the same shape gets the same numbers,
    whatever was drawn before. Keras 3's own GlorotUniform(seed) draws others.
    """
    import tensorflow as tf

    limit = _glorot_limit(shape)
    draw = tf.random.stateless_uniform(
        shape, seed=[seed, 0], minval=-limit, maxval=limit
    )
    return np.asarray(draw)


def tf1_glorot_uniform_values(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Draw the values TensorFlow 1 gave ``glorot_uniform(seed=seed)`` for ``shape``.

    TF1 turned an op seed with no graph seed into the seed pair
    (DEFAULT_GRAPH_SEED=87654321, seed). The legacy op in a fresh graph and
    session reproduces that pair, and so the stream, exactly; an eager
    ``tf.random.uniform(seed=...)`` would instead continue one stream across
    calls, and Keras 3's own GlorotUniform uses a different generator.
    """
    import tensorflow as tf

    limit = _glorot_limit(shape)
    graph = tf.Graph()
    with graph.as_default():
        draw = tf.compat.v1.random_uniform(shape, -limit, limit, seed=seed)
        with tf.compat.v1.Session(graph=graph) as session:
            return session.run(draw)


@keras.saving.register_keras_serializable(package="resnets_utils")
class TF1GlorotUniform(keras.initializers.Initializer):
    """A Keras initializer drawing TF1's ``glorot_uniform(seed)`` numbers.

    Every kernel restarts the same stream, as every TF1 variable with the same
    op seed did.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def __call__(self, shape, dtype=None):
        """Return TF1's numbers for ``shape`` as a tensor of ``dtype``."""
        values = tf1_glorot_uniform_values(tuple(int(d) for d in shape), self.seed)
        return keras.ops.cast(values, dtype or "float32")

    def get_config(self) -> dict:
        """Return the seed, the only setting."""
        return {"seed": self.seed}


@keras.saving.register_keras_serializable(package="resnets_utils")
class StatelessGlorotUniform(keras.initializers.Initializer):
    """A Keras initializer drawing TensorFlow 2.7+'s ``glorot_uniform(seed)`` numbers.

    Pass ``lambda seed=0: StatelessGlorotUniform(seed)`` as a block's
    ``initializer`` to get the kernels the 2021 edition's examples assume.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def __call__(self, shape, dtype=None):
        """Return the stateless draw for ``shape`` as a tensor of ``dtype``."""
        values = stateless_glorot_uniform_values(
            tuple(int(d) for d in shape), self.seed
        )
        return keras.ops.cast(values, dtype or "float32")

    def get_config(self) -> dict:
        """Return the seed, the only setting."""
        return {"seed": self.seed}


def glorot_uniform(seed: int | None = None):
    """Glorot-uniform initializer; with a seed, the TF1 numbers of that seed."""
    if seed is None:
        return keras.initializers.GlorotUniform()
    return TF1GlorotUniform(seed)
