"""The evidence each pair of notebooks shares, found through an inverted index.

Each fingerprint is looked up once: a fingerprint held by more than a few
notebooks of the class (``common_limit``) is what everyone writes or every
run prints, and counts for nobody; one held by ``n`` notebooks (two to the
limit) ties each of their pairs by ``1 / (n - 1)``. No pair of notebooks is
compared text against text, so a class of hundreds takes seconds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from grader.similarity.fingerprints import Fingerprints, stable_hash
from grader.similarity.scoring import KINDS, combine, strength

COMMON_SHARE = 0.05
"""A fingerprint in more than this share of the notebooks is common."""
COMMON_MIN = 3
"""... or in more than this many, whichever is more (small classes)."""


def common_limit(notebooks: int) -> int:
    """The most notebooks a fingerprint may be in and still count."""
    return max(COMMON_MIN, math.ceil(COMMON_SHARE * notebooks))


@dataclass(frozen=True)
class Evidence:
    """One kind of evidence two notebooks share."""

    kind: str
    #: Shared fingerprints, each counted ``1 / (n - 1)`` for ``n`` holders.
    amount: float
    #: Shared fingerprints, each counted once.
    shared: int
    #: The smaller notebook's count of uncommon fingerprints of this kind.
    own: int

    @property
    def strength(self) -> float:
        """How strongly this evidence ties the two, from 0 to 1."""
        return strength(self.kind, self.amount, self.shared, self.own)

    @property
    def weight(self) -> float:
        """What this evidence adds to a pair alone: strength × kind's weight."""
        return KINDS[self.kind].weight * self.strength


@dataclass(frozen=True)
class Pair:
    """Two notebooks and what they share; ``b`` is known work when ``known``."""

    a: str
    b: str
    evidence: tuple[Evidence, ...]
    known: bool = False

    @property
    def score(self) -> float:
        """The pair's score, 0 to 1, from its evidence."""
        return combine((e.kind, e.strength) for e in self.evidence)


def _holders(
    prints: Sequence[Mapping[str, Sequence[int]]],
) -> dict[str, dict[int, list[int]]]:
    """Per kind, each fingerprint and the notebooks (by position) holding it."""
    index: dict[str, dict[int, list[int]]] = defaultdict(dict)
    for position, kinds in enumerate(prints):
        for kind, values in kinds.items():
            for value in values:
                index[kind].setdefault(value, []).append(position)
    return index


def find_pairs(
    ids: Sequence[str],
    known: Sequence[bool],
    prints: Sequence[Fingerprints],
    mistakes: Sequence[frozenset[str]] = (),
) -> list[Pair]:
    """Every pair that shares uncommon evidence, strongest first.

    ``ids``, ``known``, ``prints`` and ``mistakes`` (each notebook's failed
    checks, as ``function|check|message``) are parallel. Pairs of two known
    notebooks are left out.
    """
    keyed: list[dict[str, Sequence[int]]] = [
        {kind: list(values) for kind, values in p.by_kind.items()} for p in prints
    ]
    for position, failed in enumerate(mistakes):
        keyed[position]["mistake"] = [stable_hash("mistake", m) for m in failed]
    limit = common_limit(len(ids))
    amount: dict[tuple[int, int], dict[str, float]] = defaultdict(
        lambda: defaultdict(float)
    )
    shared: dict[tuple[int, int], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    own: list[dict[str, int]] = [defaultdict(int) for _ in ids]
    for kind, holders in _holders(keyed).items():
        for docs in holders.values():
            if len(docs) > limit:
                continue
            for doc in docs:
                own[doc][kind] += 1
            if len(docs) < 2:
                continue
            each = 1 / (len(docs) - 1)
            for a, b in combinations(docs, 2):
                if known[a] and known[b]:
                    continue
                amount[a, b][kind] += each
                shared[a, b][kind] += 1
    pairs = []
    for (a, b), kinds in amount.items():
        first, second = (b, a) if known[a] else (a, b)
        evidence = tuple(
            Evidence(kind, value, shared[a, b][kind], min(own[a][kind], own[b][kind]))
            for kind, value in sorted(kinds.items())
        )
        pairs.append(
            Pair(ids[first], ids[second], evidence, known[first] or known[second])
        )
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    return pairs


def holder_counts(prints: Sequence[Fingerprints]) -> dict[str, dict[int, int]]:
    """Per kind, how many notebooks hold each fingerprint."""
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for kinds in prints:
        for kind, values in kinds.by_kind.items():
            held = counts[kind]
            for value in values:
                held[value] = held.get(value, 0) + 1
    return counts


@dataclass(frozen=True)
class Region:
    """Lines of one cell that a pair shares: in its source, outputs or metadata."""

    cell: int
    area: str
    first: int
    last: int
    kind: str


def shared_regions(
    a: Fingerprints,
    b: Fingerprints,
    counts: Mapping[str, Mapping[int, int]],
    limit: int,
) -> tuple[list[Region], list[Region]]:
    """Where in each of two notebooks lie the uncommon fingerprints they share."""
    left: list[Region] = []
    right: list[Region] = []
    for kind, spans in a.by_kind.items():
        theirs = b.by_kind.get(kind, {})
        held = counts.get(kind, {})
        for value, places in spans.items():
            if value in theirs and held.get(value, 0) <= limit:
                left += [Region(*span, kind) for span in places]
                right += [Region(*span, kind) for span in theirs[value]]
    return left, right
