"""The calls the kernel makes to each graded function.

A probe is one call with fixed arguments. The kernel builds a Keras model from
each and hands back its configuration; every check then works on those
configurations in the grading process. The "seeded" probes are the
assignment's own example; the others use arguments the notebook never shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

FUNCTIONS = ("identity_block", "convolutional_block", "ResNet50")


@dataclass(frozen=True)
class Probe:
    """One call of a graded function; blocks get a ``keras.Input(input_shape)``."""

    function: str
    key: str
    kwargs: dict[str, Any] = field(hash=False)
    input_shape: tuple[int, ...] | None = None

    @property
    def visible(self) -> bool:
        """Whether the notebook shows this call (students can run it themselves)."""
        return self.key in VISIBLE_KEYS


VISIBLE_KEYS = ("seeded", "seeded-training", "default")
INITIALIZER = "__initializer__"
"""The key of a probe argument that stands for an initializer (see ``initializer``)."""


def initializer(class_name: str, **config: Any) -> dict[str, Any]:
    """A probe argument that the kernel turns into ``lambda seed=0: <initializer>``.

    Probes travel as JSON, and the later editions' blocks take a callable
    (``initializer(seed=0)`` makes each kernel's initializer): this names a
    Keras initializer by class and settings, and ``grader.kernel.kernel_side``
    makes the callable from it.
    """
    return {INITIALIZER: {"class_name": class_name, "config": config}}


SEEDED_BLOCK_ARGS = {"f": 2, "filters": [2, 4, 6], "stage": 1, "block": "a"}

PROBES = (
    Probe("identity_block", "seeded", SEEDED_BLOCK_ARGS, (4, 4, 6)),
    Probe(
        "identity_block",
        "hidden",
        {"f": 3, "filters": [3, 5, 8], "stage": 4, "block": "c"},
        (5, 7, 8),
    ),
    Probe("convolutional_block", "seeded", {**SEEDED_BLOCK_ARGS, "s": 2}, (4, 4, 6)),
    Probe(
        "convolutional_block",
        "hidden",
        {"f": 3, "filters": [4, 3, 7], "stage": 3, "block": "b", "s": 3},
        (9, 7, 5),
    ),
    Probe(
        "convolutional_block",
        "hidden-s1",
        {"f": 1, "filters": [5, 2, 3], "stage": 2, "block": "a", "s": 1},
        (6, 6, 4),
    ),
    Probe("ResNet50", "default", {"input_shape": (64, 64, 3), "classes": 6}),
    Probe("ResNet50", "hidden", {"input_shape": (96, 96, 3), "classes": 10}),
)


def probes_for(
    function: str,
    *,
    visible_only: bool = False,
    table: Sequence[Probe] | None = None,
) -> tuple[Probe, ...]:
    """Return the probes of one graded function, in table order.

    ``table`` is the probes of an edition (``grader.editions``: its
    ``Edition.probes``); None is this module's own table, the 2020 edition's
    (the hand-out's copy of this module holds its edition's visible probes
    there). This module looks up no edition: the editions are built from it.
    """
    return tuple(
        probe
        for probe in (PROBES if table is None else table)
        if probe.function == function and (probe.visible or not visible_only)
    )


def probe(function: str, key: str, *, table: Sequence[Probe] | None = None) -> Probe:
    """Return the probe named ``key`` of ``function`` (``table``: as above)."""
    for candidate in PROBES if table is None else table:
        if candidate.function == function and candidate.key == key:
            return candidate
    raise KeyError((function, key))


def payload(
    function: str,
    *,
    visible_only: bool = False,
    table: Sequence[Probe] | None = None,
) -> list[dict[str, Any]]:
    """The probes of ``function`` as plain data, as the kernel side reads them."""
    return [
        {"key": p.key, "kwargs": p.kwargs, "input_shape": p.input_shape}
        for p in probes_for(function, visible_only=visible_only, table=table)
    ]
