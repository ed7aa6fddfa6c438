"""The 2021 edition: blocks take ``training`` and ``initializer``; no layer names.

``identity_block(X, f, filters, training=True, initializer=random_uniform)``
and ``convolutional_block(X, f, filters, s=2, training=True,
initializer=glorot_uniform)`` pass ``training`` to every BatchNormalization
and build every convolution's kernel with ``initializer(seed=0)``. The
notebook's examples call the blocks on a (3, 4, 4, 3) array of -1, 1 and 3,
once with ``training=False`` and once with ``training=True``: the identity
block with ``initializer=lambda seed=0: constant(value=1)``, the
convolutional block with its default ``glorot_uniform`` as TensorFlow 2.7+
drew it (``expected_2021.json`` says how each runs; the grader sets those
kernels itself, so the probes' initializer does not change the numbers).
The hidden probes pass an initializer the notebook never shows
(``UNSEEN_INITIALIZER``), so that a block that ignores its argument shows.
"""

from __future__ import annotations

from grader.editions import SOLUTIONS, CheckRow, Edition
from grader.probes import Probe, initializer

EXAMPLE_INITIALIZER = initializer("Constant", value=1.0)
"""The notebook's own: ``lambda seed=0: constant(value=1)``."""
UNSEEN_INITIALIZER = initializer("Orthogonal", gain=0.5)
"""An initializer no edition's notebook shows, with a setting of its own."""
RESNET50_PROBES = (
    Probe("ResNet50", "default", {"input_shape": (64, 64, 3), "classes": 6}),
    Probe("ResNet50", "hidden", {"input_shape": (96, 96, 3), "classes": 10}),
)


def block_probes(*, training: bool) -> tuple[Probe, ...]:
    """The blocks' probes, with ``training`` passed where the signature has it.

    Without it (the later revision), a probe is built once and run in both
    modes; with it, the hidden probes come in a pair, one per mode.
    """

    def modes(
        key: str, kwargs: dict[str, object], shape: tuple[int, ...], *, pair: bool
    ) -> list[Probe]:
        owner = "convolutional_block" if "s" in kwargs else "identity_block"
        if not training:
            return [Probe(owner, key, kwargs, shape)]
        made = [Probe(owner, key, {**kwargs, "training": False}, shape)]
        if pair:
            training_kwargs = {**kwargs, "training": True}
            made.append(Probe(owner, key + "-training", training_kwargs, shape))
        return made

    also = {"training": True} if training else {}
    example = {"initializer": EXAMPLE_INITIALIZER}
    unseen = {"initializer": UNSEEN_INITIALIZER}
    found: list[Probe] = []
    # The examples: the identity block's second one has other f and filters.
    found += modes(
        "seeded", {"f": 2, "filters": [4, 4, 3], **example}, (4, 4, 3), pair=False
    )
    found.append(
        Probe(
            "identity_block",
            "seeded-training",
            {"f": 3, "filters": [3, 3, 3], **example, **also},
            (4, 4, 3),
        )
    )
    found += modes(
        "hidden", {"f": 3, "filters": [3, 5, 8], **unseen}, (5, 7, 8), pair=True
    )
    conv = {"f": 2, "filters": [2, 4, 6], **example}
    found += modes("seeded", {**conv, "s": 2}, (4, 4, 3), pair=False)
    found.append(
        Probe(
            "convolutional_block",
            "seeded-training",
            {**conv, "s": 2, **also},
            (4, 4, 3),
        )
    )
    found += modes(
        "hidden", {"f": 3, "filters": [4, 3, 7], "s": 3, **unseen}, (9, 7, 5), pair=True
    )
    found += modes(
        "hidden-s1",
        {"f": 1, "filters": [5, 2, 3], "s": 1, **unseen},
        (6, 6, 4),
        pair=False,
    )
    return (*found, *RESNET50_PROBES)


def resnet50_rows() -> tuple[CheckRow, ...]:
    """ResNet50's checks: no names to check, so the layer table weighs more."""
    return (
        CheckRow("ResNet50", "parameter counts", 5, True),
        CheckRow("ResNet50", "softmax output", 5, True),
        CheckRow("ResNet50", "layer table", 15, True),
        CheckRow("ResNet50", "layers and settings", 5, True),
        CheckRow("ResNet50", "input_shape and classes", 5, False),
        CheckRow("ResNet50", "short training run", 5, False),
    )


def _block_rows(function: str) -> tuple[CheckRow, ...]:
    return (
        CheckRow(function, "seeded output", 8, True),
        CheckRow(function, "layers and settings", 6, True),
        CheckRow(function, "training argument", 3, False),
        CheckRow(function, "initializer argument", 3, False),
        CheckRow(function, "hidden inputs, inference", 5, False),
        CheckRow(function, "hidden inputs, training", 5, False),
    )


EDITION = Edition(
    name="2021",
    description="blocks take training and initializer; layers are not named",
    signatures={
        "identity_block": (
            "identity_block(X, f, filters, training=True, initializer=random_uniform)"
        ),
        "convolutional_block": (
            "convolutional_block(X, f, filters, s=2, training=True, "
            "initializer=glorot_uniform)"
        ),
        "ResNet50": "ResNet50(input_shape=(64, 64, 3), classes=6)",
    },
    probes=block_probes(training=True),
    checks=(
        *_block_rows("identity_block"),
        *_block_rows("convolutional_block"),
        *resnet50_rows(),
    ),
    expected="expected_2021.json",
    layer_table="resnet50_layers_2021.tsv",
    layer_names=False,
    training=True,
    initializer=True,
    solution=SOLUTIONS / "2021" / "Residual_Networks.ipynb",
)
