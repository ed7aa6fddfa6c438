"""Auto-grader for the ResNet-50 "Residual Networks" assignment.

``grade(path)`` runs a notebook's graded functions in a Jupyter kernel and
returns a ``GradeReport``; ``grader.reports.render`` turns one into text or
Gradescope's results.json. A notebook passes through these modules, in order::

    notebook   the file read and checked; its graded cells (recognise: their
               edition; editions: each edition as data; probes: the calls)
    submission the cells run in a kernel: job (the work and its progress),
               kernels (each grading's kernel, on a thread), execute (one
               kernel fed cells), sandbox (limits, jail_plan, watchdog; jail,
               its launcher), kernel_side (the only code sent to the kernel)
    protocol   what the kernel hands back: CellOutcome, ProbeAnswer, KernelRun
    models     the student's models rebuilt safely (graph: their layer graphs,
               graph_read and graph_window; reference: the grader's own ResNet-50)
    judge      Expected and Judge: what the checks compare, built once
    checks     the checks table and run_checks, which makes CheckResults
    report     CheckResult and GradeReport: plain data, totals derived
    render     text, results.json, gradebook, feedback, JUnit

``grade`` (in ``grading``) runs that chain for one notebook; ``batch`` (many
submissions), ``cli`` (its subcommands in ``commands``) and ``gradescope``
(the autograder bundle) sit on top.
Beside it:
``errors`` (the error tree), ``files`` (temporary folders, log tails),
``assign`` (the student notebook from the solution), ``release`` and
``handout_code`` (the hand-out) and ``public`` (the notebook's own checks, run
in the student's kernel).
"""

# Under a private name, as every public name here is in __all__; not
# "TYPE_CHECKING as _TYPE_CHECKING", which type checkers would not recognise.
import typing as _typing

from grader.errors import AssignError, GraderError, KernelError, NotebookError
from grader.reports.results import CheckResult, GradeReport

if _typing.TYPE_CHECKING:
    from grader.grading import grade

__all__ = [
    "AssignError",
    "CheckResult",
    "GradeReport",
    "GraderError",
    "KernelError",
    "NotebookError",
    "grade",
]

# Type checkers see ``grade`` imported above and not this hook, which they
# would take as the type of every name they cannot find.
if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        # ``grade`` lives in grader.grading (a submodule named grade would
        # bind its own name over the function once imported) and pulls in
        # nbclient: imported when asked for, so that modules such as
        # grader.kernel.protocol import nothing but the standard library.
        if name == "grade":
            from grader.grading import grade

            return grade
        raise AttributeError(name)
