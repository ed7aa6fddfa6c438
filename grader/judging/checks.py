"""The checks, as a table, and ``run_checks``, which runs them.

Every check is a row: its function, points, whether students see it before
the deadline, and a function of the ``Judge`` (``grader.judging.judge``) that returns
a short message on success or raises ``Failure`` with one a student can act
on. ``run_checks`` turns anything a check raises into a failed result, so one
broken function never stops the others from being graded.

The visible checks are written here; the hidden ones live in
``grader.judging.hidden``, imported only when one runs, so that the hand-out
(``grader release``) ships this table and the visible checks without them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from grader.judging.judge import Failure, Judge
from grader.kernel.protocol import ProbeAnswer
from grader.models import graph as graphs
from grader.models import rebuild as models
from grader.models.graph_window import window
from grader.reports.results import CheckResult, GraphWindow, earned

if TYPE_CHECKING:
    from grader.editions import Edition

COULD_NOT_RUN = "the grader could not run this check ({kind}: {error})"
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
    #: What the check reads of the submission, as JSON-able data: its result
    #: is kept under a digest of it (``grader.judging.cache``). None: not kept.
    depends_on: Callable[[Judge], Any] | None = None

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
        return window(graph, reference, difference)
    except Exception:
        return None


EXAMPLE_INPUTS: dict[str, Callable[[tuple[int, ...]], np.ndarray]] = {
    # The seeds': np.random.seed(1); np.random.randn(3, 4, 4, 6).
    "randn-seed-1": lambda shape: np.random.RandomState(1).randn(3, *shape),
    # The later editions': three examples filled with -1, 1 and 3.
    "minus-one-one-three": lambda shape: np.stack(
        [np.full(shape, value) for value in (-1.0, 1.0, 3.0)]
    ),
}
EXAMPLE_OUTPUTS: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "out[1][1][0]": ("out[1][1][0]", lambda out: out[1][1][0]),
    "mean-of-first-and-last-rows": (
        "out[:, (0, -1), :, :].mean(axis=3)",
        lambda out: out[:, (0, -1), :, :].mean(axis=3),
    ),
    # The 2021 edition's convolutional block example compares all of it.
    "out": ("out", lambda out: out),
}
"""What an edition's example prints, by the name its ``expected`` file gives."""


def _values(values: np.ndarray) -> str:
    """Values as a message prints them.

    A vector as NumPy prints it, to 8 decimals (the 2020 edition's); a table
    on one line, to 5 decimals, as the later editions' tests write theirs.
    """
    if values.ndim <= 1:
        return str(np.round(values, 8))
    return np.array2string(
        np.round(values, 5), separator=", ", max_line_width=10**6
    ).replace("\n", "")


def _narrowed(
    shown: str, out: np.ndarray, want: np.ndarray, close: np.ndarray
) -> tuple[str, np.ndarray, np.ndarray]:
    """A whole block output narrowed to one vector for the message.

    72 numbers per mode are more than a message can show: the first position
    whose vector is off (or the first position where all agree), named by
    its indices as the notebook would write it.
    """
    if out.ndim < 4 or out.shape != want.shape:
        return shown, out, want
    off = np.argwhere(~close.all(axis=-1))
    where = tuple(int(i) for i in off[0]) if len(off) else (0,) * (out.ndim - 1)
    at = "".join(f"[{i}]" for i in where)
    return f"{shown}{at}", out[where], want[where]


def _block_seeded(function: str) -> Callable[[Judge], str]:
    def check(judge: Judge) -> str:
        expected = judge.expected
        example = expected.example[function]
        shown, output = EXAMPLE_OUTPUTS[example.output]
        printed = []
        whole = ""
        for key, want_values in expected.examples[function].items():
            model = judge.model(function, key)
            reference = judge.reference(function, key)
            expected_shape = tuple(reference.output.shape)
            if tuple(model.output.shape) != expected_shape:
                raise Failure(
                    f"output shape {tuple(model.output.shape)}, "
                    f"expected {expected_shape}"
                )
            models.set_seeded_weights(model, kernels=example.kernels)
            shape = tuple(int(d) for d in model.input.shape[1:])
            x = EXAMPLE_INPUTS[example.input](shape).astype("float32")
            training = expected.modes.get(key, False)
            out = output(np.asarray(model(x, training=training)))
            if want_values is None:  # nothing published: the solution's output
                models.set_seeded_weights(reference, kernels=example.kernels)
                want_values = output(np.asarray(reference(x, training=training)))
            want = np.array(want_values)
            if want.ndim >= 4:
                whole = f" (all {want.size} values of each output)"
            mode = " with training=True" if training else ""
            close = (
                np.isclose(out, want, rtol=example.rtol, atol=example.atol)
                if out.shape == want.shape
                else np.array(False)
            )
            at, out, want = _narrowed(shown, out, want, close)
            if not np.all(close):
                wanted = want if want.ndim <= 1 else _values(want)
                message = f"{at}{mode} is {_values(out)}, expected {wanted}"
                differences = graphs.compare(
                    judge.graph(function, key), judge.reference_graph(function, key)
                )
                if differences:
                    message += "; " + SEEDED_HINT.format(difference=differences[0].text)
                raise Failure(message)
            printed.append(f"{at}{mode} = {_values(out)}")
        return (
            "; ".join(printed)
            + (" as expected" if len(printed) == 1 else ", as expected")
            + whole
        )

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
    """The hidden check ``grader.judging.hidden.<check>(judge, *arguments)``.

    The module is imported when the check runs, not with this table: the
    hand-out has the table but not ``grader/judging/hidden.py``.
    """

    def run(judge: Judge) -> str:
        from grader.judging import hidden

        result: str = getattr(hidden, check)(judge, *arguments)
        return result

    return run


