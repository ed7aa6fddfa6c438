"""The assignment's helper module and the synthetic SIGNS generator."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from grader.fixtures.make_signs import make_split, write_signs
from resnets_utils import (
    StatelessGlorotUniform,
    convert_to_one_hot,
    glorot_uniform,
    load_dataset,
    stateless_glorot_uniform_values,
    tf1_glorot_uniform_values,
)


def test_tf1_values_restart_the_stream_for_every_kernel():
    first = tf1_glorot_uniform_values((1, 1, 6, 2), 0)
    again = tf1_glorot_uniform_values((1, 1, 6, 2), 0)
    other_seed = tf1_glorot_uniform_values((1, 1, 6, 2), 1)
    limit = np.sqrt(6 / (6 + 2))
    assert (first == again).all()
    assert not np.allclose(first, other_seed)
    assert np.abs(first).max() <= limit


def test_initializer_with_seed_gives_the_tf1_values():
    values = np.asarray(glorot_uniform(seed=0)((2, 2, 2, 4)))
    assert np.array_equal(values, tf1_glorot_uniform_values((2, 2, 2, 4), 0))


def test_stateless_values_depend_on_shape_and_seed_only():
    first = stateless_glorot_uniform_values((2, 2, 3, 4), 0)
    again = np.asarray(StatelessGlorotUniform(0)((2, 2, 3, 4)))
    other_seed = stateless_glorot_uniform_values((2, 2, 3, 4), 1)
    limit = np.sqrt(6 / (2 * 2 * 3 + 2 * 2 * 4))
    assert np.array_equal(first, again)
    assert not np.allclose(first, other_seed)
    assert not np.allclose(first, tf1_glorot_uniform_values((2, 2, 3, 4), 0))
    assert np.abs(first).max() <= limit and np.abs(first).max() > limit / 2


def test_one_hot_is_classes_by_examples():
    assert convert_to_one_hot(np.array([[2, 0, 1]]), 3).tolist() == [
        [0, 1, 0],
        [0, 0, 1],
        [1, 0, 0],
    ]


def test_generated_signs_round_trip_through_load_dataset(tmp_path):
    train, test = write_signs(tmp_path, n_train=12, n_test=6, seed=3)
    with h5py.File(train) as handle:
        assert sorted(handle) == ["list_classes", "train_set_x", "train_set_y"]
    x_train, y_train, x_test, y_test, classes = load_dataset(tmp_path)
    assert x_train.shape == (12, 64, 64, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (1, 12) and x_test.shape == (6, 64, 64, 3)
    assert sorted(np.bincount(y_train[0], minlength=6)) == [2] * 6
    assert classes.tolist() == [0, 1, 2, 3, 4, 5]
    assert y_test.shape == (1, 6)


def test_generation_is_deterministic_and_seed_dependent():
    images, labels = make_split(6, seed=5)
    again, same_labels = make_split(6, seed=5)
    other, _ = make_split(6, seed=6)
    assert np.array_equal(images, again) and np.array_equal(labels, same_labels)
    assert not np.array_equal(images, other)


def test_missing_data_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="grader signs"):
        load_dataset(tmp_path / "nowhere")
