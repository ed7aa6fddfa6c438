"""The checks, as a table, and ``run_checks``, which runs them.

Every check is a row: its function, points, whether students see it before
the deadline, and a function of the ``Judge`` (``grader.judge``) that returns
a short message on success or raises ``Failure`` with one a student can act
on. ``run_checks`` turns anything a check raises into a failed result, so one
broken function never stops the others from being graded.

The visible checks are written here; the hidden ones live in
``grader.hidden``, imported only when one runs, so that the hand-out
(``grader release``) ships this table and the visible checks without them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader import graph as graphs
from grader import models
from grader.judge import Failure, Judge
from grader.report import CheckResult, GraphWindow, earned

SEEDED_HINT = "first difference from the reference: {difference}"
MORE = " (and {count} more)"
NAMES_RIGHT = "{right} of {total} names right: "


@dataclass(frozen=True)
class Check:
    """One row of the checks table."""

    function: str
    name: str
    points: float
    visible: bool
    run: Callable[[Judge], str]
    #: Timed as a phase of its own (``--timings``), apart from its function's.
    timed_alone: bool = False

    @property
    def title(self) -> str:
        """The name shown in reports: ``function: check``."""
        return f"{self.function}: {self.name}"


# --- the blocks -------------------------------------------------------------


def _first_differences(differences: list[graphs.Difference], limit: int = 3) -> str:
    shown = "; ".join(d.text for d in differences[:limit])
    if len(differences) > limit:
        shown += MORE.format(count=len(differences) - limit)
    return shown


def _window(
    graph: graphs.Graph, reference: graphs.Graph, difference: graphs.Difference
) -> GraphWindow | None:
    """The layers around ``difference`` for the feedback's picture, or None.

    The picture is an extra: should drawing up its window fail, the check
    keeps its message rather than becoming "the grader could not run this
    check".
    """
    try:
        return graphs.window(graph, reference, difference)
    except Exception:
        return None


def _block_seeded(function: str) -> Callable[[Judge], str]:
    def check(judge: Judge) -> str:
        model = judge.model(function, "seeded")
        expected_shape = tuple(judge.reference(function, "seeded").output.shape)
        if tuple(model.output.shape) != expected_shape:
            raise Failure(
                f"output shape {tuple(model.output.shape)}, expected {expected_shape}"
            )
        models.set_seeded_weights(model)
        x = np.random.RandomState(1).randn(3, 4, 4, 6).astype("float32")
        out = np.asarray(model(x, training=False))[1][1][0]
        want = np.array(judge.expected.seeded[function])
        if not np.allclose(out, want, rtol=0, atol=judge.expected.tolerance):
            message = f"out[1][1][0] is {np.round(out, 8)}, expected {want}"
            differences = graphs.compare(
                judge.graph(function, "seeded"),
                judge.reference_graph(function, "seeded"),
            )
            if differences:
                message += "; " + SEEDED_HINT.format(difference=differences[0].text)
            raise Failure(message)
        return f"out[1][1][0] = {np.round(out, 8)} as expected"

    return check


def _names(
    function: str, key: str, expected: Callable[[Judge], graphs.Graph]
) -> Callable[[Judge], str]:
    def check(judge: Judge) -> str:
        wanted = expected(judge)
        problems = graphs.name_problems(judge.graph(function, key), wanted)
        total = len(wanted.named_layers())
        if problems:
            shown = "; ".join(problem.text for problem in problems[:5])
            if len(problems) > 5:
                shown += MORE.format(count=len(problems) - 5)
            if any(problem.missing for problem in problems):
                # A named layer is not there at all: the structure is wrong
                # (or the function cut short, where the assignment's own
                # pre-filled names would earn false credit). Nothing is due.
                raise Failure(shown)
            # Every layer is there and each name is worth its share: one
            # unnamed avg_pool among ResNet50's 108 names costs a 108th.
            right = total - len(problems)
            raise Failure(
                NAMES_RIGHT.format(right=right, total=total) + shown,
                credit=right / total,
            )
        return f"all {total} names as expected"

    return check


def _structure(function: str, key: str, **fields: bool) -> Callable[[Judge], str]:
    def check(judge: Judge) -> str:
        graph = judge.graph(function, key)
        wanted = judge.reference_graph(function, key)
        differences = graphs.compare(graph, wanted, **fields)
        if differences:
            raise Failure(
                _first_differences(differences),
                window=_window(graph, wanted, differences[0]),
            )
        return "layers, connections and settings as expected"

    return check


def _hidden(check: str, *arguments: Any) -> Callable[[Judge], str]:
    """The hidden check ``grader.hidden.<check>(judge, *arguments)``.

    The module is imported when the check runs, not with this table: the
    hand-out has the table but not ``grader/hidden.py``.
    """

    def run(judge: Judge) -> str:
        from grader import hidden

        result: str = getattr(hidden, check)(judge, *arguments)
        return result

    return run


# --- ResNet50 ---------------------------------------------------------------


def _parameter_counts(judge: Judge) -> str:
    counts = models.parameter_counts(judge.model("ResNet50", "default"))
    labels = ("total", "trainable", "non-trainable")
    wrong = [
        f"{label} {got:,}, expected {want:,}"
        for label, got, want in zip(labels, counts, judge.expected.params, strict=True)
        if got != want
    ]
    if wrong:
        raise Failure("parameters: " + "; ".join(wrong))
    return "{:,} / {:,} / {:,} parameters".format(*counts)


def _softmax_output(judge: Judge) -> str:
    model = judge.model("ResNet50", "default")
    if tuple(model.output.shape) != (None, 6):
        raise Failure(f"output shape {tuple(model.output.shape)}, expected (None, 6)")
    x = np.random.default_rng(3).uniform(size=(2, 64, 64, 3)).astype("float32")
    out = np.asarray(model(x, training=False))
    if not (np.all(out >= 0) and np.allclose(out.sum(axis=1), 1, atol=1e-4)):
        raise Failure(
            "the outputs are not probabilities (each row should sum to 1): "
            "the last layer should use a softmax activation"
        )
    return "6 class probabilities per image"


def _table(judge: Judge) -> graphs.Graph:
    return judge.expected.table


def _reference_of(function: str, key: str) -> Callable[[Judge], graphs.Graph]:
    return lambda judge: judge.reference_graph(function, key)


def _table_check(judge: Judge) -> str:
    graph = judge.graph("ResNet50", "default")
    differences = graphs.compare(
        graph, judge.expected.table, shapes=True, params=True, settings=False
    )
    if differences:
        raise Failure(
            _first_differences(differences),
            window=_window(graph, judge.expected.table, differences[0]),
        )
    return f"all {len(judge.expected.table.layers)} layers match the assignment's table"


def _block_checks(function: str) -> list[Check]:
    return [
        Check(function, "seeded output", 8, True, _block_seeded(function)),
        Check(
            function,
            "layer names",
            4,
            True,
            _names(function, "seeded", _reference_of(function, "seeded")),
        ),
        Check(
            function,
            "layers and settings",
            8,
            True,
            _structure(function, "seeded", shapes=True),
        ),
        Check(
            function,
            "hidden inputs, inference",
            5,
            False,
            _hidden("outputs", function, False),
        ),
        Check(
            function,
            "hidden inputs, training",
            5,
            False,
            _hidden("outputs", function, True),
        ),
    ]


CHECKS: tuple[Check, ...] = (
    *_block_checks("identity_block"),
    *_block_checks("convolutional_block"),
    Check("ResNet50", "parameter counts", 5, True, _parameter_counts),
    Check("ResNet50", "softmax output", 5, True, _softmax_output),
    Check("ResNet50", "layer table", 10, True, _table_check),
    Check("ResNet50", "layer names", 5, True, _names("ResNet50", "default", _table)),
    Check(
        "ResNet50",
        "layers and settings",
        5,
        True,
        _structure("ResNet50", "default"),
    ),
    Check(
        "ResNet50",
        "input_shape and classes",
        5,
        False,
        _hidden("honours_arguments"),
    ),
    Check(
        "ResNet50",
        "short training run",
        5,
        False,
        _hidden("training_run"),
        timed_alone=True,
    ),
)


def select(
    functions: Collection[str], *, visible_only: bool = False
) -> tuple[Check, ...]:
    """The rows of ``CHECKS`` for the graded ``functions``, in table order.

    With ``visible_only``, only the checks students see (what ``grader check``
    and the notebook's public checks run).
    """
    return tuple(
        check
        for check in CHECKS
        if check.function in functions and (check.visible or not visible_only)
    )


def run_checks(judge: Judge, checks: tuple[Check, ...] = CHECKS) -> list[CheckResult]:
    """Run every check; a failure or a crash of one is a result, not an exception."""
    results = []
    for check in checks:
        window = None
        try:
            message, credit = check.run(judge), 1.0
        except Failure as exc:
            message, credit, window = str(exc), exc.credit, exc.window
        except Exception as exc:  # a grader bug must not hide the other checks
            message = (
                f"the grader could not run this check ({type(exc).__name__}: {exc})"
            )
            credit = 0.0
        results.append(
            CheckResult(
                function=check.function,
                name=check.name,
                max_points=check.points,
                points=earned(check.points, credit),
                message=message,
                visible=check.visible,
                credit=credit,
                window=window,
            )
        )
    return results
