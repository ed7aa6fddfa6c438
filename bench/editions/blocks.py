"""Reference blocks of the two later editions, written for Keras 3.

Both editions build the 2020 architecture without layer names. The 2021
edition takes ``training`` and forwards it to every BatchNormalization; the
later revision drops ``training`` and calls BatchNormalization bare, so its
mode comes from the caller (TF 2's ``set_learning_phase``, or in Keras 3 the
``training`` of an enclosing layer's call, see ``in_mode``). Both take an
``initializer`` *factory* and call it as ``initializer(seed=0)`` for every
convolution of a block; ResNet50's own stem keeps ``glorot_uniform(seed=0)``.

``bench/editions/reproduce.py`` and ``bench/editions/check_corpus.py`` use
these as the reference; nothing in the ``grader`` package imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import layers
from keras.initializers import glorot_uniform, random_uniform

#: ResNet-50's stages: filters, the convolutional block's stride, identity blocks.
STAGES = (
    ((64, 64, 256), 1, 2),
    ((128, 128, 512), 2, 3),
    ((256, 256, 1024), 2, 5),
    ((512, 512, 2048), 2, 2),
)

EDITIONS = ("2021", "2021-initializer-only")


def _norm(x: Any, training: bool | None, forward: bool) -> Any:
    bn = layers.BatchNormalization(axis=3)
    return bn(x, training=training) if forward else bn(x)


def _main_path(
    x: Any,
    f: int,
    filters: tuple[int, int, int] | list[int],
    stride: int,
    training: bool | None,
    initializer: Callable[..., Any],
    forward: bool,
) -> Any:
    f1, f2, f3 = filters
    x = layers.Conv2D(
        f1, 1, strides=stride, padding="valid", kernel_initializer=initializer(seed=0)
    )(x)
    x = layers.Activation("relu")(_norm(x, training, forward))
    x = layers.Conv2D(
        f2, f, strides=1, padding="same", kernel_initializer=initializer(seed=0)
    )(x)
    x = layers.Activation("relu")(_norm(x, training, forward))
    x = layers.Conv2D(
        f3, 1, strides=1, padding="valid", kernel_initializer=initializer(seed=0)
    )(x)
    return _norm(x, training, forward)


def identity_block(
    X: Any,
    f: int,
    filters: Any,
    training: bool | None = True,
    initializer: Callable[..., Any] = random_uniform,
    *,
    forward: bool = True,
) -> Any:
    """Identity block; ``forward=False`` is the later revision (BN called bare)."""
    main = _main_path(X, f, filters, 1, training, initializer, forward)
    return layers.Activation("relu")(layers.Add()([main, X]))


def convolutional_block(
    X: Any,
    f: int,
    filters: Any,
    s: int = 2,
    training: bool | None = True,
    initializer: Callable[..., Any] = glorot_uniform,
    *,
    forward: bool = True,
) -> Any:
    """Convolutional block: main path first, then the shortcut (the notebook's order).

    The order matters where kernels come from one random stream (TF 2.3-2.6's
    stateful ``glorot_uniform(seed=0)``): the shortcut's kernel is the fourth draw.
    """
    main = _main_path(X, f, filters, s, training, initializer, forward)
    shortcut = layers.Conv2D(
        filters[2],
        1,
        strides=s,
        padding="valid",
        kernel_initializer=initializer(seed=0),
    )(X)
    shortcut = _norm(shortcut, training, forward)
    return layers.Activation("relu")(layers.Add()([main, shortcut]))


def resnet50(
    input_shape: tuple[int, int, int] = (64, 64, 3),
    classes: int = 6,
    *,
    edition: str = "2021",
) -> keras.Model:
    """The later editions' ResNet50: blocks called with their defaults."""
    forward = edition == "2021"
    x_input = layers.Input(input_shape)
    x = layers.ZeroPadding2D((3, 3))(x_input)
    x = layers.Conv2D(64, 7, strides=2, kernel_initializer=glorot_uniform(seed=0))(x)
    x = layers.BatchNormalization(axis=3)(x)
    x = layers.Activation("relu")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    for filters, stride, repeats in STAGES:
        x = convolutional_block(x, 3, filters, s=stride, forward=forward)
        for _ in range(repeats):
            x = identity_block(x, 3, filters, forward=forward)
    x = layers.AveragePooling2D((2, 2))(x)
    x = layers.Flatten()(x)
    x = layers.Dense(
        classes, activation="softmax", kernel_initializer=glorot_uniform(seed=0)
    )(x)
    return keras.Model(inputs=x_input, outputs=x)


class _InMode(layers.Layer):
    """Runs a function inside a layer call; the layers it calls inherit ``training``.

    Keras 3 has no global learning phase; a layer called with no ``training``
    inside another layer's call takes the outer call's. This is how the later
    revision's ``set_learning_phase(1)`` is reproduced.
    """

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        super().__init__()
        self._fn = fn
        self.built = True

    def call(self, x: Any, training: bool | None = None) -> Any:
        return self._fn(x)


def in_mode(fn: Callable[[Any], Any], x: Any, training: bool) -> Any:
    """``fn(x)`` with every bare layer call inside it in mode ``training``."""
    return _InMode(fn)(x, training=training)
