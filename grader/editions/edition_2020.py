"""The 2020 edition: blocks take ``stage`` and ``block``, which name every layer.

Its probes are ``grader.probes.PROBES`` (the hand-out's copy of that module
keeps the visible ones); its expected values are the seeds' printed vectors
(``expected.json``) and its layer table the seeds' ``model.summary()``
(``resnet50_layers.tsv``).
"""

from __future__ import annotations

from grader.editions import SOLUTIONS, CheckRow, Edition
from grader.probes import PROBES


def _block_rows(function: str) -> tuple[CheckRow, ...]:
    return (
        CheckRow(function, "seeded output", 8, True),
        CheckRow(function, "layer names", 4, True),
        CheckRow(function, "layers and settings", 8, True),
        CheckRow(function, "hidden inputs, inference", 5, False),
        CheckRow(function, "hidden inputs, training", 5, False),
    )


EDITION = Edition(
    name="2020",
    description="blocks take stage and block, which name every layer",
    signatures={
        "identity_block": "identity_block(X, f, filters, stage, block)",
        "convolutional_block": "convolutional_block(X, f, filters, stage, block, s=2)",
        "ResNet50": "ResNet50(input_shape=(64, 64, 3), classes=6)",
    },
    probes=PROBES,
    checks=(
        *_block_rows("identity_block"),
        *_block_rows("convolutional_block"),
        CheckRow("ResNet50", "parameter counts", 5, True),
        CheckRow("ResNet50", "softmax output", 5, True),
        CheckRow("ResNet50", "layer table", 10, True),
        CheckRow("ResNet50", "layer names", 5, True),
        CheckRow("ResNet50", "layers and settings", 5, True),
        CheckRow("ResNet50", "input_shape and classes", 5, False),
        CheckRow("ResNet50", "short training run", 5, False),
    ),
    expected="expected.json",
    layer_table="resnet50_layers.tsv",
    layer_names=True,
    training=False,
    initializer=False,
    solution=SOLUTIONS / "Residual_Networks.ipynb",
)
