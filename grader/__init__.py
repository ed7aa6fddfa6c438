"""Auto-grader for the ResNet-50 "Residual Networks" assignment.

``grade(path)`` runs a notebook's graded functions in a Jupyter kernel and
returns a ``GradeReport``; ``grader.reports.render`` turns one into text or
Gradescope's results.json. The package is a folder per concept, each
importing only those listed before it::

    errors, version, files  the package's own words: its errors, its version,
                            its temporary folders and whole-or-nothing writes
    reports       results as plain data (totals derived), points, renderers
    editions      each edition as data, and the calls (probes) it makes
    sandbox       the kernel's sandbox, its limits and launcher
    notebooks     a notebook read once into a ``Notebook``, its edition
                  recognised; the notebooks of a folder, one student id each
    kernel        a submission's cells run in the sandboxed kernel, and the
                  protocol of what comes back
    models        models rebuilt safely from their configuration; graphs
    judging       the expected values, the reference, the checks
    grading       ``grade``: read, run, judge, report, each once, in order
    distribution  the hand-out, the student notebook, Gradescope's bundle,
                  the public checks, an instructor's edition
    similarity    the evidence two notebooks share
    batch         many submissions, every result kept (or on Dask)
    service       the grading service and its database
    commands      the ``grader`` command line
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
