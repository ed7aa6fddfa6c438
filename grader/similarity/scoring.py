"""How much each kind of evidence counts, and the score a pair gets.

The kinds are a table: a row's ``weight`` is the most that kind alone can
give a pair, ``scale`` how much shared material makes it nearly that, and
``sentence`` what a reader is told. A pair's score is a noisy-or of its
kinds (one strong kind is enough; weak ones add up without passing 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of evidence."""

    name: str
    title: str
    weight: float
    scale: float
    #: Whether the strength also scales with the share of each notebook's
    #: own (uncommon) material that the pair shares, as code does.
    relative: bool
    sentence: str


KIND_TABLE = (
    Kind(
        "run",
        "outputs of one run",
        0.97,
        1.0,
        False,
        "these share printed numbers that differ on every run of the notebook "
        "(training losses, accuracies)",
    ),
    Kind(
        "file",
        "the same file",
        0.85,
        2.0,
        False,
        "these share cells or outputs byte for byte, a cell's id or metadata, "
        "or execution counts in the same unusual order",
    ),
    Kind(
        "code",
        "uncommon code",
        0.8,
        8.0,
        True,
        "these share code few others in the class wrote "
        "(compared with names, spacing and comments set aside)",
    ),
    Kind(
        "text",
        "uncommon text",
        0.6,
        4.0,
        True,
        "these share lines as typed (comments, names, spacing) few others have",
    ),
    Kind(
        "mistake",
        "a rare mistake",
        0.5,
        1.0,
        False,
        "these fail the same check with the same message, which few others do",
    ),
)
KINDS = {kind.name: kind for kind in KIND_TABLE}
THRESHOLD = 0.7
"""The score from which a pair is flagged for a person to look at: above the
highest pair of 46 independent public notebooks (0.63, ``bench/similarity``),
below every copy there that kept its outputs."""


def strength(kind: str, amount: float, shared: int, own: int) -> float:
    """How strongly ``amount`` of shared material of ``kind`` ties two notebooks.

    ``amount`` counts each shared fingerprint as ``1 / (n - 1)`` for ``n``
    notebooks holding it; ``own`` is the smaller notebook's count of
    uncommon fingerprints of that kind, of which ``shared`` are shared.
    """
    row = KINDS[kind]
    value = 1 - math.exp(-amount / row.scale)
    if row.relative:
        value *= min(1.0, amount / max(own, 1))
    return value


def combine(strengths: Iterable[tuple[str, float]]) -> float:
    """A pair's score from its kinds' strengths: 0 (nothing) to 1."""
    missing = 1.0
    for kind, value in strengths:
        missing *= 1 - KINDS[kind].weight * value
    return 1 - missing
