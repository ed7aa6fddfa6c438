"""The judge: everything the checks know about one submission.

A ``Judge`` holds the kernel's run (``grader.kernel.protocol``), the notebook's
graded cells and the assignment's expected values (``Expected``), and builds
on demand, once each, what the checks compare: the student's models rebuilt
from their answers, their layer graphs, and the grader's own reference models.
Anything that keeps a check from judging (a stub, a cell that raised, a probe
that gave no answer) is a ``Failure`` with a message for the student.
"""

from __future__ import annotations

import csv
import gc
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras

from grader import errors
from grader.editions import Example
from grader.editions.probes import FUNCTIONS, Probe, probe, probes_for
from grader.judging import reference
from grader.kernel.protocol import AnswerStatus, Frame, KernelRun, ProbeAnswer
from grader.models import graph as graphs
from grader.models import graph_read
from grader.models import rebuild as models
from grader.reports.results import GraphWindow

if TYPE_CHECKING:
    from grader.editions import Edition
    from grader.judging.solution import Solution
    from grader.notebooks.read import GradedCell

STUCK_IN = (
    "{function} did not finish in time: it calls {callee}, "
    "which did not finish in time on its own either"
)


class Failure(Exception):
    """A check failed; the message is for the student.

    ``credit`` is the part of the check that is right, from 0 to 1: most
    checks are all or nothing (0), the names checks earn the share of names
    that are right. ``window`` carries, for a structural check, the layers
    around the first difference (``grader.models.graph_window.window``), for
    the feedback's picture.
    """

    def __init__(
        self,
        message: str,
        *,
        credit: float = 0.0,
        window: GraphWindow | None = None,
    ) -> None:
        super().__init__(message)
        self.credit = credit
        self.window = window


SEEDS_EXAMPLE = Example("randn-seed-1", "tf1-glorot", "out[1][1][0]", atol=0.0)
"""How the 2020 edition's example runs (its ``expected.json`` predates
``example``; its tolerance is the file's ``seeded_tolerance``)."""


@dataclass(frozen=True)
class Expected:
    """Values from an edition of the assignment, read from the fixtures.

    ``examples`` holds, per block and per visible probe (``"seeded"``,
    ``"seeded-training"``), what the notebook's example prints;
    ``example`` says, per block, how it is run and compared (``Example``)
    and ``modes`` in which mode each probe is called (inference where not
    said).
    """

    seeded: dict[str, list[float]]
    #: None where the course published none: the solution's are expected.
    params: tuple[int, int, int] | None
    table: graphs.Graph | None
    example: dict[str, Example]
    #: Per block and example probe, its published values (None: the solution's).
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    modes: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def load(cls, edition: Edition | None = None) -> Expected:
        """Read an edition's expected values and layer table (default: 2020's).

        An edition without published values (an instructor's, as data)
        expects the solution's own: its examples' outputs, parameter counts
        and layer table (``Judge.example_values``, ``params``, ``table``).
        """
        names = ("expected.json", "resnet50_layers.tsv")
        if edition is not None:
            names = (edition.expected, edition.layer_table)
        if not names[0]:
            assert edition is not None
            return cls.unpublished(edition, _table(names[1]) if names[1] else None)
        data = json.loads(_fixture(names[0]))
        table = _table(names[1])
        twin = data.get("layer_table_named_twin")
        if twin is not None:
            # The same table with the 2020 edition's names, row for row: where
            # each layer sits, for messages ("the third Conv2D of the main path").
            table.labels.update(
                graphs.position_labels(
                    table.layers,
                    (row["name"] for row in _rows(_fixture(twin))),
                    within_model=True,
                )
            )
        counts = data["resnet50_params"]
        if "seeded" in data:
            examples = data["seeded"]
            example = {name: Example(**spec) for name, spec in data["example"].items()}
        else:  # the 2020 edition's file: one vector per block, one tolerance
            examples = {
                function: {"seeded": data[f"{function}_seeded"]}
                for function in ("identity_block", "convolutional_block")
            }
            seeds = replace(SEEDS_EXAMPLE, atol=data["seeded_tolerance"])
            example = dict.fromkeys(examples, seeds)
        return cls(
            seeded={name: values["seeded"] for name, values in examples.items()},
            params=(counts["total"], counts["trainable"], counts["non_trainable"]),
            table=table,
            example=example,
            examples=examples,
            modes=data.get("modes", {}),
        )

    @classmethod
    def unpublished(cls, edition: Edition, table: graphs.Graph | None) -> Expected:
        """What an edition without published numbers expects: its solution's.

        Each block's example probes (the visible ones) run as the edition's
        ``examples`` say, ``-training`` ones in training mode.
        """
        examples: dict[str, dict[str, Any]] = {}
        modes = {}
        for spec in edition.probes:
            if spec.visible and spec.input_shape is not None:
                examples.setdefault(spec.function, {})[spec.key] = None
                modes[spec.key] = spec.key.endswith("-training")
        example = {
            name: edition.examples.get(name, UNPUBLISHED_EXAMPLE) for name in examples
        }
        return cls({}, None, table, example, examples, modes)


