"""The grader's own ResNet-50, built from a stage table.

It is written apart from the notebook in ``solutions/`` on purpose: the tests
check that both agree with each other and with the original assignment's
layer table, so a slip in one shows against the others.

One builder serves every edition (``grader.editions``): the 2020 edition's
blocks take ``stage`` and ``block`` and name each layer from them; the later
ones' take ``training``, passed to every BatchNormalization, and
``initializer``, called as ``initializer(seed=0)`` for every convolution's
kernel, and name nothing.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import keras
from keras import layers

STAGES = (
    # stage, filters (F1, F2, F3), stride of the convolutional block, identity blocks
    (2, (64, 64, 256), 1, "bc"),
    (3, (128, 128, 512), 2, "bcd"),
    (4, (256, 256, 1024), 2, "bcdef"),
    (5, (512, 512, 2048), 2, "bc"),
)


def _conv(
    size: int,
    kernel: int,
    stride: int,
    padding: str,
    name: str | None,
    initializer: Callable[..., Any] | None,
) -> layers.Conv2D:
    extra: dict[str, Any] = {}
    if initializer is not None:
        extra["kernel_initializer"] = initializer(seed=0)
    return layers.Conv2D(
        size, kernel, strides=stride, padding=padding, name=name, **extra
    )


def _batchnorm(
    x: keras.KerasTensor, name: str | None, training: bool | None
) -> keras.KerasTensor:
    layer = layers.BatchNormalization(axis=3, name=name)
    return layer(x) if training is None else layer(x, training=training)


def _main_path(
    x: keras.KerasTensor,
    f: int,
    filters: tuple[int, int, int],
    first_stride: int,
    names: tuple[str, str] | None,
    training: bool | None,
    initializer: Callable[..., Any] | None,
) -> keras.KerasTensor:
    specs = zip(
        filters, (1, f, 1), ("valid", "same", "valid"), ("2a", "2b", "2c"), strict=True
    )
    for number, (size, kernel, padding, branch) in enumerate(specs):
        stride = first_stride if number == 0 else 1
        conv, bn = (None, None) if names is None else (n + branch for n in names)
        x = _conv(size, kernel, stride, padding, conv, initializer)(x)
        x = _batchnorm(x, bn, training)
        if branch != "2c":
            x = layers.Activation("relu")(x)
    return x


def _names(stage: int | None, block: str | None) -> tuple[str, str] | None:
    if stage is None or block is None:
        return None
    return f"res{stage}{block}_branch", f"bn{stage}{block}_branch"


def identity_block(
    x: keras.KerasTensor,
    f: int,
    filters: tuple[int, int, int],
    stage: int | None = None,
    block: str | None = None,
    *,
    training: bool | None = None,
    initializer: Callable[..., Any] | None = None,
) -> keras.KerasTensor:
    """Three-layer main path added to the unchanged input, then ReLU."""
    names = _names(stage, block)
    main = _main_path(x, f, filters, 1, names, training, initializer)
    return layers.Activation("relu")(layers.Add()([main, x]))


def convolutional_block(
    x: keras.KerasTensor,
    f: int,
    filters: tuple[int, int, int],
    stage: int | None = None,
    block: str | None = None,
    s: int = 2,
    *,
    training: bool | None = None,
    initializer: Callable[..., Any] | None = None,
) -> keras.KerasTensor:
    """Main path with stride ``s`` plus a strided 1x1 convolution shortcut."""
    names = _names(stage, block)
    main = _main_path(x, f, filters, s, names, training, initializer)
    conv, bn = (None, None) if names is None else (n + "1" for n in names)
    shortcut = _conv(filters[2], 1, s, "valid", conv, initializer)(x)
    shortcut = _batchnorm(shortcut, bn, training)
    return layers.Activation("relu")(layers.Add()([main, shortcut]))


def resnet50(
    input_shape: tuple[int, ...] = (64, 64, 3),
    classes: int = 6,
    *,
    layer_names: bool = True,
) -> keras.Model:
    """ResNet-50 as the assignment specifies it; without names for later editions."""

    def name(text: str) -> str | None:
        return text if layer_names else None

    inputs = keras.Input(input_shape)
    x = layers.ZeroPadding2D((3, 3))(inputs)
    x = layers.Conv2D(64, 7, strides=2, name=name("conv1"))(x)
    x = layers.BatchNormalization(axis=3, name=name("bn_conv1"))(x)
    x = layers.Activation("relu")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    for stage, filters, stride, identity_blocks in STAGES:
        number = stage if layer_names else None
        x = convolutional_block(
            x, 3, filters, number, "a" if layer_names else None, s=stride
        )
        for block in identity_blocks:
            x = identity_block(x, 3, filters, number, block if layer_names else None)
    x = layers.AveragePooling2D((2, 2), name=name("avg_pool"))(x)
    x = layers.Flatten()(x)
    x = layers.Dense(classes, activation="softmax", name=name(f"fc{classes}"))(x)
    return keras.Model(inputs, x, name="ResNet50")


BUILDERS = {
    "identity_block": identity_block,
    "convolutional_block": convolutional_block,
}


def build(
    function: str,
    kwargs: dict[str, Any],
    input_shape: tuple[int, ...] | None,
    *,
    layer_names: bool = True,
) -> keras.Model:
    """Build the reference model for one probe of a graded function.

    ``kwargs`` are the probe's, initializers included as the kernel gets
    them (``grader.kernel.kernel_side`` makes the callable).
    """
    from grader.kernel.kernel_side import _grader_argument

    arguments: dict[str, Any] = {
        key: _grader_argument(value)  # type: ignore[no-untyped-call]
        for key, value in kwargs.items()
    }
    with _fresh_names():
        if function == "ResNet50":
            return resnet50(**arguments, layer_names=layer_names)
        inputs = keras.Input(shape=input_shape)
        return keras.Model(inputs, BUILDERS[function](inputs, **arguments))


@contextmanager
def _fresh_names() -> Iterator[None]:
    """Keras names the unnamed layers built here as in a new process.

    Keras numbers them ("activation_61") by how many it made before, so a
    reference's names, which a structural check's picture shows, would
    depend on which checks ran earlier in this process, or were read from
    the cache instead (``grader.judging.cache``). Its counters are put back after.
    """
    from keras.src.backend.common import global_state

    name = "object_name_uids"
    before = global_state.get_global_attribute(name)
    global_state.set_global_attribute(name, collections.defaultdict(int))
    try:
        yield
    finally:
        global_state.set_global_attribute(name, before)
