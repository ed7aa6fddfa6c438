"""A batch graded on a Dask cluster: each notebook's bytes sent to a worker.

The Dask worker runs ``grader.batch.workers.grade_bytes``: one child
process per notebook, as ``grade_file`` starts here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grader.batch.options import Options
from grader.batch.workers import Finish, Verdict, grade_bytes
from grader.errors import GraderError
from grader.notebooks.discover import Submission, file_name
from grader.reports.results import ERROR


def run_on_cluster(
    todo: Sequence[tuple[int, Submission]],
    options: Options,
    finish: Finish,
    *,
    scheduler: str,
) -> None:
    """Grade ``todo`` on the workers of the Dask cluster at ``scheduler``.

    A task that fails (a worker died) is an ``error``; Ctrl-C cancels the
    tasks not finished and re-raises.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise GraderError(
            "--scheduler needs Dask's distributed package: "
            "pip install 'resnet-grader[dask]'"
        ) from None
    # distributed has annotations but leaves some functions untyped.
    try:
        client = Client(scheduler, timeout="15s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise GraderError(
            f"{scheduler}: cannot reach the Dask scheduler ({exc})"
        ) from None
    with client:
        futures: dict[Any, int] = {}
        for index, submission in todo:
            data = submission.path.read_bytes()
            future = client.submit(
                grade_bytes,
                submission.student,
                data,
                options,
                str(submission.path),
                pure=False,
                key=f"grade-{file_name(submission.student)}-{index}",
            )
            futures[future] = index
        try:
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                try:
                    verdict = future.result()
                except Exception as exc:  # a worker died or the task failed
                    verdict = Verdict(ERROR, f"the Dask task failed: {exc}")
                finish(futures[future], verdict)
        except BaseException:
            client.cancel(list(futures))  # type: ignore[no-untyped-call]
            raise
