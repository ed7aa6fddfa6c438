"""``grade``: from a notebook file to a report."""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Collection
from pathlib import Path

from grader.execute import run_submission
from grader.notebook import (
    check_assignment,
    find_graded_cells,
    notebook_notes,
    read_notebook,
)
from grader.probes import FUNCTIONS
from grader.report import GradeReport

CELL_TIMEOUT = 60.0
PROBE_TIMEOUT = 180.0
NOT_MARKED = (
    "found {function} in cell {index} by its `def`: "
    "its `# GRADED FUNCTION: {function}` line is missing"
)


def grade(
    path: str | Path,
    *,
    functions: Collection[str] | None = None,
    visible_only: bool = False,
    cell_timeout: float = CELL_TIMEOUT,
    probe_timeout: float = PROBE_TIMEOUT,
) -> GradeReport:
    """Grade one notebook: run its graded cells in a kernel and check them.

    ``functions`` limits the checks to some of the graded functions and
    ``visible_only`` to the checks students see (what ``grader check`` runs).
    Raises ``NotebookError`` when the file is not a readable notebook (its
    subclass ``NotAssignmentError`` when it holds another assignment) and
    ``KernelError`` when no kernel can be started; anything wrong with the
    student's code is reported as failed checks instead.
    """
    started = time.monotonic()
    chosen = tuple(FUNCTIONS if functions is None else functions)
    unknown = sorted(set(chosen) - set(FUNCTIONS))
    if unknown:
        raise ValueError(f"not a graded function: {', '.join(unknown)}")
    nb = read_notebook(path)
    graded = find_graded_cells(nb)
    check_assignment(graded, str(path))
    runnable = {name: cell for name, cell in graded.items() if not cell.is_stub}
    # TensorFlow takes seconds to import: let that happen while the kernel works.
    loader = threading.Thread(target=importlib.import_module, args=("grader.checks",))
    loader.start()
    try:
        run = run_submission(
            runnable,
            cell_timeout=cell_timeout,
            probe_timeout=probe_timeout,
            probed=[
                name
                for name in chosen
                if name in graded and not graded[name].signature_problem
            ],
            visible_only=visible_only,
        )
    finally:
        loader.join()
    from grader.checks import CHECKS, Expected, Judge, run_checks

    judge = Judge(run, graded, Expected.load())
    checks = tuple(
        check
        for check in CHECKS
        if check.function in chosen and (check.visible or not visible_only)
    )
    results = run_checks(judge, checks)
    notes = [
        NOT_MARKED.format(function=cell.function, index=cell.index + 1)
        for cell in graded.values()
        if not cell.marked
    ]
    notes += notebook_notes(nb, graded)
    return GradeReport(
        notebook=str(path),
        checks=tuple(results),
        notes=tuple(notes),
        seconds=time.monotonic() - started,
    )
