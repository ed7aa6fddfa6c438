"""Auto-grader for the ResNet-50 "Residual Networks" assignment.

``grade(path)`` runs a notebook's graded functions in a Jupyter kernel and
returns a ``GradeReport``; ``grader.render`` turns one into text or
Gradescope's results.json. A notebook passes through these modules, in order::

    notebook   the file read and checked; its graded cells (probes: the calls)
    execute    the cells run in a kernel: sandbox, jail (its launcher),
               kernel_side (the only code sent to the kernel)
    protocol   what the kernel hands back: CellOutcome, ProbeAnswer, KernelRun
    models     the student's models rebuilt safely (graph: their layer graphs,
               reference: the grader's own ResNet-50)
    judge      Expected and Judge: what the checks compare, built once
    checks     the checks table and run_checks, which makes CheckResults
    report     CheckResult and GradeReport: plain data, totals derived
    render     text, results.json, gradebook, feedback, JUnit

``grade`` runs that chain for one notebook; ``batch`` (many submissions),
``cli`` and ``gradescope`` (the autograder bundle) sit on top. Beside it:
``errors`` (the error tree), ``files`` (temporary folders, log tails),
``assign`` (the student notebook from the solution) and ``public`` (the
notebook's own checks, run in the student's kernel).
"""

from grader.errors import AssignError, GraderError, KernelError, NotebookError

# Imported here, not lazily: importing the submodule grader.grade binds its
# name on the package, so a lazy lookup gave the function once and the module
# after. It costs nbclient's import (about 0.5 s), not TensorFlow's.
from grader.grade import grade
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
