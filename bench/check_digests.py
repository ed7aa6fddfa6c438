"""The time the per-check cache takes to name the checks of one grading.

Run from the repository root, after the README's set-up command:

    .venv/bin/python bench/check_digests.py --runs 5

Each grading names the entry of each of the 2020 edition's 17 checks
(``grader.judging.check_cache``), reading the answers the checks depend on.
The answers are the ones a kernel gives for the solution: the reference's
models (``grader.judging.reference``), as JSON. Each run is one grading with
a new ``Judge``, named twice: "before", as the code before each answer was
encoded once per grading did (``_entry_before``, its code as it was: every
check encodes its answers again), and "after", ``check_cache._entry``. Both
are timed in the same process, run after run, and must give the same names.
It prints the median and the range of each.

The canonical forms of ResNet50's answers (``checks._canonical``, which
both sides use) are forgotten before each grading, as for a new submission;
with ``--warm`` they are kept, as for the same answers graded again, which
leaves the reading and encoding of the answers alone in the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "Residual_Networks.ipynb"


def _entry_before(judge: Any, check: Any) -> str | None:
    """``check_cache._entry`` as it was: every check's answers encoded anew."""
    from grader.judging.cache import digest, folder

    if check.depends_on is None or folder() is None:
        return None
    try:
        reads = check.depends_on(judge)
    except Exception:
        return None
    edition: object = None
    if judge.edition is not None:
        edition = judge.edition.name
        if judge.edition.digest:
            edition = [edition, judge.edition.digest]
    return digest("check", edition, check.function, check.name, reads)


def _grading() -> tuple[Any, Any]:
    """A new judge of the solution's answers, and the edition's checks."""
    from grader import editions
    from grader.judging import reference
    from grader.judging.checks import select
    from grader.judging.judge import Expected, Judge
    from grader.kernel.protocol import AnswerStatus, KernelRun, ProbeAnswer
    from grader.notebooks.read import find_graded_cells, read_notebook
    from grader.notebooks.recognise import recognise

    edition = editions.get(editions.DEFAULT)
    graded = recognise(find_graded_cells(read_notebook(SOLUTION)), str(SOLUTION))
    answers: dict[str, list[ProbeAnswer]] = {}
    for spec in edition.probes:
        model = reference.build(spec.function, spec.kwargs, spec.input_shape)
        answer = ProbeAnswer(spec.key, AnswerStatus.OK, model.to_json())
        answers.setdefault(spec.function, []).append(answer)
    run = KernelRun(cells={}, answers=answers, probe_cells={})
    expected = Expected.load(edition)
    checks = select(tuple(answers), edition=edition)
    return (lambda: Judge(run, graded, expected, edition)), checks


def _timed(
    entry: Any, new_judge: Any, checks: Any, warm: bool
) -> tuple[float, list[Any]]:
    """One grading's names, and the seconds they took."""
    from grader.judging import checks as table

    if not warm:
        table._canonical.cache_clear()  # a new submission's models
    judge = new_judge()
    start = time.perf_counter()
    names = [entry(judge, check) for check in checks]
    return time.perf_counter() - start, names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm", action="store_true")
    args = parser.parse_args()
    runs = args.runs
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Only the names are made: nothing is read from or written to the folder.
    os.environ["GRADER_CACHE_DIR"] = tempfile.mkdtemp(prefix="check-digests-")
    from grader.judging import check_cache

    new_judge, checks = _grading()
    sides = {"before": _entry_before, "after": check_cache._entry}
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(runs):
        names = {}
        for side, entry in sides.items():
            took, names[side] = _timed(entry, new_judge, checks, args.warm)
            seconds[side].append(took)
        if names["before"] != names["after"] or None in names["after"]:
            sys.exit("the two sides name the checks differently")
    forms = "kept" if args.warm else "computed each grading"
    print(f"{len(checks)} checks a grading, {runs} gradings, canonical forms {forms}:")
    for side, times in seconds.items():
        ms = [1000 * t for t in times]
        print(
            f"  {side:6} median {statistics.median(ms):6.2f} ms"
            f"  (min {min(ms):.2f}, max {max(ms):.2f})"
        )


if __name__ == "__main__":
    main()
