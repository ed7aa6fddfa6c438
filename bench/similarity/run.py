"""The similarity benchmark: planted copies among independent notebooks.

    .venv/bin/python bench/similarity/run.py FOLDER [--time 300]

``FOLDER`` holds independent notebooks of the assignment (``notebooks.tsv``
lists the public ones measured for docs/similarity.md: repository, commit, path;
this script fetches nothing: save each listed file as
``FOLDER/OWNER__REPO.ipynb``). Ten of them (every fourth, by file name) are
copied with each disguise of ``tests/disguise.py`` plus ``swap`` (one
function taken from another notebook), each with its outputs kept and
cleared. Each disguise makes one class: the independent notebooks and its
ten copies. For each, it prints how many copies rank above every other
pair of their class (recall at zero false flags) and how many the default
threshold flags, and how many pairs of independent notebooks are flagged.
``--threshold`` sets the flagging score (default the grader's).
``--time N`` also times ``grader.similarity.compare`` on N notebooks
written from the folder's (training outputs perturbed, names changed).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from grader.notebooks.discover import Submission, find_submissions  # noqa: E402
from grader.similarity import (  # noqa: E402
    THRESHOLD,
    Comparison,
    Pair,
    compare,
    compare_documents,
)
from grader.similarity.documents import document  # noqa: E402
from grader.similarity.handouts import edition_handouts  # noqa: E402
from tests.disguise import DISGUISES, clear_outputs, swap_function  # noqa: E402

PLANTED = 10


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _classes(
    originals: dict[str, dict[str, Any]],
    chosen: list[str],
    donors: dict[str, str] | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per disguise (and outputs kept or cleared), the planted copies by id.

    ``donors``: whose function each swapped copy takes (default: the next
    notebook's, by name).
    """
    names = sorted(originals)
    made: dict[str, dict[str, dict[str, Any]]] = {}
    for outputs in ("kept", "cleared"):
        kinds = {**DISGUISES, "swap": None}
        for name, disguise in kinds.items():
            copies = {}
            for source in chosen:
                if disguise is None:
                    donor = (donors or {}).get(source) or names[
                        (names.index(source) + 1) % len(names)
                    ]
                    nb = swap_function(originals[source], originals[donor])
                else:
                    nb = disguise(originals[source])
                if outputs == "cleared":
                    nb = clear_outputs(nb)
                copies[f"copy-of:{source}"] = nb
            made[f"{name}, outputs {outputs}"] = copies
    return made


def _docs(notebooks: dict[str, dict[str, Any]]) -> list[Any]:
    return [
        document(i, Path(i), nbformat.reads(json.dumps(nb), as_version=4))
        for i, nb in notebooks.items()
    ]


def measure(folder: Path, threshold: float = THRESHOLD) -> None:
    """Print the benchmark's table for the notebooks in ``folder``."""
    paths = {s.student: s.path for s in find_submissions([folder])}
    originals = {i: _load(p) for i, p in sorted(paths.items())}
    chosen = sorted(originals)[::4][:PLANTED]
    handout = edition_handouts()
    independent = _docs(originals)
    base = compare_documents(independent, handout, threshold=threshold)
    flagged = [p for p in base.flagged]
    shares = len(base.pairs)
    print(f"{len(originals)} independent notebooks, {shares} pairs share anything")
    print(f"independent pairs flagged at the default threshold: {len(flagged)}")
    for pair in flagged:
        print(f"  {pair.score:.2f} {pair.a} {pair.b}")
    top = base.pairs[0].score if base.pairs else 0.0
    print(f"highest independent pair: {top:.3f}")
    print(
        f"{'disguise':34} found  flagged  (of {len(chosen)})  lowest copy score"
        "  other pairs flagged"
    )
    for label, copies in _classes(originals, chosen).items():
        result = compare_documents(
            independent + _docs(copies), handout, threshold=threshold
        )
        found, over, low, wrong = planted_figures(result, chosen)
        print(f"{label:34} {found:5}  {over:7}  {'':8}  {low:17.3f}  {len(wrong)}")


def planted_figures(
    result: Comparison, chosen: list[str]
) -> tuple[int, int, float, list[Pair]]:
    """How the copies of ``chosen`` fared in ``result``.

    Copies found (their pair with the original above every other pair),
    flagged, the lowest copy's score, and the other pairs flagged.
    """
    planted = {(f"copy-of:{s}", s) for s in chosen}
    scores, others = {}, []
    for pair in result.pairs:
        key = (pair.a, pair.b) if pair.a.startswith("copy-of:") else (pair.b, pair.a)
        if key in planted:
            scores[key] = pair.score
        else:
            others.append(pair)
    ceiling = max((p.score for p in others), default=0.0)
    found = sum(scores.get(k, 0.0) > ceiling for k in planted)
    over = sum(scores.get(k, 0.0) >= result.threshold for k in planted)
    low = min(scores.get(k, 0.0) for k in planted)
    wrong = [p for p in others if p.score >= result.threshold]
    return found, over, low, wrong


def _perturbed(nb: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A notebook like ``nb`` but for its printed digits and a name or two."""
    text = json.dumps(nb)
    text = re.sub(r"(?<=\d\.)\d{4}", lambda m: f"{rng.randrange(10000):04d}", text)
    for name in ("X_shortcut", "F1", "F2", "F3"):
        if rng.random() < 0.5:
            text = text.replace(name, f"{name}_{rng.randrange(100)}")
    data: dict[str, Any] = json.loads(text)
    return data


def time_class(folder: Path, size: int) -> None:
    """Time ``compare`` (reading included) on ``size`` notebooks like ``folder``'s."""
    rng = random.Random(21)
    sources = [_load(s.path) for s in find_submissions([folder])]
    with tempfile.TemporaryDirectory() as temp:
        for n in range(size):
            nb = _perturbed(sources[n % len(sources)], rng)
            (Path(temp) / f"s{n:03d}.ipynb").write_text(
                json.dumps(nb), encoding="utf-8"
            )
        submissions: list[Submission] = find_submissions([temp])
        start = time.perf_counter()
        result = compare(submissions)
        seconds = time.perf_counter() - start
    pairs = size * (size - 1) // 2
    print(
        f"{size} notebooks ({pairs} pairs): {seconds:.1f} s, "
        f"{len(result.pairs)} pairs share anything uncommon"
    )


def main() -> None:
    """Run the benchmark on the folder named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--time", type=int, default=0, metavar="N")
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    args = parser.parse_args()
    measure(args.folder, args.threshold)
    if args.time:
        time_class(args.folder, args.time)


if __name__ == "__main__":
    main()