UNPUBLISHED_EXAMPLE = Example(
    "minus-one-one-three", "stateless-glorot", "out", 1e-5, 1e-5
)
"""How a block's example runs where its edition says nothing: the whole output."""


def _fixture(name: str) -> str:
    """A published file's text: one of ``grader.fixtures``, or a path."""
    if Path(name).is_absolute():
        return Path(name).read_text(encoding="utf-8")
    return resources.files("grader.fixtures").joinpath(name).read_text()


def _rows(text: str) -> csv.DictReader[str]:
    lines = text.splitlines()
    return csv.DictReader(
        (line for line in lines if not line.startswith("#")), delimiter="\t"
    )


def _table(name: str) -> graphs.Graph:
    return graph_read.from_table(_rows(_fixture(name)))


class Judge:
    """Everything the checks need about one submission, built once and cached."""

    def __init__(
        self,
        run: KernelRun,
        graded: Mapping[str, GradedCell],
        expected: Expected,
        edition: Edition | None = None,
        solution: Solution | None = None,
    ) -> None:
        self.run = run
        self.graded = graded
        self.expected = expected
        #: None: the 2020 edition, as ``grader.editions.probes`` holds it (the
        #: hand-out's too).
        self.edition = edition
        #: The edition's solution, whose answers are the reference models
        #: (``grader.judging.solution``); None: ``grader.judging.reference`` builds them
        #: (the hand-out's copy rebuilds those the notebook shows).
        self.solution = solution
        self._models: dict[tuple[str, str], keras.Model] = {}
        self._graphs: dict[tuple[str, str], graphs.Graph] = {}
        self._references: dict[tuple[str, str], keras.Model] = {}
        self._reference_graphs: dict[tuple[str, str], graphs.Graph] = {}

    def problem(self, function: str) -> str | None:
        """Why the function cannot be probed at all, or None."""
        cell = self.graded.get(function)
        if cell is None:
            return (
                f"no cell defines {function}; its cell should start with "
                f"`# GRADED FUNCTION: {function}`"
            )
        if cell.problem:  # the stub, or another signature: found on reading
            return cell.problem
        outcome = self.run.cells.get(function)
        if outcome is not None and outcome.status == "timeout":
            return f"the cell defining {function} did not finish in time"
        if outcome is not None and outcome.status == "died":
            return f"the cell defining {function} stopped the kernel: {outcome.evalue}"
        if outcome is not None and not outcome.ok:
            return (
                f"the cell defining {function} raised {outcome.ename}: {outcome.evalue}"
            )
        return None

    def answer(self, function: str, key: str) -> ProbeAnswer:
        """The kernel's answer for one probe; raises ``Failure`` if there is none."""
        problem = self.problem(function)
        if problem:
            raise Failure(problem)
        answers = [a for a in self.run.answers.get(function, []) if a.key == key]
        cell = self.run.probe_cells.get(function)
        if not answers:
            if cell is not None and cell.status == "timeout":
                raise Failure(f"{function} did not finish in time")
            if cell is not None and cell.status == "died":
                raise Failure(
                    f"the kernel stopped while building {function}: {cell.evalue}"
                )
            if cell is None:
                raise Failure(f"the kernel gave no readable answer for {function}")
            # The call ran to its end (or the grader's own code in it failed):
            # the answers were lost between kernel and grader, not the
            # student's doing.
            raise errors.ProtocolError(errors.PROTOCOL_BROKE.format(function=function))
        return answers[0]

    def model(self, function: str, key: str) -> keras.Model:
        """The student's model for a probe, rebuilt in this process, kept."""
        if (function, key) not in self._models:
            self._models[(function, key)] = self._rebuild(function, key)
        return self._models[(function, key)]

    def take_model(self, function: str, key: str) -> keras.Model:
        """The student's model with its initial weights, no longer kept.

        For a check that changes its weights (the training run): the model
        the checks before it looked at, which left its weights alone, or a
        new one where there is none; either way the same weights.
        """
        model = self._models.pop((function, key), None)
        return model if model is not None else self._rebuild(function, key)

    def _rebuild(self, function: str, key: str) -> keras.Model:
        config = _model_json(function, self.answer(function, key))
        # Keras' initial weights follow its seed: seeded here, a model starts
        # from the same weights whichever checks ran before it.
        keras.utils.set_random_seed(0)
        try:
            return models.rebuild(config)
        except models.Rejected as exc:
            raise Failure(str(exc)) from None

    def release_models(self) -> None:
        """Let go of every model built so far, keeping their layer graphs.

        A ResNet50 holds about 95 MB of weights, and the checks build three
        (the student's two and the reference) before the short training run
        adds its gradients and Adam's two slots; a check that needs one again
        rebuilds it.
        """
        self._models.clear()
        self._references.clear()
        gc.collect()

    def graph(self, function: str, key: str) -> graphs.Graph:
        """The layer graph of the student's model for a probe."""
        if (function, key) not in self._graphs:
            self._graphs[(function, key)] = graph_read.from_model(
                self.model(function, key)
            )
        return self._graphs[(function, key)]

    def reference(self, function: str, key: str) -> keras.Model:
        """The reference model for a probe: the solution's answer, rebuilt."""
        if (function, key) not in self._references:
            if self.solution is not None:
                model = models.rebuild(self.solution.answer(function, key))
            else:
                spec = self.probe(function, key)
                options = {}
                if self.edition is not None and not self.edition.layer_names:
                    options["layer_names"] = False
                model = reference.build(
                    function, spec.kwargs, spec.input_shape, **options
                )
            self._references[(function, key)] = model
        return self._references[(function, key)]

    def _position_labels(
        self, function: str, key: str, model: keras.Model
    ) -> dict[str, str]:
        """Where each layer of an unnamed reference sits, in the notebook's words.

        The same reference built with the 2020 edition's names gives each
        layer's place (``res2a_branch2c``), which ``graph.position_labels``
        turns into "the third Conv2D of the main path".
        """
        spec = self.probe(function, key)
        named = spec.kwargs
        if spec.input_shape is not None:  # a block: stage and block name its layers
            named = {**spec.kwargs, "stage": 1, "block": "a"}
        try:
            twin = reference.build(function, named, spec.input_shape)
        except (TypeError, KeyError):  # no twin: an argument the 2020 builder
            return {}  # lacks, or none shipped (the hand-out's copy)
        if [type(a) for a in twin.layers] != [type(b) for b in model.layers]:
            return {}  # another architecture (an instructor's edition)
        return graphs.position_labels(
            (layer.name for layer in model.layers),
            (layer.name for layer in twin.layers),
            within_model=function == "ResNet50",
        )

    def table(self) -> graphs.Graph:
        """The layer table ResNet50 is held to: published, else the solution's."""
        if self.expected.table is not None:
            return self.expected.table
        return self.reference_graph("ResNet50", "default")

    def params(self) -> tuple[int, int, int]:
        """ResNet50's parameter counts: published, else the solution's."""
        if self.expected.params is not None:
            return self.expected.params
        return models.parameter_counts(self.reference("ResNet50", "default"))

    def probe(self, function: str, key: str) -> Probe:
        """The probe ``key`` of ``function`` in this submission's edition."""
        table = None if self.edition is None else self.edition.probes
        return probe(function, key, table=table)

    def probes(self, function: str) -> tuple[Probe, ...]:
        """Every probe of ``function`` in this submission's edition."""
        table = None if self.edition is None else self.edition.probes
        return probes_for(function, table=table)

    def config(self, function: str, key: str) -> dict[str, Any]:
        """The student's model configuration for a probe, as the kernel gave it.

        Initializers and each call's arguments (``training=``) are still in it.
        """
        unreadable = Failure(f"the kernel gave no readable answer for {function}")
        try:
            data = json.loads(_model_json(function, self.answer(function, key)))
        except ValueError:
            raise unreadable from None
        if not isinstance(data, dict):
            raise unreadable
        return data

    def reference_graph(self, function: str, key: str) -> graphs.Graph:
        """The layer graph of the grader's own model for a probe."""
        if (function, key) not in self._reference_graphs:
            model = self.reference(function, key)
            graph = graph_read.from_model(model)
            if self.edition is not None and not self.edition.layer_names:
                graph.labels.update(self._position_labels(function, key, model))
            self._reference_graphs[(function, key)] = graph
        return self._reference_graphs[(function, key)]


