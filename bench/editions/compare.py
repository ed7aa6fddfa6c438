"""Agreement between the course's saved verdicts and the grader's, per function.

Usage: ``python bench/editions/compare.py FOLDER [--out OUT] [--edition NAME]
[--grader PATH] [--no-run]``

``FOLDER`` holds notebooks named by their slug (``collect.py`` writes
``/work/realnb/<edition>/<slug>.ipynb``; give one edition's folder or the
parent, which is searched recursively). The script runs ``grader grade
NOTEBOOK... --out OUT`` once over all of them (``--edition`` is passed
through when given; ``--no-run`` reads an ``OUT`` graded before), then reads
each submission's ``OUT/gradescope/<slug>/results.json``: a function passes
when every test tagged with its name passed. The course's verdict comes from
the notebook's saved outputs (``saved_verdicts``). Prints, per edition and
function, how many notebooks agree, then every disagreement with the
grader's failed checks. Notebooks whose saved outputs give no verdict (not
run, stripped), and notebooks the grader did not grade (edition refused,
not a notebook), are counted apart, not compared; the latter are listed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import saved_verdicts as sv  # noqa: E402

DEFAULT_GRADER = HERE.parent.parent / ".venv" / "bin" / "grader"


@dataclass(frozen=True)
class GraderVerdict:
    """The grader's verdict on one function: passed, or the failed checks."""

    passed: bool
    failed: tuple[str, ...]


def grader_verdicts(results: dict[str, Any]) -> dict[str, GraderVerdict] | str:
    """Per function from one ``results.json``; the reason where it was not graded."""
    tests = results.get("tests", [])
    if not tests:
        return f"not graded: {results.get('output', '')}".strip()
    failed: dict[str, list[str]] = {}
    seen: set[str] = set()
    for test in tests:
        function = (test.get("tags") or ["?"])[0]
        seen.add(function)
        if test.get("status") != "passed":
            message = " ".join(str(test.get("output", "")).split())[:160]
            failed.setdefault(function, []).append(f"{test.get('name')}: {message}")
    return {f: GraderVerdict(f not in failed, tuple(failed.get(f, ()))) for f in seen}


def run_grader(
    grader: Path, notebooks: list[Path], out: Path, edition: str | None
) -> None:
    """One batch over all notebooks; its exit status is not a verdict."""
    command = [str(grader), "grade", *map(str, notebooks), "--out", str(out)]
    if edition:
        command += ["--edition", edition]
    subprocess.run(command, check=False)


def main() -> int:
    """Grade, read both verdicts, print agreement and disagreements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, help="the batch's folder (kept)")
    parser.add_argument("--edition", help="passed to grader grade --edition")
    parser.add_argument("--grader", type=Path, default=DEFAULT_GRADER)
    parser.add_argument("--no-run", action="store_true", help="read OUT as it is")
    args = parser.parse_args()
    notebooks = sorted(args.folder.rglob("*.ipynb"))
    if not notebooks:
        print(f"{args.folder}: no notebooks", file=sys.stderr)
        return 2
    scratch = None
    out = args.out
    if out is None:
        scratch = Path(tempfile.mkdtemp(prefix="compare-editions-"))
        out = scratch / "out"
    try:
        if not args.no_run:
            run_grader(args.grader, notebooks, out, args.edition)
        return report(notebooks, out)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def report(notebooks: list[Path], out: Path) -> int:
    """Print the agreement table and the disagreements; 0 when all agree."""
    counts: Counter[tuple[str, str, str]] = Counter()
    disagreements = []
    for path in notebooks:
        reading = sv.read(path)
        slug = path.stem
        results_path = out / "gradescope" / slug / "results.json"
        if not results_path.is_file():
            counts[(reading.edition, "*", "no results")] += 1
            disagreements.append((reading.edition, slug, "*", "", "no results.json"))
            continue
        graded = grader_verdicts(json.loads(results_path.read_text()))
        for function in sv.FUNCTIONS:
            course = reading.verdicts[function]
            if course in ("not run", "no verdict"):
                counts[(reading.edition, function, "no saved verdict")] += 1
                continue
            course_passed = course == "passed"
            if isinstance(graded, str):
                # Not graded at all (edition refused, notebook invalid): no
                # verdict to compare; listed once per notebook below.
                counts[(reading.edition, function, "not graded")] += 1
                if function == sv.FUNCTIONS[0]:
                    disagreements.append((reading.edition, slug, "*", "", graded))
                continue
            if function not in graded:
                mine, why = False, "no check of this function"
            else:
                mine, why = graded[function].passed, "; ".join(graded[function].failed)
            if mine == course_passed:
                counts[(reading.edition, function, "agree")] += 1
            else:
                counts[(reading.edition, function, "disagree")] += 1
                disagreements.append((reading.edition, slug, function, course, why))
    editions = sorted({key[0] for key in counts})
    print(f"{'edition':22} {'function':20} agree disagree no-saved-verdict not-graded")
    for edition in editions:
        for function in (*sv.FUNCTIONS, "*"):
            row = [counts[(edition, function, k)] for k in ("agree", "disagree")]
            unseen = counts[(edition, function, "no saved verdict")]
            missing = counts[(edition, function, "no results")]
            refused = counts[(edition, function, "not graded")]
            if not any(row) and not unseen and not missing and not refused:
                continue
            print(
                f"{edition:22} {function:20} {row[0]:5} {row[1]:8} {unseen:16} "
                f"{refused + missing:10}"
            )
    for edition, slug, function, course, why in disagreements:
        said = f"course says {course!r}; " if course else ""
        print(f"- {edition} {slug} {function}: {said}grader: {why[:300]}")
    return 0 if not disagreements else 1


if __name__ == "__main__":
    raise SystemExit(main())
