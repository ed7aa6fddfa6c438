"""The grader's own ResNet-50, built from a stage table.

It is written apart from the notebook in ``solutions/`` on purpose: the tests
check that both agree with each other and with the original assignment's
layer table, so a slip in one shows against the others.
"""

from __future__ import annotations

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


def _main_path(
    x: keras.KerasTensor,
    f: int,
    filters: tuple[int, int, int],
    stage: int,
    block: str,
    first_stride: int,
) -> keras.KerasTensor:
    conv, bn = f"res{stage}{block}_branch", f"bn{stage}{block}_branch"
    specs = zip(
        filters, (1, f, 1), ("valid", "same", "valid"), ("2a", "2b", "2c"), strict=True
    )
    for number, (size, kernel, padding, branch) in enumerate(specs):
        stride = first_stride if number == 0 else 1
        x = layers.Conv2D(
            size, kernel, strides=stride, padding=padding, name=conv + branch
        )(x)
        x = layers.BatchNormalization(axis=3, name=bn + branch)(x)
        if branch != "2c":
            x = layers.Activation("relu")(x)
    return x


def identity_block(
    x: keras.KerasTensor, f: int, filters: tuple[int, int, int], stage: int, block: str
) -> keras.KerasTensor:
    """Three-layer main path added to the unchanged input, then ReLU."""
    main = _main_path(x, f, filters, stage, block, 1)
    return layers.Activation("relu")(layers.Add()([main, x]))


def convolutional_block(
    x: keras.KerasTensor,
    f: int,
    filters: tuple[int, int, int],
    stage: int,
    block: str,
    s: int = 2,
) -> keras.KerasTensor:
    """Main path with stride ``s`` plus a strided 1x1 convolution shortcut."""
    main = _main_path(x, f, filters, stage, block, s)
    shortcut = layers.Conv2D(
        filters[2], 1, strides=s, padding="valid", name=f"res{stage}{block}_branch1"
    )(x)
    shortcut = layers.BatchNormalization(axis=3, name=f"bn{stage}{block}_branch1")(
        shortcut
    )
    return layers.Activation("relu")(layers.Add()([main, shortcut]))


def resnet50(
    input_shape: tuple[int, ...] = (64, 64, 3), classes: int = 6
) -> keras.Model:
    """ResNet-50 as the assignment specifies it."""
    inputs = keras.Input(input_shape)
    x = layers.ZeroPadding2D((3, 3))(inputs)
    x = layers.Conv2D(64, 7, strides=2, name="conv1")(x)
    x = layers.BatchNormalization(axis=3, name="bn_conv1")(x)
    x = layers.Activation("relu")(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    for stage, filters, stride, identity_blocks in STAGES:
        x = convolutional_block(x, 3, filters, stage, "a", s=stride)
        for block in identity_blocks:
            x = identity_block(x, 3, filters, stage, block)
    x = layers.AveragePooling2D((2, 2), name="avg_pool")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(classes, activation="softmax", name=f"fc{classes}")(x)
    return keras.Model(inputs, x, name="ResNet50")


BUILDERS = {
    "identity_block": identity_block,
    "convolutional_block": convolutional_block,
}


def build(
    function: str, kwargs: dict[str, Any], input_shape: tuple[int, ...] | None
) -> keras.Model:
    """Build the reference model for one probe of a graded function."""
    if function == "ResNet50":
        return resnet50(**kwargs)
    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, BUILDERS[function](inputs, **kwargs))
