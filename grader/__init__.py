"""Auto-grader for the ResNet-50 "Residual Networks" assignment.

``grade(path)`` runs a notebook's graded functions in a Jupyter kernel and
returns a ``GradeReport``; ``grader.render`` turns one into text or
Gradescope's results.json.
"""

from grader.errors import AssignError, GraderError, KernelError, NotebookError
from grader.report import CheckResult, GradeReport

__all__ = [
    "AssignError",
    "CheckResult",
    "GradeReport",
    "GraderError",
    "KernelError",
    "NotebookError",
    "grade",
]


def __getattr__(name: str):
    # ``grade`` pulls in TensorFlow; import it only when asked for.
    if name == "grade":
        from grader.grade import grade

        return grade
    raise AttributeError(name)
