"""Errors raised when the grader cannot grade at all.

A submission that runs badly is never an error: it becomes a report with
failed checks. These are for the cases where no report can be made::

    GraderError
    ├── NotebookError(GraderError, ValueError)    the file is not a readable notebook
    │   └── NotAssignmentError                    a notebook without this assignment
    │       └── OtherEditionError                 functions of different editions
    ├── AssignError(GraderError, ValueError)      a solution cannot be turned into stubs
    ├── KernelError(GraderError, RuntimeError)    the Jupyter kernel would not start
    ├── CheckError(GraderError, RuntimeError)     checks the grader could not run: its
    │                                             fault, so no score (status ``error``)
    ├── ProtocolError(GraderError, RuntimeError)  inside a check: the kernel's
    │                                             answers were lost (a CheckError's)
    ├── SandboxError(GraderError, RuntimeError)   a required sandbox is unavailable
    ├── TemplateError(GraderError, ValueError)    an instructor's page template is wrong
    └── Interrupted                               a batch was stopped (Ctrl-C, SIGTERM),
                                                  with the results that had finished

All are defined here but ``Interrupted``, which lives in ``grader.batch``
with the results it carries.
"""

from __future__ import annotations

NO_SUCH_FILE = "{path}: no such file"
IS_A_DIRECTORY = "{path}: is a directory, not a notebook file"
NOT_A_FILE = "{path}: not a regular file (a device, pipe or socket), not a notebook"
UNREADABLE = "{path}: cannot be read ({reason})"
TOO_LARGE = (
    "{path}: {size} is too large to grade (the limit is {limit}); saved outputs "
    "make most of a notebook this large: clear them (Edit > Clear Outputs of All "
    "Cells, or jupyter nbconvert --clear-output --inplace {name}) and save it again"
)
EMPTY_FILE = (
    "{path}: the file is empty ({size} bytes), not a notebook; save the notebook "
    "in Jupyter and submit that file"
)
NOT_UTF8 = (
    "{path}: not a Jupyter notebook: byte {byte} on line {line} is not UTF-8 text, "
    "which Jupyter always saves; if another editor changed the file, save it from "
    "that editor as UTF-8"
)
NOT_JSON = "{path}: not a Jupyter notebook (not valid JSON: {reason})"
TRUNCATED = (
    "{path}: not a Jupyter notebook (not valid JSON: {reason}): the file stops "
    "part-way, as if cut off while being saved, uploaded or copied; submit a "
    "complete copy"
)
NOT_A_NOTEBOOK = "{path}: not a Jupyter notebook ({reason})"
EMPTY_NOTEBOOK = (
    "{path}: the notebook has no cells; submit the Residual Networks notebook "
    "with your work in it"
)
NO_GRADED_FUNCTIONS = (
    "{path}: this is not the Residual Networks assignment: no cell defines "
    "identity_block, convolutional_block or ResNet50"
)
OTHER_SIGNATURES = (
    "{path}: this is not the version of the Residual Networks assignment that "
    "this grader grades: {details}"
)
MIXED_EDITIONS = (
    "{path}: not graded: the graded functions are of different editions of the "
    "Residual Networks assignment: {clues}; write every function of one edition "
    "(or grade with --edition NAME)"
)
TIED_EDITIONS = (
    "{path}: not graded: its graded functions fit the {candidates} editions of "
    "the Residual Networks assignment equally well ({clues}); grade it with "
    "--edition NAME"
)
NO_EDITION = (
    "{path}: not graded: its graded functions fit no edition of the Residual "
    "Networks assignment that this grader knows ({known}): {clues}; grade it "
    "with --edition NAME to be told what each function lacks"
)
NOT_THIS_EDITION = (
    "{path}: not graded: this is the {found} edition of the Residual Networks "
    "assignment ({description}), and this course grades the {wanted} edition; "
    "submit the notebook you were handed out"
)
KERNEL_WOULD_NOT_START = "the Python kernel would not start: {reason}"
CHECKS_NOT_RUN = (
    "{path}: not graded: the grader could not run {count} of its checks ({first}); "
    "this is a fault of the grader, not of the notebook, so no score is given: "
    "grade it again once the grader is fixed"
)
CONTACT_STAFF = (
    "not graded: the autograder failed on this submission. This is a fault of "
    "the autograder, not of your notebook, and your work is safe. Please "
    "contact the course staff: they can regrade it once the autograder is fixed."
)
PROTOCOL_BROKE = (
    "the kernel's answers for {function} could not be read, though the call "
    "that makes them ended without a time-out"
)
REGION_NOT_ASSIGNMENTS = (
    "{cell}: line {line} inside START/END is not an assignment; "
    "stubs can only be made from `name = ...` statements"
)
UNBALANCED_REGION = "{cell}: START CODE HERE and END CODE HERE markers do not pair up"
NO_TEMPLATE_FOLDER = "{path}: no such folder of page templates"
TEMPLATE_SYNTAX = "{path}, line {line}: not a valid Jinja2 template: {reason}"
TEMPLATE_FAILED = "{path}: the page template failed: {reason}"


class GraderError(Exception):
    """Base class: the grader itself could not do what it was asked."""


class NotebookError(GraderError, ValueError):
    """The file is missing, unreadable, or not a Jupyter notebook."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path


class NotAssignmentError(NotebookError):
    """The notebook is readable but holds another assignment (or version), or none."""


class OtherEditionError(NotAssignmentError):
    """The notebook's graded functions are of different editions of the assignment.

    Each edition (``grader.editions``) is told by the blocks' parameters; a
    notebook whose blocks show different ones cannot be graded as either.
    """


class AssignError(GraderError, ValueError):
    """A solution notebook cannot be turned into a student notebook."""

    def __init__(self, message: str, *, cell: str) -> None:
        super().__init__(message)
        self.cell = cell


class KernelError(GraderError, RuntimeError):
    """The Jupyter kernel that runs student code could not be started."""


class CheckError(GraderError, RuntimeError):
    """The grader could not run some checks of a submission.

    A check that raised (its reference failed, a bug) or whose answers the
    kernel's protocol lost says nothing about the notebook: the submission
    gets no score (status ``error``) and is graded again by a later run.
    ``faults`` holds, per check, its title and what went wrong.
    """

    def __init__(self, message: str, *, path: str, faults: tuple[str, ...]) -> None:
        super().__init__(message)
        self.path = path
        self.faults = faults


class ProtocolError(GraderError, RuntimeError):
    """The kernel's answers could not be read though its call ended normally.

    Raised inside a check (``grader.judging.judge.Judge.answer``), where it becomes
    one of a ``CheckError``'s faults.
    """


class SandboxError(GraderError, RuntimeError):
    """The sandbox was required (``--require-sandbox``) but cannot be built."""


class TemplateError(GraderError, ValueError):
    """A page template from the instructor's folder cannot draw its page.

    ``path`` is the template's file (or the folder, where it is missing).
    """

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path
