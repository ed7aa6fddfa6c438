"""The hidden checks: the graded functions on other arguments, and a short training run.

Students see these checks' names and points (``grader points``), never their
code or the arguments they use. The table in ``grader.judging.checks`` imports this
module only when one of them runs, so the hand-out (``grader release``) can
ship that table and the visible checks without this file. Messages name the
arguments that vary, never their values.
"""

from __future__ import annotations

import math
from typing import TypedDict

import keras
import numpy as np

from grader.editions.probes import INITIALIZER, Probe
from grader.judging.judge import Failure, Judge
from grader.models import graph as graphs
from grader.models import rebuild as models

HIDDEN_AFTER_EXAMPLE = (
    "on hidden inputs the output differs from the reference too; "
    "fix what 'layers and settings' reports first"
)
HIDDEN_HARDCODED = (
    "with other arguments than the example's ({arguments}), {what}; "
    "make sure none of them is hard-coded"
)
TRAINING_STEPS = 3
TRAINING_BATCH = 4


class _Tolerance(TypedDict):
    """``np.allclose``'s tolerances, typed to pass as its keywords."""

    rtol: float
    atol: float


OUTPUT_TOLERANCE: _Tolerance = {"rtol": 1e-3, "atol": 1e-4}


def outputs(judge: Judge, function: str, training: bool) -> str:
    """A block's outputs against the reference's on every hidden probe.

    A probe that passes ``training`` (the 2021 edition) is run in that mode
    only: its pair in the other mode is another probe.
    """
    for spec in judge.probes(function):
        if spec.visible or spec.kwargs.get("training", training) != training:
            continue
        _compare_outputs(judge, spec, training)
        if "training" not in spec.kwargs:
            _mode_not_written_in(judge, spec, training)
    mode = "training" if training else "inference"
    return f"outputs match the reference on hidden inputs in {mode} mode"


def _mode_not_written_in(judge: Judge, spec: Probe, training: bool) -> None:
    """No BatchNormalization of a block without ``training`` has a mode written in.

    Keras 3 lets a model's mode override such a call, so outputs cannot show
    it; Keras 2, and a block called on its own as the notebook's tests call
    it, keep the written mode. The configuration keeps each call's argument.
    """
    layers = _layers_of(judge, spec.function, spec.key, "BatchNormalization")
    names = _naming(judge, spec.function, spec.key, "BatchNormalization")
    fixed = [
        name
        for name, layer in zip(names, layers, strict=True)
        if _call_argument(layer, "training") is (not training)
    ]
    if fixed:
        raise Failure(
            TRAINING_HARD_CODED.format(
                count=len(fixed),
                total=len(layers),
                value=not training,
                first=fixed[0],
                mode="training" if not training else "inference",
                call="BatchNormalization(axis=3)(X)",
            )
        )


def _compare_outputs(judge: Judge, spec: Probe, training: bool) -> None:
    model = judge.model(spec.function, spec.key)
    ref = judge.reference(spec.function, spec.key)
    same_shape = tuple(model.output.shape) == tuple(ref.output.shape)
    if same_shape:
        for candidate in (model, ref):
            models.set_seeded_weights(candidate, batchnorm="varied")
        # Hidden outputs are checked for the blocks, whose probes have one.
        assert spec.input_shape is not None
        x = np.random.default_rng(len(spec.key)).normal(size=(4, *spec.input_shape))
        got = np.asarray(model(x.astype("float32"), training=training))
        want = np.asarray(ref(x.astype("float32"), training=training))
        if np.allclose(got, want, **OUTPUT_TOLERANCE):
            return
    # Name the likely cause without showing the hidden arguments' values.
    if graphs.compare(
        judge.graph(spec.function, "seeded"),
        judge.reference_graph(spec.function, "seeded"),
    ):
        raise Failure(HIDDEN_AFTER_EXAMPLE)
    differs = graphs.compare(
        judge.graph(spec.function, spec.key),
        judge.reference_graph(spec.function, spec.key),
    )
    if not same_shape:
        what = "the output shape is wrong"
    elif differs:
        what = "the layers differ from the reference"
    else:
        what = f"the output differs by up to {np.max(np.abs(got - want)):.3g}"
    arguments = ", ".join(spec.kwargs)
    raise Failure(HIDDEN_HARDCODED.format(arguments=arguments, what=what))


def honours_arguments(judge: Judge) -> str:
    """``ResNet50`` built with another input shape and number of classes."""
    spec = judge.probe("ResNet50", "hidden")
    model = judge.model("ResNet50", "hidden")
    shape, classes = spec.kwargs["input_shape"], spec.kwargs["classes"]
    got_input = tuple(model.input.shape) if not isinstance(model.input, list) else None
    if got_input != (None, *shape):
        raise Failure(
            f"ResNet50 ignores `input_shape`: built with input_shape={shape}, "
            f"the model's input is {got_input}"
        )
    units = model.output.shape[-1]
    if units != classes:
        raise Failure(
            f"ResNet50 ignores `classes`: built with classes={classes}, "
            f"the last layer has {units} units"
        )
    return "input_shape and classes are used"


