"""``grade``: from a notebook file to a report."""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from grader import errors
from grader.editions import get
from grader.editions.probes import FUNCTIONS
from grader.judging.solution import Solution
from grader.kernel.pool import KernelPool
from grader.kernel.protocol import KernelRun
from grader.kernel.submission import Submission, start_submission
from grader.notebooks.notebook import Notebook, read, read_solution
from grader.reports.results import CheckResult, GradeReport, Stopwatch
from grader.sandbox.choice import Sandbox, choose

if TYPE_CHECKING:
    from grader.editions import Edition
    from grader.notebooks.read import GradedCell

OUTPUT_CUT = (
    "the cell defining {function} printed more than {kb} KB; the rest was dropped"
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
    ``sandbox`` (default: ``grader.sandbox.choice.choose()``, the strongest this
    system allows, with the default limits) is where the kernel runs;
    ``pool`` (a batch worker's), where the kernel comes from: one started
    ahead, in the pool's sandbox, and the next is started once this
    submission's kernel is done with. ``edition`` forces the edition
    (``grader.editions``) the notebook is graded as; by default its graded
    functions' signatures tell it (``grader.notebooks.recognise.recognise``), and with
    ``only`` a notebook of another edition is refused (a course that grades one).
    Raises ``NotebookError`` when the file is not a readable notebook (its
    subclass ``NotAssignmentError`` when it holds another assignment),
    ``KernelError`` when no kernel can be started and ``CheckError`` when the
    grader could not run some check (its own fault: no score is given);
    anything wrong with the student's code is reported as failed checks
    instead.
    """
    started = time.monotonic()
    watch = Stopwatch()
    chosen = _chosen(functions)
    notebook = read(path, edition=edition, only=only)
    known = get(notebook.edition)
    graded = notebook.graded
    runnable = {name: cell for name, cell in graded.items() if not cell.is_stub}
    # The reference is the solution's answers: its notebook is read now too.
    reference = _read_solution(known, notebook) if runnable else None
    watch.lap("reading the notebook")
    sandbox = pool.sandbox if pool is not None else sandbox or choose()
    loader = _load_checks()
    probed = [n for n in chosen if n in graded and not graded[n].signature_problem]
    submission = start_submission(
        runnable,
        sandbox=sandbox,
        probed=probed,
        visible_only=visible_only,
        kernel=pool.take() if pool is not None and runnable else None,
        imports=notebook.imports,
    )
    # The reference: the solution's answers, kept on this machine or computed
    # now in a kernel of their own, beside the student's.
    solution = None if reference is None else Solution(known, sandbox, reference)
    try:
        loader.join()
        watch.lap("TensorFlow in the grader")
        results, run = _judge(
            submission, graded, chosen, visible_only, known, solution, pool, watch
        )
    except BaseException:
        _stop(submission, solution, pool)
        raise
    _refuse_faults(results, notebook.path)
    watch.lap("report")
    return GradeReport(
        notebook=notebook.name,
        edition=known.name,
        checks=tuple(results),
        notes=_notes(notebook, run, sandbox),
        seconds=time.monotonic() - started,
        protections=submission.sandbox.protections,
        phases=(
            *watch.phases,
            *((f"in the kernel: {name}", t) for name, t in submission.phases),
        ),
    )


def _load_checks() -> threading.Thread:
    """Start importing the checks (and TensorFlow) on a thread of their own.

    It takes seconds, and happens while the kernel works.
    """
    loader = threading.Thread(
        target=importlib.import_module, args=("grader.judging.checks",)
    )
    loader.start()
    return loader


def _read_solution(edition: Edition, notebook: Notebook) -> Notebook:
    """``edition``'s solution notebook as read, for the reference.

    A solution that cannot be read is the grader's fault, not the
    notebook's: ``CheckError``, and no score.
    """
    try:
        return read_solution(edition)
    except errors.GraderError as exc:
        fault = f"the {edition.name} edition's solution could not be read: {exc}"
        raise errors.CheckError(
            errors.CHECKS_NOT_RUN.format(path=notebook.path, count=1, first=fault),
            path=notebook.path,
            faults=(fault,),
        ) from exc


def _notes(notebook: Notebook, run: KernelRun, sandbox: Sandbox) -> tuple[str, ...]:
    """What the report notes beside the checks: markers, cut output, old cells."""
    cut = tuple(
        OUTPUT_CUT.format(function=name, kb=sandbox.limits.output_kb)
        for name in run.output_cut
    )
    return (*notebook.unmarked, *cut, *notebook.notes)


def _stop(
    submission: Submission, solution: Solution | None, pool: KernelPool | None
) -> None:
    """Stop a grading's kernels, the solution's too; refill a batch's pool."""
    submission.stop()
    if solution is not None:
        solution.stop()
    if pool is not None:
        pool.refill()


def _refuse_faults(results: list[CheckResult], path: str | Path) -> None:
    """Raise ``CheckError`` where the grader could not run some check.

    Such a check says nothing about the notebook, so no score is given:
    the instructor gets one line, a batch an ``error`` it grades again.
    """
    from grader.judging.checks import could_not_run, fault

    faults = tuple(
        f"{result.title}: {fault(result)}"
        for result in results
        if could_not_run(result)
    )
    if faults:
        first = faults[0] + (f"; and {len(faults) - 1} more" if len(faults) > 1 else "")
        raise errors.CheckError(
            errors.CHECKS_NOT_RUN.format(path=path, count=len(faults), first=first),
            path=str(path),
            faults=faults,
        )


def _chosen(functions: Collection[str] | None) -> tuple[str, ...]:
    """The graded functions to check; raises ``ValueError`` for an unknown one."""
    chosen = tuple(FUNCTIONS if functions is None else functions)
    unknown = sorted(set(chosen) - set(FUNCTIONS))
    if unknown:
        raise ValueError(f"not a graded function: {', '.join(unknown)}")
    return chosen


def _judge(
    submission: Submission,
    graded: Mapping[str, GradedCell],
    chosen: tuple[str, ...],
    visible_only: bool,
    edition: Edition,
    solution: Solution | None,
    pool: KernelPool | None,
    watch: Stopwatch,
) -> tuple[list[CheckResult], KernelRun]:
    """Run the checks, each function's once its answers are in; and the run.

    ``solution`` is None where nothing of the notebook runs (every function
    the stub): no check then gets as far as the reference.
    """
    from grader.judging import check_cache
    from grader.judging.checks import select
    from grader.judging.judge import Expected, Judge

    runnable = solution is not None
    results: list[CheckResult] = []
    expected = Expected.load(edition)
    judge = Judge(submission.live, graded, expected, edition, solution)
    checks = select(chosen, visible_only=visible_only, edition=edition)
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
        results += check_cache.run_checks(judge, (check,))  # kept where it may be
        end = index + 1 == len(checks) or checks[index + 1].function != check.function
        if check.timed_alone:
            watch.lap(check.name)
        elif end:
            watch.lap(f"checks: {check.function}")
    if last is None:
        run = submission.result()
    if solution is not None:
        solution.wait()  # kept for the next grading, and its kernel gone
    return results, run


def warm_cache() -> dict[str, list[float]]:
    """Run each edition's solution and its training run now, and keep both.

    What ``grader cache warm`` runs (and Gradescope's ``setup.sh``): the
    solutions' answers (``grader.judging.solution``) and each reference's
    training run, by edition. Editions whose references are the same but for their
    names share one run.
    """
    from grader import editions
    from grader.judging.hidden import reference_losses
    from grader.models import rebuild as models

    runs = {}
    sandbox = choose()
    for name in editions.names():
        edition = editions.get(name)
        solution = Solution(edition, sandbox, read_solution(edition))
        reference_json = solution.answer("ResNet50", "default")
        runs[name] = reference_losses(models.rebuild(reference_json).to_json())
    return runs
