"""The later revision of 2021: blocks take ``initializer`` but not ``training``.

``identity_block(X, f, filters, initializer=random_uniform)`` and
``convolutional_block(X, f, filters, s=2, initializer=glorot_uniform)``;
BatchNormalization follows the mode the model is called in. Everything else
is the 2021 edition's: its examples (the same values), its layer table and
its ResNet50 checks.
"""

from __future__ import annotations

from grader.editions import SOLUTIONS, CheckRow, Edition
from grader.editions.edition_2021 import block_probes, resnet50_rows


def _block_rows(function: str) -> tuple[CheckRow, ...]:
    return (
        CheckRow(function, "seeded output", 8, True),
        CheckRow(function, "layers and settings", 8, True),
        CheckRow(function, "initializer argument", 4, False),
        CheckRow(function, "hidden inputs, inference", 5, False),
        CheckRow(function, "hidden inputs, training", 5, False),
    )


EDITION = Edition(
    name="2021-initializer-only",
    description="blocks take initializer but not training; layers are not named",
    signatures={
        "identity_block": "identity_block(X, f, filters, initializer=random_uniform)",
        "convolutional_block": (
            "convolutional_block(X, f, filters, s=2, initializer=glorot_uniform)"
        ),
        "ResNet50": "ResNet50(input_shape=(64, 64, 3), classes=6)",
    },
    probes=block_probes(training=False),
    checks=(
        *_block_rows("identity_block"),
        *_block_rows("convolutional_block"),
        *resnet50_rows(),
    ),
    expected="expected_2021.json",
    layer_table="resnet50_layers_2021.tsv",
    layer_names=False,
    training=False,
    initializer=True,
    solution=SOLUTIONS / "2021-initializer-only" / "Residual_Networks.ipynb",
)
