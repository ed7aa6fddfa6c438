"""Which fingerprinting separates copies from independent work: the figures.

    .venv/bin/pip install copydetect datasketch   # for this script only
    .venv/bin/python bench/similarity/methods.py FOLDER

Compares, on the graded cells' code alone (the hand-out's as boilerplate),
three ways of scoring a pair: ``copydetect`` (winnowing over its own
tokens, k=25, window 1, as a new user runs it), ``datasketch``'s MinHash
(Jaccard of token 5-grams, 128 permutations; its LSH finds the same pairs
above a threshold, so the scores are the MinHash estimates) and the
winnowing over Python's ``tokenize`` in ``grader.similarity``, with and
without the class's common fingerprints discounted. The copies are those of
``run.py`` with their outputs cleared (code alone must find them). Prints,
for each: the median and highest score of independent pairs, and how many
copies score above every independent pair.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import PLANTED, _classes, _docs, _load  # noqa: E402

from grader.notebooks.discover import find_submissions  # noqa: E402
from grader.similarity import HANDOUT, compare_documents  # noqa: E402
from grader.similarity.documents import Document, read_document  # noqa: E402
from grader.similarity.fingerprints import imported_names, normalised_tokens  # noqa: E402

Scorer = Callable[[list[Document]], dict[tuple[str, str], float]]


def graded_code(doc: Document) -> str:
    """The graded cells' source, in cell order."""
    return "\n\n".join(doc.cells[i].source for i in sorted(doc.functions))


def copydetect_scores(
    docs: list[Document], handout: Document
) -> dict[tuple[str, str], float]:
    """copydetect's similarity (the larger of its two directions) per pair."""
    import numpy as np
    from copydetect import CodeFingerprint, compare_files

    with tempfile.TemporaryDirectory() as temp:

        def write(name: str, text: str) -> str:
            path = Path(temp) / f"{name}.py"
            path.write_text(text, encoding="utf-8")
            return str(path)

        stub = CodeFingerprint(write("stub", graded_code(handout)), 25, 1)
        # With NumPy 2, boilerplate= wants an array, not the hashes set.
        boiler = np.array(sorted(stub.hashes))
        prints = {
            d.id: CodeFingerprint(write(f"d{n}", graded_code(d)), 25, 1, boiler)
            for n, d in enumerate(docs)
        }
    scores = {}
    ids = [d.id for d in docs]
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            _, sims, _ = compare_files(prints[a], prints[b])
            scores[a, b] = max(sims)
    return scores


def minhash_scores(
    docs: list[Document], handout: Document
) -> dict[tuple[str, str], float]:
    """datasketch MinHash estimates of the Jaccard of normalised token 5-grams."""
    from datasketch import MinHash

    kept = imported_names([handout])

    def grams(doc: Document) -> set[str]:
        tokens = [t[0] for t in normalised_tokens(graded_code(doc), kept)]
        return {" ".join(tokens[i : i + 5]) for i in range(len(tokens) - 4)}

    stub = grams(handout)
    sketches = {}
    for doc in docs:
        sketch = MinHash(num_perm=128, seed=21)
        for gram in grams(doc) - stub:
            sketch.update(gram.encode())
        sketches[doc.id] = sketch
    ids = [d.id for d in docs]
    return {
        (a, b): sketches[a].jaccard(sketches[b])
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    }


def winnow_scores(
    docs: list[Document], handout: Document, *, discount: bool
) -> dict[tuple[str, str], float]:
    """grader.similarity's code evidence alone (its strength), graded cells only."""
    only_graded = [
        Document(
            d.id,
            d.path,
            tuple(
                c if c.index in d.functions else type(c)(c.index, "raw", "")
                for c in d.cells
            ),
            d.functions,
        )
        for d in docs
    ]
    from grader.similarity import evidence

    limit = evidence.COMMON_SHARE
    if not discount:
        evidence.COMMON_SHARE = 1.0  # no fingerprint is common
    try:
        found = compare_documents(only_graded, [handout])
    finally:
        evidence.COMMON_SHARE = limit
    scores = {}
    for pair in found.pairs:
        code = [e.strength for e in pair.evidence if e.kind == "code"]
        scores[pair.a, pair.b] = code[0] if code else 0.0
    return scores


def main() -> None:
    """Print the table for the notebooks in the folder named."""
    folder = Path(sys.argv[1])
    paths = {s.student: s.path for s in find_submissions([folder])}
    originals: dict[str, dict[str, Any]] = {
        i: _load(p) for i, p in sorted(paths.items())
    }
    chosen = sorted(originals)[::4][:PLANTED]
    handout = read_document("hand-out", HANDOUT)
    independent = _docs(originals)
    cleared = {k: v for k, v in _classes(originals, chosen).items() if "cleared" in k}
    methods: dict[str, Callable[[list[Document]], dict[tuple[str, str], float]]] = {
        "copydetect 0.5 (k=25, w=1)": lambda d: copydetect_scores(d, handout),
        "datasketch MinHash (5-grams)": lambda d: minhash_scores(d, handout),
        "winnowing, 1/(n-1) weights": lambda d: winnow_scores(
            d, handout, discount=False
        ),
        "... common ones dropped": lambda d: winnow_scores(d, handout, discount=True),
    }
    print(f"{'method':30} indep. median  highest  copies above every independent pair")
    for name, scorer in methods.items():
        found, total, medians, highs = 0, 0, [], []
        for copies in cleared.values():
            docs = independent + _docs(copies)
            scores = scorer(docs)
            planted = set()
            for s in chosen:
                planted |= {(f"copy-of:{s}", s), (s, f"copy-of:{s}")}
            ids = [d.id for d in docs]
            others = [
                scores.get((a, b), 0.0)
                for i, a in enumerate(ids)
                for b in ids[i + 1 :]
                if (a, b) not in planted
            ]
            ceiling = max(others)
            for s in chosen:
                value = scores.get(
                    (f"copy-of:{s}", s), scores.get((s, f"copy-of:{s}"), 0.0)
                )
                found += value > ceiling
                total += 1
            medians.append(statistics.median(others))
            highs.append(ceiling)
        print(
            f"{name:30} {statistics.median(medians):13.2f}  {max(highs):7.2f}  "
            f"{found}/{total}"
        )


if __name__ == "__main__":
    main()
