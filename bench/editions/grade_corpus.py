"""Grade every variant of the later editions' corpora with the grader and say
whether each verdict is the one it promises.

Usage::

    .venv/bin/python bench/editions/grade_corpus.py [EDITION | NAME ...] [--json OUT]

For each edition under ``tests/corpus/editions/`` (``corpus.editions``):
every ``wrong`` and ``more`` variant (edits of the edition's ``solution.py``,
in ``corpus/editions/wrong.py``) is swapped into the edition's solution (as
the corpus test does) and graded on its function with every check, hidden
ones too; its failing checks, in the report's order, must be exactly its
``fails`` and the first one's message must hold its ``says`` words. Every
``correct/*.py`` must earn full marks (graded whole where it rewrites
ResNet50, else on its functions). ``tests/test_edition_corpus.py`` grades
the ``wrong`` and ``correct`` variants in the suite; this script is how the
``more`` ones stay checked. A NAME is a variant's, ``EDITION/KIND/STEM``
(``2021/more/identity-glorot-hard-coded``), or a correct file's path.

Prints one line per variant (``agree`` or ``DISAGREE`` and what the grader
found) and a total per edition; ``--json OUT`` writes every verdict with the
messages, for writing a variant's verdict in. Exits 1 on any disagreement.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from corpus.editions import KINDS, Variant, rewritten, variants  # noqa: E402

from grader.grading import grade  # noqa: E402


def verdict(variant: Variant, scratch: Path) -> dict[str, object]:
    """Grade one variant; what it promises beside what the grader found."""
    whole = variant.kind == "correct" and "ResNet50" in variant.functions
    notebook = scratch / f"{variant.name.replace('/', '-')}.ipynb"
    nbformat.write(rewritten([variant]), notebook)
    started = time.monotonic()
    report = grade(notebook, functions=None if whole else list(variant.functions))
    seconds = time.monotonic() - started
    failed = [(c.name, c.message) for c in report.checks if not c.passed]
    if variant.kind == "correct":
        agrees = not failed and report.score == report.max_score
    else:
        agrees = bool(variant.fails) and [n for n, _ in failed] == list(variant.fails)
        agrees = agrees and variant.says in failed[0][1]
    return {
        "edition": variant.edition,
        "kind": variant.kind,
        "variant": variant.stem,
        "function": ",".join(variant.functions),
        "recognised": report.edition,
        "promised": {"fails": list(variant.fails), "says": variant.says},
        "failed": failed,
        "failing": ", ".join(name for name, _ in failed) or "-",
        "agrees": agrees and report.edition == variant.edition,
        "seconds": round(seconds, 1),
    }


def chosen(args: list[str]) -> list[Variant]:
    """The variants named, then every variant of the editions named (each
    edition's wrong, more and correct ones); none named: every edition's."""
    every = [variant for kind in KINDS for variant in variants(kind)]
    by_name = {variant.name: variant for variant in every}
    known = list(dict.fromkeys(variant.edition for variant in every))
    named = [arg for arg in args if arg not in known]
    picked = []
    for arg in named:
        # A variant's name, or the path of a file of the corpus.
        name = "/".join(Path(arg).with_suffix("").parts[-3:])
        if name not in by_name:
            sys.exit(f"no variant {arg} in the corpora")
        picked.append(by_name[name])
    for edition in [arg for arg in args if arg in known] or ([] if named else known):
        for kind in KINDS:
            picked += [v for v in every if (v.edition, v.kind) == (edition, kind)]
    return picked


def main(argv: list[str]) -> int:
    """Grade the variants named (default: every edition's); 1 on a disagreement."""
    out = None
    if "--json" in argv:
        at = argv.index("--json")
        out = Path(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    picked = chosen(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="grade-corpus-") as scratch:
        for variant in picked:
            found = verdict(variant, Path(scratch))
            results.append(found)
            mark = "agree" if found["agrees"] else "DISAGREE"
            print(
                f"{mark:8} {variant.name} "
                f"[{found['seconds']}s] fails: {found['failing']}",
                flush=True,
            )
            if out is not None:
                out.write_text(json.dumps(results, indent=1))
    for edition_name in dict.fromkeys(variant.edition for variant in picked):
        mine = [r for r in results if r["edition"] == edition_name]
        agree = sum(1 for r in mine if r["agrees"])
        print(f"{edition_name}: {agree} of {len(mine)} agree with their verdicts")
    return 0 if all(r["agrees"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