def _model_json(function: str, answer: ProbeAnswer) -> str:
    """The answer's model configuration; raises ``Failure`` saying why there is none."""
    status = answer.status
    if status == AnswerStatus.OK and answer.model is not None:
        return answer.model
    if status == AnswerStatus.MISSING:
        raise Failure(f"{function} is not defined after running its cell")
    if status == AnswerStatus.RETURNED_NONE:
        raise Failure(f"{function} returned None; it should return the output tensor")
    if status in (AnswerStatus.NOT_A_TENSOR, AnswerStatus.NOT_A_MODEL):
        wanted = (
            "a Keras tensor" if status == AnswerStatus.NOT_A_TENSOR else "a keras Model"
        )
        raise Failure(f"{function} returned a {answer.type}, expected {wanted}")
    if status == AnswerStatus.TIMEOUT:
        if answer.message in FUNCTIONS and answer.message != function:
            raise Failure(STUCK_IN.format(function=function, callee=answer.message))
        raise Failure(f"{function} did not finish in time")
    if status == AnswerStatus.ERROR:
        if answer.error == "KeyboardInterrupt":
            raise Failure(f"{function} did not finish in time")
        text = f"{function} raised {answer.error}: {_unwrapped(str(answer.message))}"
        if answer.where:
            text += " (" + "; then ".join(_frame(f) for f in answer.where[:2]) + ")"
        raise Failure(text)
    raise Failure(f"the kernel gave no usable answer for {function}")


KERAS_WRAPPED = re.compile(
    r"Exception encountered when calling (?:layer )?['\"]?([\w.]+?)(?:\.call\(\))?"
    r"['\"]?\.?\s*\x1b\[1m(.*?)\x1b\[0m",
    re.DOTALL,
)
"""Keras 3's wrapping of an error a layer raised: the layer, then the error in bold."""
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _unwrapped(message: str) -> str:
    """A kernel's error message as a student needs it, on one line.

    Without Keras' wrapping (the listing of the call's arguments) and
    terminal colours: the layer, then the error it raised.
    """
    wrapped = KERAS_WRAPPED.search(message)
    if wrapped:
        message = f"{wrapped[1]}: {wrapped[2].strip()}"
    return " ".join(ANSI.sub("", message).split())


def _frame(frame: Frame | None) -> str:
    if frame is None:
        return "somewhere in your code"
    text = frame.text.strip()[:200]
    return f"in {frame.function}, line {frame.line}: `{text}`"
