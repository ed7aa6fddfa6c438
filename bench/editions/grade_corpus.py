"""Grade every file of the later editions' corpora with the grader and say
whether each verdict is the one its header promises.

Usage::

    .venv/bin/python bench/editions/grade_corpus.py [EDITION | FILE.py ...] [--json OUT]

For each edition under ``tests/corpus/editions/``: every ``wrong/*.py`` and
``more/*.py`` is swapped into the edition's solution (as the corpus test does)
and graded on its function with every check, hidden ones too; its failing
checks, in the report's order, must be exactly its ``# fails:`` line and the
first one's message must hold its ``# says:`` words. Every ``correct/*.py``
must earn full marks (graded whole where it rewrites ResNet50, else on its
functions). ``tests/test_edition_corpus.py`` grades the ``wrong/`` and
``correct/`` files in the suite; this script is how ``more/`` stays checked.

Prints one line per file (``agree`` or ``DISAGREE`` and what the grader
found) and a total per edition; ``--json OUT`` writes every verdict with the
messages, for filling headers in. Exits 1 on any disagreement.
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
from test_corpus import rewritten_solution  # noqa: E402
from test_edition_corpus import ROOT as CORPUS  # noqa: E402
from test_edition_corpus import read_variant  # noqa: E402

from grader import editions  # noqa: E402
from grader.grading import grade  # noqa: E402

KINDS = ("wrong", "more", "correct")


def verdict(edition_name: str, path: Path, scratch: Path) -> dict[str, object]:
    """Grade one corpus file; what it promises beside what the grader found."""
    edition = editions.get(edition_name)
    variant = read_variant(edition_name, path)
    kind = path.parent.name
    whole = kind == "correct" and "ResNet50" in variant.functions
    notebook = scratch / f"{edition_name}-{kind}-{path.stem}.ipynb"
    nbformat.write(rewritten_solution(path, edition.solution), notebook)
    started = time.monotonic()
    report = grade(notebook, functions=None if whole else list(variant.functions))
    seconds = time.monotonic() - started
    failed = [(c.name, c.message) for c in report.checks if not c.passed]
    if kind == "correct":
        agrees = not failed and report.score == report.max_score
    else:
        agrees = bool(variant.fails) and [n for n, _ in failed] == list(variant.fails)
        agrees = agrees and variant.says in failed[0][1]
    return {
        "edition": edition_name,
        "kind": kind,
        "file": path.name,
        "function": ",".join(variant.functions),
        "recognised": report.edition,
        "promised": {"fails": list(variant.fails), "says": variant.says},
        "failed": failed,
        "failing": ", ".join(name for name, _ in failed) or "-",
        "agrees": agrees and report.edition == edition_name,
        "seconds": round(seconds, 1),
    }


def main(argv: list[str]) -> int:
    """Grade the corpora named (default: every later edition's); 1 on a disagreement."""
    out = None
    if "--json" in argv:
        at = argv.index("--json")
        out = Path(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    files = [Path(arg).resolve() for arg in argv if arg.endswith(".py")]
    chosen = [arg for arg in argv if not arg.endswith(".py")]
    if not argv:
        chosen = [p.name for p in sorted(CORPUS.iterdir()) if p.is_dir()]
    for edition_name in chosen:
        for kind in KINDS:
            files += sorted((CORPUS / edition_name / kind).glob("*.py"))
    chosen = list(dict.fromkeys(path.parent.parent.name for path in files))
    results = []
    with tempfile.TemporaryDirectory(prefix="grade-corpus-") as scratch:
        for path in files:
            edition_name, kind = path.parent.parent.name, path.parent.name
            found = verdict(edition_name, path, Path(scratch))
            results.append(found)
            mark = "agree" if found["agrees"] else "DISAGREE"
            print(
                f"{mark:8} {edition_name}/{kind}/{path.stem} "
                f"[{found['seconds']}s] fails: {found['failing']}",
                flush=True,
            )
            if out is not None:
                out.write_text(json.dumps(results, indent=1))
    for edition_name in chosen:
        mine = [r for r in results if r["edition"] == edition_name]
        agree = sum(1 for r in mine if r["agrees"])
        print(f"{edition_name}: {agree} of {len(mine)} files agree with their headers")
    return 0 if all(r["agrees"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
