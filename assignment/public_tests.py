"""Public checks for the Residual Networks assignment, run from the notebook.

Each ``*_test`` function runs the checks of one graded function that you can
see: the same checks, with the same messages, as the auto-grader's (and as
``grader check NOTEBOOK``). It prints one line per check and raises
``AssertionError`` with the first failure, or prints ``All tests passed.``.
On submission the grader also runs hidden checks: other arguments than the
notebook's examples, and a short training run.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["convolutional_block_test", "identity_block_test", "resnet50_test"]

NO_GRADER = (
    "the public checks come with the grader: install it in this environment "
    "(`pip install -e .` in the course repository) and restart the kernel"
)


def _run(function: str, target: Callable) -> None:
    try:
        from grader.public import check_function
        from grader.render import render_checks
    except ImportError as exc:
        raise ImportError(NO_GRADER) from exc
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
