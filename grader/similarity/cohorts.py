"""Cohorts: the notebooks of a class that started from the same hand-out.

A fingerprint rare in the class can be what every notebook of one hand-out
holds: its prose, its given code, its cells' metadata, what its seeded
examples print. Counted against the whole class it would be evidence
against every pair of that hand-out's few students. So each fingerprint is
also counted within its cohort:

- the cohorts are the editions the grader tells from the graded functions'
  signatures, and the groups of notebooks holding a cell with the same
  hand-out metadata and first line (a cell id, nbgrader's ids,
  ``deletable``, ``editable``, ``tags``; not the state a student's own
  Jupyter keeps, ``scrolled`` and the like): revisions of one edition, or
  the editions that share one course's hand-out. A value founds a cohort
  where only a course's tools write it (``COURSE_KEYS``) and
  ``COHORT_MIN`` notebooks hold it, or two whose answers are unrelated; an
  edition's notebooks that hold none of the values splitting it are one
  more (``rest``);
- a fingerprint's cohort is the intersection of every cohort that holds all
  of its holders (a cohort that is the whole class is none: there the
  class's own limit, ``evidence.common_limit``, counts as before);
- a cohort tells its hand-out when at least ``COHORT_MIN`` of its notebooks
  have unrelated answers (code in the graded functions and a training run's
  numbers scoring under ``RELATED`` together): a ring of copies is none;
- where it can, a fingerprint that most of it hold (at least ``COHORT_MIN``)
  is its hand-out's, and counts for nobody; what its cells printed is
  counted among those of its notebooks that kept any outputs;
- where it cannot, a fingerprint all of it hold counts for none of them,
  but for what no hand-out gives: a training run's numbers and the
  notebooks' execution counts (``fingerprints.history``). The page names
  these notebooks (``Untold``) for a person to look at.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations

from grader.similarity.documents import Cell, Document
from grader.similarity.evidence import find_pairs
from grader.similarity.fingerprints import Fingerprints, Span, history

COHORT_MIN = 3
"""Notebooks a cohort needs to tell its hand-out: fewer, and it cannot."""
RELATED = 0.5
"""An answers-only score from which two notebooks count as related."""
HANDOUT_KEYS = ("id", "nbgrader", "deletable", "editable", "tags")
"""Cell metadata a hand-out carries (the rest is a student's Jupyter's)."""
COURSE_KEYS = frozenset({"nbgrader", "deletable", "editable"})
"""... of which these only a course's tools write: a student's own cells
have ids and tags, never these. A cohort is founded on these alone."""
EXHAUSTIVE = 24
"""Cohorts up to this size are searched whole for unrelated notebooks."""


@dataclass(frozen=True)
class Cohort:
    """Notebooks that started from one hand-out, and how they were found."""

    name: str
    #: ``edition``: the graded functions' signatures; ``metadata``: cells
    #: carrying the same hand-out metadata; ``rest``: an edition's notebooks
    #: carrying none of the metadata that sets its other cohorts apart.
    how: str
    members: tuple[str, ...]
    #: Whether it has ``COHORT_MIN`` notebooks whose answers are unrelated.
    tellable: bool


@dataclass(frozen=True)
class Untold:
    """Notebooks whose cohort is too small to tell, and what was set aside."""

    members: tuple[str, ...]
    #: The cohorts whose intersection they are.
    cohorts: tuple[str, ...]
    #: Fingerprints all of them hold (a training run's numbers and the
    #: execution counts aside) that count for none of them.
    set_aside: int


@dataclass(frozen=True)
class Cohorts:
    """What counting by cohort found."""

    found: tuple[Cohort, ...] = ()
    untold: tuple[Untold, ...] = ()
    #: Fingerprints that most of a cohort hold: its hand-out's.
    boilerplate: int = 0


def _marker(cell: Cell) -> str | None:
    """A cell's hand-out metadata, and what names the cell, as JSON; or None.

    A cell with an id (its own, or nbgrader's) is named by it; one without
    by its first line, which tells apart the revisions that lock their cells
    alike (``deletable``) but wrote them differently. A student's edits to
    the first line of a cell with an id change nothing.
    """
    if not cell.metadata:
        return None
    carried = json.loads(cell.metadata)
    kept = {k: carried[k] for k in HANDOUT_KEYS if k in carried}
    if not kept:
        return None
    grading = kept.get("nbgrader")
    named = "id" in kept or isinstance(grading, dict) and "grade_id" in grading
    first = "" if named else cell.source.strip().partition("\n")[0]
    return json.dumps([kept, first], sort_keys=True)


def _label(marker: str) -> str:
    """A short name for a hand-out metadata value: what a reader can find."""
    value, first = json.loads(marker)
    parts = []
    for key, item in sorted(value.items()):
        if key == "nbgrader" and isinstance(item, dict):
            parts.append(f"nbgrader {item.get('grade_id', '')}".strip())
        else:
            parts.append(f"{key} {json.dumps(item)}")
    text = ", ".join(parts)
    text = text if len(text) <= 60 else text[:57] + "..."
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"{text} ({first!r})" if first else text


Group = tuple[str, str, frozenset[int]]


def _founds(
    marker: str, holders: set[int], related: Callable[[], set[frozenset[int]]]
) -> bool:
    """Whether a metadata value's holders are a cohort: a hand-out's value.

    Only a value a course's tools write (``COURSE_KEYS``) founds one: a
    cell id or a tag is also what a student's own Jupyter or Colab writes,
    and a ring of copies shares it. Held by ``COHORT_MIN`` notebooks, or by
    two whose answers are unrelated (a copy and its original share them).
    """
    if not COURSE_KEYS & set(json.loads(marker)[0]):
        return False
    if len(holders) >= COHORT_MIN:
        return True
    return len(holders) == 2 and frozenset(holders) not in related()


def _groups(
    documents: Sequence[Document], related: Callable[[], set[frozenset[int]]]
) -> list[Group]:
    """Every cohort: (name, how, members by position), none the whole class."""
    editions: dict[str, set[int]] = {}
    markers: dict[str, set[int]] = {}
    for position, doc in enumerate(documents):
        if doc.edition is not None:
            editions.setdefault(doc.edition, set()).add(position)
        for cell in doc.cells:
            marker = _marker(cell)
            if marker is not None:
                markers.setdefault(marker, set()).add(position)
    by_members: dict[frozenset[int], list[str]] = {}
    for marker, holders in markers.items():
        if _founds(marker, holders, related):
            by_members.setdefault(frozenset(holders), []).append(marker)
    found: dict[frozenset[int], tuple[str, str]] = {}
    for edition, holders in sorted(editions.items()):
        found.setdefault(frozenset(holders), (f"edition {edition}", "edition"))
    for members, held in sorted(by_members.items(), key=lambda kv: min(kv[1])):
        cells = f" and {len(held) - 1} more cells like it" if len(held) > 1 else ""
        name = f"a cell carrying {_label(min(held))}{cells}"
        found.setdefault(members, (name, "metadata"))
    for edition, holders in sorted(editions.items()):
        # The notebooks of an edition that carry none of its revisions'
        # metadata started from yet another revision (or lost it).
        rest = set(holders)
        for members in by_members:
            if members & holders and not holders <= members:
                rest -= members
        if rest and rest != holders:
            name = f"edition {edition}, the rest"
            found.setdefault(frozenset(rest), (name, "rest"))
    everyone = frozenset(range(len(documents)))
    return [(n, how, m) for m, (n, how) in found.items() if m != everyone]


def _answers(
    documents: Sequence[Document], prints: Sequence[Fingerprints]
) -> set[frozenset[int]]:
    """The pairs whose answers alone score ``RELATED`` or more."""
    only = []
    for doc, kinds in zip(documents, prints, strict=True):
        kept = Fingerprints()
        kept.by_kind["run"] = dict(kinds.by_kind["run"])
        kept.by_kind["code"] = {
            value: spans
            for value, spans in kinds.by_kind["code"].items()
            if any(span[0] in doc.functions for span in spans)
        }
        only.append(kept)
    ids = [str(i) for i in range(len(documents))]
    pairs = find_pairs(ids, [False] * len(documents), only)
    return {frozenset((int(p.a), int(p.b))) for p in pairs if p.score >= RELATED}


def _tellable(members: frozenset[int], related: set[frozenset[int]]) -> bool:
    """Whether ``COHORT_MIN`` of ``members`` are pairwise unrelated."""
    if len(members) < COHORT_MIN:
        return False
    chosen: list[int] = []
    for member in sorted(members):
        if all(frozenset((member, c)) not in related for c in chosen):
            chosen.append(member)
            if len(chosen) == COHORT_MIN:
                return True
    if len(members) > EXHAUSTIVE:
        return False
    return any(
        all(frozenset(pair) not in related for pair in combinations(group, 2))
        for group in combinations(sorted(members), COHORT_MIN)
    )


def count_by_cohort(
    documents: Sequence[Document], prints: Sequence[Fingerprints], limit: int
) -> tuple[list[Fingerprints], Cohorts]:
    """``prints`` less each cohort's hand-out, and what the cohorts are.

    ``limit``: the most notebooks a fingerprint may be in and still count
    in the class (``evidence.common_limit``); those in more are left as they
    are, as nothing counts them.
    """
    # The answers are compared only where some cohort needs them.
    answers = cache(lambda: _answers(documents, prints))
    groups = _groups(documents, answers)
    if not groups:
        return list(prints), Cohorts()
    related = answers()
    masks = [0] * len(documents)
    for bit, (_, _, members) in enumerate(groups):
        for member in members:
            masks[member] |= 1 << bit
    within: dict[int, tuple[frozenset[int], bool]] = {}
    printing: dict[int, tuple[frozenset[int], bool]] = {}
    has_outputs = [any(cell.outputs for cell in doc.cells) for doc in documents]
    drop: list[set[tuple[str, int]]] = [set() for _ in documents]
    untold: dict[int, int] = {}
    boilerplate = 0
    # What a training run printed and the notebooks' execution counts: no
    # hand-out gives them, so a cohort too small to tell keeps them.
    own = {("file", v) for doc in documents for v in history(doc.cells)}
    for (kind, value), holders in _holders(prints).items():
        if len(holders) < 2 or len(holders) > limit:
            continue
        mask = -1
        for holder in holders:
            mask &= masks[holder]
        if mask == 0:
            continue
        if mask not in within:
            members = frozenset.intersection(
                *(groups[b][2] for b in range(len(groups)) if mask >> b & 1)
            )
            within[mask] = (members, _tellable(members, related))
        members, tellable = within[mask]
        if _printed(prints[holders[0]].by_kind[kind][value]):
            # What a cohort prints is counted among those that kept outputs:
            # a notebook with every output cleared holds none of it.
            if mask not in printing:
                printers = frozenset(m for m in members if has_outputs[m])
                printing[mask] = (printers, _tellable(printers, related))
            members, tellable = printing[mask]
        if tellable:
            if len(holders) < max(COHORT_MIN, len(members) // 2 + 1):
                continue
            boilerplate += 1
        else:
            # Too few to tell: what all of them hold may be their hand-out's,
            # but for what no hand-out gives.
            if len(holders) < len(members) or kind == "run" or (kind, value) in own:
                continue
            untold[mask] = untold.get(mask, 0) + 1
        for holder in holders:
            drop[holder].add((kind, value))
    kept = [_without(p, gone) for p, gone in zip(prints, drop, strict=True)]
    return kept, _described(documents, groups, related, within, untold, boilerplate)


def _printed(spans: Sequence[Span]) -> bool:
    """Whether a fingerprint lies in what cells printed, not in their source."""
    return all(area == "out" for _, area, _, _ in spans)


def _holders(prints: Sequence[Fingerprints]) -> dict[tuple[str, int], list[int]]:
    held: dict[tuple[str, int], list[int]] = {}
    for position, kinds in enumerate(prints):
        for kind, values in kinds.by_kind.items():
            for value in values:
                held.setdefault((kind, value), []).append(position)
    return held


def _without(prints: Fingerprints, gone: set[tuple[str, int]]) -> Fingerprints:
    if not gone:
        return prints
    kept = Fingerprints()
    for kind, spans in prints.by_kind.items():
        kept.by_kind[kind] = {v: s for v, s in spans.items() if (kind, v) not in gone}
    return kept


def _described(
    documents: Sequence[Document],
    groups: list[Group],
    related: set[frozenset[int]],
    within: dict[int, tuple[frozenset[int], bool]],
    untold: dict[int, int],
    boilerplate: int,
) -> Cohorts:
    def ids(members: frozenset[int]) -> tuple[str, ...]:
        return tuple(sorted(documents[m].id for m in members))

    found = tuple(
        Cohort(name, how, ids(members), _tellable(members, related))
        for name, how, members in sorted(groups, key=lambda g: (g[1], g[0]))
    )
    told = tuple(
        Untold(
            ids(within[mask][0]),
            tuple(groups[b][0] for b in range(len(groups)) if mask >> b & 1),
            count,
        )
        for mask, count in untold.items()
    )
    return Cohorts(found, tuple(sorted(told, key=lambda u: u.members)), boilerplate)
