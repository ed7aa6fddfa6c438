"""``grade_many``: a batch from the paths given to the files it leaves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from grader.batch.cluster import run_on_cluster
from grader.batch.options import Options
from grader.batch.outputs import write_outputs
from grader.batch.progress import Progress
from grader.batch.store import Store, content_hash
from grader.batch.workers import Verdict, run_here
from grader.errors import GraderError
from grader.judging import cache
from grader.notebooks.discover import Submission, find_submissions
from grader.reports.points import Policy, rescore
from grader.reports.results import SubmissionResult
from grader.reports.tally import Tally
from grader.reports.templating import check_templates
from grader.sandbox.choice import choose
from grader.version import grader_version

#: Where a batch's files go when no ``out`` is given.
DEFAULT_OUT = Path("grader-results")


class Interrupted(GraderError):
    """The batch was stopped (Ctrl-C, SIGTERM).

    ``results`` holds what had finished, all of it stored and written out;
    ``total`` is how many submissions the batch had.
    """

    def __init__(self, results: list[SubmissionResult], total: int) -> None:
        super().__init__("interrupted")
        self.results = results
        self.total = total


def grade_many(
    paths: Sequence[str | Path],
    *,
    out: Path = DEFAULT_OUT,
    options: Options | None = None,
    jobs: int = 1,
    force: bool = False,
    scheduler: str | None = None,
    progress: TextIO | None = None,
    points: Policy | None = None,
) -> list[SubmissionResult]:
    """Grade the notebooks named by ``paths`` and write the batch's files.

    ``paths`` are read by ``find_submissions``. Each result is kept in
    ``OUT/results/``; a submission whose notebook, grader and options are
    unchanged since then is not graded again (unless ``force``). ``jobs``
    children grade at once on this machine; with ``scheduler`` (a Dask
    scheduler's address) the cluster's workers grade instead. Progress,
    a line per submission, goes to ``progress`` (standard error, for the
    command). Scores follow the points policy ``points`` (default: the
    checks table's own); a kept result scored under another policy is
    re-scored, not graded again (``grader.reports.points``). Then the gradebook,
    feedback, Gradescope and JUnit files are written (``write_outputs``).
    Results come back in the order of the submissions.

    Raises ``GraderError`` before grading anything where the sandbox is
    required but unavailable, the paths name no notebook, ``out`` cannot
    be made or ``options.templates`` cannot draw the pages; Ctrl-C stops the
    children, writes the files for what had finished and raises
    ``Interrupted``.
    """
    options = options or Options()
    # A template that cannot draw its page is found now, not after the batch.
    check_templates(options.templates)
    # Refuse now, not once per submission, where the sandbox is required.
    choose(
        require=options.require_sandbox,
        disable=options.no_sandbox,
        kernel_user=options.kernel_user,
        limits=options.limits,
    )
    submissions = find_submissions(paths)
    try:
        # Other users (a kernel running as one) see no one's results.
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise GraderError(f"{out}: cannot create the folder ({exc})") from None
    display = None
    if progress is not None:
        where = (
            f"on the Dask cluster at {scheduler}"
            if scheduler
            else f"{min(jobs, len(submissions))} at a time"
        )
        print(f"grading {len(submissions)} submissions {where}", file=progress)
        display = Progress(len(submissions), progress)
    stopped = None
    try:
        with cache.for_batch(out):
            results = _grade(
                submissions,
                Store(out),
                options,
                points or Policy(),
                jobs,
                force,
                scheduler,
                display,
            )
    except Interrupted as stop:
        results, stopped = stop.results, stop
    finally:
        if display is not None:
            display.close()
    write_outputs(out, results, templates=options.templates)
    if stopped is not None:
        raise stopped
    return results


def _grade(
    submissions: Sequence[Submission],
    store: Store,
    options: Options,
    policy: Policy,
    jobs: int,
    force: bool,
    scheduler: str | None,
    display: Progress | None,
) -> list[SubmissionResult]:
    """Reuse or grade each submission, storing each new or re-scored result."""
    tally = Tally(total=len(submissions))
    results: dict[int, SubmissionResult] = {}
    todo: list[tuple[int, Submission]] = []
    hashes = [content_hash(submission.path) for submission in submissions]

    def finish(index: int, result: SubmissionResult) -> None:
        rescored = scored(result, policy)
        if not result.reused or rescored is not result:
            store.save(rescored)
        result = rescored
        results[index] = result
        tally.add(result)
        if display is not None:
            display(result, tally)

    def graded(index: int, verdict: Verdict) -> None:
        finish(index, _result(submissions[index], hashes[index], options, verdict))

    for index, submission in enumerate(submissions):
        sha256 = hashes[index]
        stored = None if force else store.reusable(submission.student, sha256, options)
        if stored is not None:
            finish(index, stored)
        else:
            todo.append((index, submission))

    try:
        if scheduler:
            run_on_cluster(todo, options, graded, scheduler=scheduler)
        else:
            run_here(todo, options, graded, jobs=jobs)
    except KeyboardInterrupt:
        raise Interrupted(
            [results[i] for i in sorted(results)], len(submissions)
        ) from None
    return [results[i] for i in sorted(results)]


def scored(result: SubmissionResult, policy: Policy) -> SubmissionResult:
    """The result with its points under ``policy``: itself where they already are.

    Points are a function of each check's credit, which the policy does not
    change, so re-scoring gives what grading again would.
    """
    if result.policy == policy.key():
        return result
    if result.report is None:
        return replace(result, policy=policy.key())
    # The checks table imports TensorFlow: only where points change.
    from grader.editions import get
    from grader.judging.checks import table

    report = rescore(result.report, policy.apply(table(get(result.report.edition))))
    return replace(result, report=report, policy=policy.key())


def _result(
    submission: Submission, sha256: str, options: Options, verdict: Verdict
) -> SubmissionResult:
    """A verdict as the batch stores it: who, which file and which grader.

    The file is named as below the folder graded, in the messages too: the
    results are shown to students, not where the instructor keeps them.
    """
    report = verdict.report
    if report is not None:
        # The child saw the notebook under another name where a Dask
        # worker graded a copy.
        report = replace(report, notebook=submission.shown)
    return SubmissionResult(
        student=submission.student,
        notebook=submission.shown,
        path=str(submission.path),
        sha256=sha256,
        status=verdict.status,
        message=submission.rename(verdict.message),
        report=report,
        seconds=verdict.seconds,
        grader=grader_version(),
        options=options.key(),
    )