# --- ResNet50 ---------------------------------------------------------------


def _parameter_counts(judge: Judge) -> str:
    counts = models.parameter_counts(judge.model("ResNet50", "default"))
    labels = ("total", "trainable", "non-trainable")
    wrong = [
        f"{label} {got:,}, expected {want:,}"
        for label, got, want in zip(labels, counts, judge.params(), strict=True)
        if got != want
    ]
    if wrong:
        raise Failure("parameters: " + "; ".join(wrong))
    return "{:,} / {:,} / {:,} parameters".format(*counts)


def _softmax_output(judge: Judge) -> str:
    model = judge.model("ResNet50", "default")
    arguments = judge.probe("ResNet50", "default").kwargs
    classes = int(arguments.get("classes", 6))
    if tuple(model.output.shape) != (None, classes):
        raise Failure(
            f"output shape {tuple(model.output.shape)}, expected (None, {classes})"
        )
    shape = tuple(arguments.get("input_shape", (64, 64, 3)))
    x = np.random.default_rng(3).uniform(size=(2, *shape)).astype("float32")
    out = np.asarray(model(x, training=False))
    if not (np.all(out >= 0) and np.allclose(out.sum(axis=1), 1, atol=1e-4)):
        raise Failure(
            "the outputs are not probabilities (each row should sum to 1): "
            "the last layer should use a softmax activation"
        )
    return f"{classes} class probabilities per image"


def _table(judge: Judge) -> graphs.Graph:
    return judge.table()


def _reference_of(function: str, key: str) -> Callable[[Judge], graphs.Graph]:
    return lambda judge: judge.reference_graph(function, key)


def _table_check(judge: Judge) -> str:
    graph = judge.graph("ResNet50", "default")
    table = judge.table()
    differences = graphs.compare(graph, table, shapes=True, params=True, settings=False)
    if differences:
        raise Failure(
            _first_differences(differences),
            window=_window(graph, table, differences[0]),
        )
    return f"all {len(table.layers)} layers match the assignment's table"


def _implementation(function: str, name: str) -> Callable[[Judge], str]:
    """The code of the check ``name`` of ``function``: what an edition's row runs."""
    block = function != "ResNet50"
    key = "seeded" if block else "default"
    if name == "layer names":
        expected = _reference_of(function, key) if block else _table
        return _names(function, key, expected)
    if name == "layers and settings":
        return (
            _structure(function, key, shapes=True)
            if block
            else _structure(function, key)
        )
    made: dict[str, Callable[[], Callable[[Judge], str]]] = {
        "seeded output": lambda: _block_seeded(function),
        "hidden inputs, inference": lambda: _hidden("outputs", function, False),
        "hidden inputs, training": lambda: _hidden("outputs", function, True),
        "training argument": lambda: _hidden("training_reaches", function),
        "initializer argument": lambda: _hidden("initializer_used", function),
        "parameter counts": lambda: _parameter_counts,
        "softmax output": lambda: _softmax_output,
        "layer table": lambda: _table_check,
        "input_shape and classes": lambda: _hidden("honours_arguments"),
        "short training run": lambda: _hidden("training_run"),
    }
    return made[name]()


# --- what each check reads, for the cache (grader.judging.cache) ---------------------


def answer_data(answer: ProbeAnswer, names: bool) -> dict[str, Any]:
    """One answer as a check reads it; without names, its canonical model."""
    data = asdict(answer)
    if not names and answer.model is not None:
        # A configuration the grader refuses keeps its names: the refusal
        # names the layer.
        data["model"] = _canonical(answer.model) or answer.model
    return data


