"""The similarity benchmark's mixed classes: several editions in one class.

    .venv/bin/python bench/similarity/mixed.py FOLDER [--threshold T]

``FOLDER`` is what ``extract.py`` writes: ``2020/`` (the 46 independent
notebooks of ``notebooks.tsv``) and one folder per later edition
(``2021/``, ``2021-initializer-only/``: ``later.tsv``). Each class of
``CLASSES`` is the 2020 notebooks with a few of each later edition added,
taken in file-name order from an offset. For each class it prints the
cohorts found, the pairs of independent notebooks flagged (and, for
comparison, those flagged when every fingerprint is counted against the
whole class with the 2020 hand-out alone, as before cohorts), and then, for
each disguise of ``run.py`` with outputs kept and cleared, a copy of every
later notebook of the class planted among them: how many copies are found
(their pair with the original above every other pair), how many the
threshold flags, the lowest copy's score, and the other pairs flagged. A
swapped function comes from the next notebook of the same edition.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from run import _classes, _docs, _load, planted_figures  # noqa: E402

from grader.similarity import (  # noqa: E402
    HANDOUT,
    THRESHOLD,
    Comparison,
    compare_documents,
)
from grader.similarity.documents import Document, read_document  # noqa: E402
from grader.similarity.handouts import edition_handouts  # noqa: E402

LATER = ("2021", "2021-initializer-only")
#: Each class: its name, then per later edition how many and from where.
CLASSES = (
    ("two of each", 2, 0),
    ("three of each", 3, 0),
    ("three of each, the next", 3, 3),
    ("five of each", 5, 0),
    ("all eighteen", 10, 0),
)


def _pick(folder: Path, count: int, offset: int) -> dict[str, tuple[str, Any]]:
    """``count`` notebooks of each later edition from ``offset``: id to
    (edition, notebook)."""
    picked = {}
    for edition in LATER:
        for path in sorted((folder / edition).glob("*.ipynb"))[offset:][:count]:
            picked[path.stem] = (edition, _load(path))
    return picked


def _donors(picked: dict[str, tuple[str, Any]]) -> dict[str, str]:
    """Each later notebook's donor: the next of its own edition in the class."""
    donors = {}
    for edition in LATER:
        names = sorted(n for n, (e, _) in picked.items() if e == edition)
        for i, name in enumerate(names):
            donors[name] = names[(i + 1) % len(names)]
    return donors


def _flagged(result: Comparison, later: set[str]) -> str:
    """The flagged pairs, later-edition notebooks marked with a star."""
    return ", ".join(
        f"{p.a}{'*' * (p.a in later)} & {p.b}{'*' * (p.b in later)} {p.score:.2f}"
        for p in result.flagged
    )


def _cohorts(result: Comparison) -> None:
    for cohort in result.cohorts.found:
        told = "told" if cohort.tellable else "too few to tell"
        print(f"  cohort: {cohort.name}: {len(cohort.members)} ({told})")
    for untold in result.cohorts.untold:
        print(
            f"  too few to tell: {', '.join(untold.members)}: "
            f"{untold.set_aside} set aside"
        )


def measure_class(
    name: str,
    base: dict[str, Any],
    picked: dict[str, tuple[str, Any]],
    handouts: list[Document],
    threshold: float,
) -> None:
    """Print one mixed class's figures."""
    originals = {**base, **{i: nb for i, (_, nb) in picked.items()}}
    independent = _docs(originals)
    result = compare_documents(independent, handouts, threshold=threshold)
    before = compare_documents(
        independent,
        [read_document("hand-out", HANDOUT)],
        threshold=threshold,
        by_cohort=False,
    )
    later = set(picked)
    counts = {e: sum(ed == e for ed, _ in picked.values()) for e in LATER}
    print(f"\n== {name}: {len(base)} of 2020, {counts} ({len(originals)})")
    _cohorts(result)
    print(f"independent pairs flagged: {len(result.flagged)} {_flagged(result, later)}")
    print(
        f"  counted against the class alone (as before): {len(before.flagged)} "
        f"{_flagged(before, later)}"
    )
    print(
        f"{'disguise':34} found  flagged  (of {len(picked)})  lowest copy score"
        "  other pairs flagged"
    )
    chosen = sorted(picked)
    for label, copies in _classes(originals, chosen, _donors(picked)).items():
        planted = compare_documents(
            independent + _docs(copies), handouts, threshold=threshold
        )
        found, over, low, wrong = planted_figures(planted, chosen)
        others = "; ".join(f"{p.a} & {p.b} {p.score:.2f}" for p in wrong)
        if found < len(chosen) and label.endswith("kept"):
            others += f" (missed: {', '.join(_missed(planted, chosen))})"
        figures = f"{found:5}  {over:7}  {'':8}  {low:17.3f}"
        print(f"{label:34} {figures}  {len(wrong)} {others}")


def _missed(result: Comparison, chosen: list[str]) -> list[str]:
    """The originals whose copy's pair does not rank above every other pair."""
    pairs = {frozenset((p.a, p.b)): p.score for p in result.pairs}
    planted = {frozenset((f"copy-of:{s}", s)) for s in chosen}
    ceiling = max((v for k, v in pairs.items() if k not in planted), default=0.0)
    return [
        s for s in chosen if pairs.get(frozenset((f"copy-of:{s}", s)), 0) <= ceiling
    ]


def main() -> None:
    """Run every mixed class on the folder named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    args = parser.parse_args()
    base = {p.stem: _load(p) for p in sorted((args.folder / "2020").glob("*.ipynb"))}
    handouts = edition_handouts()
    for name, count, offset in CLASSES:
        picked = _pick(args.folder, count, offset)
        measure_class(name, base, picked, handouts, args.threshold)


if __name__ == "__main__":
    main()
