"""``grade``: from a notebook file to a report."""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Collection
from pathlib import Path

from grader.editions import DEFAULT, get
from grader.execute import KernelPool, Stopwatch, start_submission
from grader.notebook import (
    find_graded_cells,
    notebook_notes,
    own_imports,
    read_notebook,
    recognise,
)
from grader.probes import FUNCTIONS
from grader.report import GradeReport
from grader.sandbox import Sandbox, choose

OUTPUT_CUT = (
    "the cell defining {function} printed more than {kb} KB; the rest was dropped"
)
NOT_MARKED = (
    "found {function} in cell {index} by its `def`: "
    "its `# GRADED FUNCTION: {function}` line is missing"
)


def grade(
    path: str | Path,
    *,
    functions: Collection[str] | None = None,
    visible_only: bool = False,
    sandbox: Sandbox | None = None,
    pool: KernelPool | None = None,
    edition: str | None = None,
    only: str | None = None,
) -> GradeReport:
    """Grade one notebook: run its graded cells in a kernel and check them.

    ``functions`` limits the checks to some of the graded functions and
    ``visible_only`` to the checks students see (what ``grader check`` runs).
    ``sandbox`` (default: ``grader.sandbox.choose()``, the strongest this
    system allows, with the default limits) is where the kernel runs;
    ``pool`` (a batch worker's), where the kernel comes from: one started
    ahead, in the pool's sandbox, and the next is started once this
    submission's kernel is done with. ``edition`` forces the edition
    (``grader.editions``) the notebook is graded as; by default its graded
    functions' signatures tell it (``grader.notebook.recognise``), and with
    ``only`` a notebook of another edition is refused (a course that grades one).
    Raises ``NotebookError`` when the file is not a readable notebook (its
    subclass ``NotAssignmentError`` when it holds another assignment) and
    ``KernelError`` when no kernel can be started; anything wrong with the
    student's code is reported as failed checks instead.
    """
    started = time.monotonic()
    watch = Stopwatch()
    sandbox = pool.sandbox if pool is not None else sandbox or choose()
    chosen = tuple(FUNCTIONS if functions is None else functions)
    unknown = sorted(set(chosen) - set(FUNCTIONS))
    if unknown:
        raise ValueError(f"not a graded function: {', '.join(unknown)}")
    nb = read_notebook(path)
    graded = recognise(find_graded_cells(nb), str(path), edition=edition, only=only)
    known = get(next(iter(graded.values())).edition or DEFAULT)
    runnable = {name: cell for name, cell in graded.items() if not cell.is_stub}
    watch.lap("reading the notebook")
    # TensorFlow takes seconds to import: let that happen while the kernel works.
    loader = threading.Thread(target=importlib.import_module, args=("grader.checks",))
    loader.start()
    kernel = pool.take() if pool is not None and runnable else None
    submission = start_submission(
        runnable,
        sandbox=sandbox,
        probed=[
            name
            for name in chosen
            if name in graded and not graded[name].signature_problem
        ],
        visible_only=visible_only,
        kernel=kernel,
        imports=own_imports(nb),
    )
    try:
        loader.join()
        watch.lap("TensorFlow in the grader")
        from grader import cache
        from grader.checks import select
        from grader.judge import Expected, Judge

        results = []
        expected = Expected.load(known)
        judge = Judge(submission.live, graded, expected, known)
        checks = select(chosen, visible_only=visible_only, edition=known)
        last = checks[-1].function if checks else None
        for index, check in enumerate(checks):
            first = index == 0 or checks[index - 1].function != check.function
            if first and runnable:
                # Each function is judged as soon as its answers are in,
                # while the kernel goes on building the next one's models.
                submission.wait_for(check.function)
                watch.lap(f"waiting for the kernel: {check.function}")
            if first and check.function == last:
                run = submission.result()
                if pool is not None:
                    pool.refill()  # it starts while this submission is judged
            # Each check stands alone: timed per function, some (training) apart.
            if check.timed_alone:
                watch.lap(f"checks: {check.function}")
            results += cache.run_checks(judge, (check,))  # kept where it may be
            end = (
                index + 1 == len(checks) or checks[index + 1].function != check.function
            )
            if check.timed_alone:
                watch.lap(check.name)
            elif end:
                watch.lap(f"checks: {check.function}")
        if last is None:
            run = submission.result()
    except BaseException:
        submission.stop()
        if pool is not None:
            pool.refill()
        raise
    notes = [
        NOT_MARKED.format(function=cell.function, index=cell.index + 1)
        for cell in graded.values()
        if not cell.marked
    ]
    notes += [
        OUTPUT_CUT.format(function=name, kb=sandbox.limits.output_kb)
        for name in run.output_cut
    ]
    notes += notebook_notes(nb, graded)
    watch.lap("report")
    return GradeReport(
        notebook=str(path),
        edition=known.name,
        checks=tuple(results),
        notes=tuple(notes),
        seconds=time.monotonic() - started,
        protections=submission.sandbox.protections,
        phases=(
            *watch.phases,
            *((f"in the kernel: {name}", t) for name, t in submission.phases),
        ),
    )