@lru_cache(maxsize=4)
def _canonical(config_json: str) -> str | None:
    # Several checks of one ResNet50 read the same canonical form.
    return models.canonical_config(config_json)


@dataclass(frozen=True)
class Reads:
    """``depends_on`` for a check that reads the answers of ``keys(judge)``.

    Everything else a check reads (the edition's probes, expected values,
    reference and the grader's code) is in every entry's key already. A
    probe with no answer raises ``Failure``: such a check is not kept.
    """

    function: str
    keys: Callable[[Judge], Collection[str]]
    names: bool = True  # False: each model's canonical form (``answer_data``)

    def __call__(self, judge: Judge) -> list[dict[str, Any]]:
        """The answers, as ``answer_data``, in the order of their keys."""
        return [
            answer_data(judge.answer(self.function, key), self.names)
            for key in sorted(self.keys(judge))
        ]


def _hidden_keys(function: str) -> Callable[[Judge], Collection[str]]:
    """Every hidden probe's key, and the example's, which messages compare."""
    key = "seeded" if function != "ResNet50" else "default"
    return lambda judge: (
        {key} | {spec.key for spec in judge.probes(function) if not spec.visible}
    )


def _depends_on(function: str, name: str) -> Callable[[Judge], Any] | None:
    """What the check ``name`` of ``function`` reads (see ``Reads``).

    A check left out of the table is not kept.
    """
    example = {"seeded" if function != "ResNet50" else "default"}
    hidden = _hidden_keys(function)

    def examples(judge: Judge) -> Collection[str]:
        return judge.expected.examples[function].keys()

    reads: dict[str, tuple[Callable[[Judge], Collection[str]], bool]] = {
        # name: (the probes whose answers it reads, whether it reads names)
        "seeded output": (examples, True),  # its hint names the layer at fault
        "layer names": (lambda judge: example, True),
        "layers and settings": (lambda judge: example, True),
        "layer table": (lambda judge: example, True),
        "hidden inputs, inference": (hidden, True),
        "hidden inputs, training": (hidden, True),
        "training argument": (hidden, True),
        "initializer argument": (hidden, True),
        # These read the model alone: a renamed one is the same to them.
        "parameter counts": (lambda judge: example, False),
        "softmax output": (lambda judge: example, False),
        "input_shape and classes": (lambda judge: {"hidden"}, False),
        "short training run": (lambda judge: example, False),
    }
    if name not in reads:
        return None
    keys, names = reads[name]
    return Reads(function, keys, names)


TIMED_ALONE = ("short training run",)
"""Checks timed as phases of their own (``--timings``)."""


def table(edition: Edition | None = None) -> tuple[Check, ...]:
    """An edition's checks table (default: the 2020 edition's), rows in order."""
    if edition is None:
        from grader.editions import DEFAULT, get

        edition = get(DEFAULT)
    return tuple(
        Check(
            row.function,
            row.name,
            row.points,
            row.visible,
            _implementation(row.function, row.name),
            timed_alone=row.name in TIMED_ALONE,
            depends_on=_depends_on(row.function, row.name),
        )
        for row in edition.checks
    )


CHECKS: tuple[Check, ...] = table()
"""The 2020 edition's checks table."""


def select(
    functions: Collection[str],
    *,
    visible_only: bool = False,
    edition: Edition | None = None,
) -> tuple[Check, ...]:
    """The rows of ``CHECKS`` for the graded ``functions``, in table order.

    With ``visible_only``, only the checks students see (what ``grader check``
    and the notebook's public checks run).
    """
    rows = CHECKS if edition is None else table(edition)
    return tuple(
        check
        for check in rows
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
            message = COULD_NOT_RUN.format(kind=type(exc).__name__, error=exc)
            credit = 0.0
        results.append(result_of(check, message, credit, window))
    return results


def could_not_run(result: CheckResult) -> bool:
    """Whether the grader could not run ``result``'s check: never a score."""
    return result.message.startswith(COULD_NOT_RUN.split("(", 1)[0])


def fault(result: CheckResult, limit: int = 200) -> str:
    """What kept the grader from running ``result``'s check, on one short line."""
    text = result.message.removeprefix(COULD_NOT_RUN.split("(", 1)[0])
    text = " ".join(text.removeprefix("(").removesuffix(")").split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def result_of(
    check: Check, message: str, credit: float, window: GraphWindow | None = None
) -> CheckResult:
    """The result of ``check`` that says ``message`` and earns ``credit``."""
    return CheckResult(
        function=check.function,
        name=check.name,
        max_points=check.points,
        points=earned(check.points, credit),
        message=message,
        visible=check.visible,
        credit=credit,
        window=window,
    )