FORWARDED_CALL = "BatchNormalization(axis=3)(X, training=training)"
TRAINING_NOT_PASSED = (
    "{count} of {total} BatchNormalization layers do not get `training` "
    "({first}); call each one as " + FORWARDED_CALL
)
TRAINING_HARD_CODED = (
    "{count} of {total} BatchNormalization layers have training={value} "
    "hard-coded ({first}): they run in {mode} mode whatever mode the block "
    "runs in; call each one as {call}"
)
INITIALIZER_NOT_USED = (
    "{count} of {total} Conv2D layers do not use `initializer` ({first}); "
    "give each one kernel_initializer=initializer(seed=0)"
)


def _layers_of(judge: Judge, function: str, key: str, kind: str) -> list[dict]:  # type: ignore[type-arg]
    config = judge.config(function, key).get("config", {})
    found = config.get("layers", []) if isinstance(config, dict) else []
    return [
        layer
        for layer in found
        if isinstance(layer, dict) and layer.get("class_name") == kind
    ]


def _ordinal(index: int, kind: str) -> str:
    """``the third Conv2D``, counted in the order the student's code builds them."""
    words = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")
    word = words[index] if index < len(words) else f"{index + 1}th"
    return f"the {word} {kind} your code builds"


def _naming(judge: Judge, function: str, key: str, kind: str) -> list[str]:
    """How to call each ``kind`` layer of the configuration, in its order.

    Where the structure matches the reference's, the notebook's words for the
    place ("the BatchNormalization of the shortcut"); else the build order.
    """
    reference = judge.reference_graph(function, key)
    places = {
        mine: reference.labels[theirs]
        for theirs, mine in graphs.align(judge.graph(function, key), reference).items()
        if theirs in reference.labels
    }
    return [
        places.get(str(layer.get("config", {}).get("name", layer.get("name"))))
        or _ordinal(index, kind)
        for index, layer in enumerate(_layers_of(judge, function, key, kind))
    ]


def training_reaches(judge: Judge, function: str) -> str:
    """``training`` reaches every BatchNormalization, in both modes.

    Read from the model's configuration, which keeps each call's ``training=``
    (a model called in one mode runs every layer in it, so outputs alone
    cannot tell a block that drops the argument).
    """
    for spec in judge.probes(function):
        if spec.visible or "training" not in spec.kwargs:
            continue
        wanted = spec.kwargs["training"]
        layers = _layers_of(judge, function, spec.key, "BatchNormalization")
        names = _naming(judge, function, spec.key, "BatchNormalization")
        given = list(
            zip(
                names,
                (_call_argument(layer, "training") for layer in layers),
                strict=True,
            )
        )
        written = [name for name, arg in given if arg is (not wanted)]
        if written:
            raise Failure(
                TRAINING_HARD_CODED.format(
                    count=len(written),
                    total=len(layers),
                    value=not wanted,
                    first=written[0],
                    mode="training" if not wanted else "inference",
                    call=FORWARDED_CALL,
                )
            )
        missing = [name for name, arg in given if arg is not wanted]
        if missing:
            raise Failure(
                TRAINING_NOT_PASSED.format(
                    count=len(missing), total=len(layers), first=missing[0]
                )
            )
    return "every BatchNormalization gets `training`, in both modes"


def _call_argument(layer: dict, name: str) -> object:  # type: ignore[type-arg]
    nodes = layer.get("inbound_nodes") or [{}]
    node = nodes[0] if isinstance(nodes[0], dict) else {}
    kwargs = node.get("kwargs") or {}
    return kwargs.get(name) if isinstance(kwargs, dict) else None


def initializer_used(judge: Judge, function: str) -> str:
    """Every convolution's kernel comes from the ``initializer`` argument.

    The hidden probes pass one no notebook shows; the configuration names
    each layer's initializer, class and settings.
    """
    for spec in judge.probes(function):
        given = spec.kwargs.get("initializer")
        if spec.visible or not isinstance(given, dict):
            continue
        wanted = given[INITIALIZER]
        layers = _layers_of(judge, function, spec.key, "Conv2D")
        missing = [
            name
            for name, layer in zip(
                _naming(judge, function, spec.key, "Conv2D"), layers, strict=True
            )
            if not _made_by(layer.get("config", {}).get("kernel_initializer"), wanted)
        ]
        if missing:
            raise Failure(
                INITIALIZER_NOT_USED.format(
                    count=len(missing), total=len(layers), first=missing[0]
                )
            )
    return "every Conv2D kernel comes from `initializer`"


def _made_by(found: object, wanted: dict) -> bool:  # type: ignore[type-arg]
    if not isinstance(found, dict) or found.get("class_name") != wanted["class_name"]:
        return False
    config = found.get("config") or {}
    return all(config.get(k) == v for k, v in wanted["config"].items())


