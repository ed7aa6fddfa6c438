"""The public checks, as students run them from their own notebook.

``assignment/public_tests.py`` calls ``check_function`` with the function the
student just defined. It builds the same models the grader's kernel builds
for the calls the notebook shows, and runs the grader's own visible checks on
them, so the notebook, ``grader check`` and ``grader grade`` give the same
message for the same mistake. This runs in the student's kernel, on the
student's own code; grading never imports this module.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from grader.reports.results import CheckResult

EDITION: str | None = None
"""The edition whose checks these are: None, the 2020 edition's; ``grader
release`` writes the handed-out edition's name here in the hand-out's copy."""


def check_function(
    function: str, target: Callable[..., object] | None
) -> list[CheckResult]:
    """Run the visible checks of the graded ``function`` on ``target``."""
    from grader.editions.probes import payload
    from grader.judging.checks import run_checks, select
    from grader.judging.judge import Expected, Judge
    from grader.kernel.kernel_side import probe_answers
    from grader.kernel.protocol import KernelRun, parse_answers
    from grader.notebooks.read import GradedCell

    try:
        source = inspect.getsource(target) if target is not None else ""
    except (OSError, TypeError):
        source = ""  # defined where Python keeps no source: judge by behaviour
    from grader.editions import DEFAULT, get

    edition = get(EDITION or DEFAULT)
    marked = None if edition.name == DEFAULT else edition.name
    cell = GradedCell(function, 0, source, True, marked)
    # The hand-out's probes module holds its edition's visible probes.
    calls = payload(function, visible_only=True)
    keys = {call["key"] for call in calls}
    # The same schema as the kernel's answer files: the student's code made these.
    answers = [] if cell.is_stub else parse_answers(probe_answers(target, calls), keys)
    run = KernelRun(cells={}, answers={function: answers}, probe_cells={})
    judge = Judge(run, {function: cell}, Expected.load(edition), edition)
    return run_checks(judge, select((function,), visible_only=True, edition=edition))
