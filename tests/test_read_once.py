"""A grading reads its notebook once, and nothing after reading goes back.

``grade()`` opens the notebook's file once (an audit hook counts every
``open`` of it in this process) and, once the kernel has been asked for,
no code of ``grader/notebooks/`` runs again on any thread of the grading
process (a profile hook records, in order, which concept's code each call
enters). A real grading: the solution, in the sandboxed kernel.
"""

from __future__ import annotations

import shutil
import sys
import threading
from pathlib import Path
from types import FrameType

import pytest

from tests.conftest import SOLUTION

GRADER = Path(__file__).resolve().parent.parent / "grader"
WATCHED = ("notebooks", "kernel", "judging", "reports")

_opened: list[str] = []
_counting: list[str] = []  # the path whose opens count; empty: none


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open" and _counting and str(args[0]) == _counting[0]:
        _opened.append(event)


sys.addaudithook(_audit)  # an audit hook stays for the process: gated above


class Calls:
    """The concepts that calls enter, in order, across the grading's threads."""

    def __init__(self) -> None:
        self.entered: list[str] = []
        self._lock = threading.Lock()
        self._folders = {str(GRADER / name): name for name in WATCHED}

    def __call__(self, frame: FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        folder = str(Path(frame.f_code.co_filename).parent)
        concept = self._folders.get(folder)
        if concept is not None:
            with self._lock:
                self.entered.append(concept)

    def __enter__(self) -> Calls:
        threading.setprofile(self)
        sys.setprofile(self)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]


@pytest.mark.xdist_group("read-once")
def test_grade_reads_the_notebook_once_and_never_goes_back(tmp_path: Path) -> None:
    import grader.judging.checks  # noqa: F401  (TensorFlow, imported before: not watched)
    from grader.grading import grade

    notebook = tmp_path / "Residual_Networks.ipynb"
    shutil.copy(SOLUTION, notebook)
    _counting.append(str(notebook))
    try:
        with Calls() as calls:
            report = grade(str(notebook), functions=["identity_block"])
    finally:
        _counting.clear()
    assert report.score == report.max_score > 0
    assert len(_opened) == 1
    first_kernel = calls.entered.index("kernel")
    assert "notebooks" in calls.entered[:first_kernel]
    assert "notebooks" not in calls.entered[first_kernel:]
    assert {"judging", "reports"} <= set(calls.entered[first_kernel:])