def training_run(judge: Judge) -> str:
    """A few Adam steps on generated SIGNS images: the loss must fall.

    A model whose configuration is the reference's but for its names
    (``models.canonical_config``) would start from the same weights and take
    the same steps to the bit, so it takes the reference's run, kept once
    per machine (``grader.judging.cache``), and says so; any other model is trained.
    """
    answer = judge.answer("ResNet50", "default")
    reference_json = judge.reference("ResNet50", "default").to_json()
    canonical = models.canonical_config(reference_json)
    if (
        answer.model is not None
        and canonical is not None
        and models.canonical_config(answer.model) == canonical
    ):
        judge.release_models()  # the reference may have to be trained
        losses = reference_losses(reference_json)
        shown = " → ".join(f"{loss:.3f}" for loss in losses)
        _judge_losses(losses, shown)
        return f"same architecture as the reference; its run: loss {shown}"
    model = judge.take_model("ResNet50", "default")
    judge.release_models()  # the memory the others hold is needed here
    losses = _train(model)
    shown = ", ".join(f"{loss:.3f}" for loss in losses)
    _judge_losses(losses, shown)
    return f"loss over {TRAINING_STEPS} training steps: {shown}"


def _judge_losses(losses: list[float], shown: str) -> None:
    if not all(math.isfinite(loss) for loss in losses):
        raise Failure(f"the loss is not finite during training ({shown})")
    if losses[-1] >= losses[0]:
        raise Failure(f"the loss does not fall over {TRAINING_STEPS} steps ({shown})")


def _train(model: keras.Model) -> list[float]:
    from grader.fixtures.make_signs import make_split

    images, labels = make_split(TRAINING_BATCH, seed=11)
    x = images.astype("float32") / 255.0
    y = np.eye(6, dtype="float32")[labels]
    return adam_steps(model, x, y, TRAINING_STEPS)


def reference_losses(reference_json: str) -> list[float]:
    """The reference's training run: kept (``grader.judging.cache``) or trained.

    Trained on the reference's configuration rebuilt as a student's is
    (seeded, initializers left to Keras), so it starts from the weights a
    student's model of that configuration would start from.
    """
    from grader.judging import cache

    canonical = models.canonical_config(reference_json)
    name = cache.digest("training", canonical, TRAINING_STEPS, TRAINING_BATCH)
    kept = cache.load(name)
    if isinstance(kept, list) and len(kept) == TRAINING_STEPS:
        return [float(loss) for loss in kept]
    keras.utils.set_random_seed(0)
    losses = _train(models.rebuild(reference_json))
    cache.store(name, losses)
    return losses


def adam_steps(
    model: keras.Model, x: np.ndarray, y: np.ndarray, steps: int
) -> list[float]:
    """Train ``model`` for ``steps`` eager steps of Adam with Keras' defaults.

    The numbers are Keras' own to the bit: what
    ``model.compile(optimizer="adam", loss="categorical_crossentropy",
    run_eagerly=True)`` and ``train_on_batch`` give, and the loss of each
    step, before its update. Keras' optimizer spends most of an eager step on
    the bookkeeping around its twenty small operations per variable (3 to 5 s
    of a 6 s step for ResNet-50 on two cores); here each variable's update is
    the same operations in the same order, called on TensorFlow directly.
    ``tests/test_hidden.py`` holds the two to the same weights.
    """
    import tensorflow as tf

    adam = keras.optimizers.Adam()
    beta_1, beta_2, epsilon = adam.beta_1, adam.beta_2, adam.epsilon
    rate = tf.constant(
        float(keras.ops.convert_to_numpy(adam.learning_rate)), tf.float32
    )
    loss_of = keras.losses.CategoricalCrossentropy()
    weights = model.trainable_variables
    variables = [weight.value for weight in weights]
    moments = [
        (tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v)))
        for v in variables
    ]
    losses = []
    for step in range(1, steps + 1):
        with tf.GradientTape() as tape:
            loss = loss_of(y, model(x, training=True))
        gradients = tape.gradient(loss, weights)
        local = tf.cast(tf.constant(step, tf.int64), tf.float32)
        beta_1_power = tf.pow(tf.constant(beta_1, tf.float32), local)
        beta_2_power = tf.pow(tf.constant(beta_2, tf.float32), local)
        alpha = rate * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        for variable, (m, v), gradient in zip(
            variables, moments, gradients, strict=True
        ):
            m.assign_add(tf.multiply(tf.subtract(gradient, m), 1 - beta_1))
            v.assign_add(tf.multiply(tf.subtract(tf.square(gradient), v), 1 - beta_2))
            update = tf.divide(tf.multiply(m, alpha), tf.add(tf.sqrt(v), epsilon))
            variable.assign_sub(update)
        del gradients
        losses.append(float(loss))
    return losses
