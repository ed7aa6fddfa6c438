"""Public checks for the Residual Networks assignment, run from the notebook.

Each ``*_test`` function runs the checks of one graded function that you can
see: the same checks, with the same messages, as the auto-grader's (and as
``grader check NOTEBOOK``). It prints one line per check and raises
``AssertionError`` with the first failure, or prints ``All tests passed.``.
On submission the grader also runs hidden checks: other arguments than the
notebook's examples, and a short training run. Where the course runs a
grading service, ``submit()`` sends the saved notebook to it and prints the
grade.

The checks' code is the folder ``resnet_checks/`` beside this file in the
hand-out (``grader release`` copies it from the grader), or the grader itself
where it is installed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.util import find_spec
from os import PathLike
from types import ModuleType

__all__ = [
    "convolutional_block_test",
    "identity_block_test",
    "resnet50_test",
    "submit",
]

CHECKS_PACKAGES = ("resnet_checks", "grader")
"""Where the checks' code may be: the hand-out's own copy first, then the grader."""
NO_CHECKS = (
    "the public checks' code is missing: keep the folder resnet_checks/ that came "
    "with this notebook beside it (or install the grader in this environment) and "
    "restart the kernel"
)


def _module(name: str) -> ModuleType:
    for package in CHECKS_PACKAGES:
        if find_spec(package) is not None:
            return importlib.import_module(f"{package}.{name}")
    raise ImportError(NO_CHECKS)


def _checks() -> tuple[Callable, Callable]:
    public, render = _module("distribution.public"), _module("reports.render")
    return public.check_function, render.render_checks


def _run(function: str, target: Callable) -> None:
    check_function, render_checks = _checks()
    results = check_function(function, target)
    print(function)
    print("\n".join(render_checks(results)))
    failed = [result for result in results if not result.passed]
    if failed:
        raise AssertionError(f"{failed[0].title}: {failed[0].message}")
    print("All tests passed.")


def identity_block_test(target: Callable) -> None:
    """Check ``identity_block`` on the notebook's example."""
    _run("identity_block", target)


def convolutional_block_test(target: Callable) -> None:
    """Check ``convolutional_block`` on the notebook's example (s=2)."""
    _run("convolutional_block", target)


def resnet50_test(target: Callable) -> None:
    """Check ``ResNet50()``: parameters, output, the layer table, names, settings."""
    _run("ResNet50", target)


def submit(
    notebook: str | PathLike[str] | None = None,
    *,
    server: str | None = None,
    token: str | None = None,
    wait: float = 900,
) -> dict | None:
    """Send the saved notebook to your course's grading service; print the grade.

    Save the notebook first: the service grades the saved file. ``server``
    and ``token`` are what your instructor gave you (or set the environment
    variables ``GRADER_SERVER`` and ``GRADER_TOKEN``); ``notebook`` is the
    file (default: this one). It waits up to ``wait`` seconds for the
    grade, then prints the score and the address of the feedback page, or
    one line that says what went wrong.
    """
    module = _module("distribution.submit")
    return module.submit(notebook, server=server, token=token, wait=wait)
