"""Code that runs inside the student's kernel, never in the grading process.

The grading process sends this file's text to the kernel after the graded
cells, then calls ``_grader_run_probes`` once per graded function. It builds a
model from each probe and writes its answers, as JSON, to a file the grading
process named. It holds no expected values: judging happens elsewhere.

The answers' shape is ``grader.kernel.protocol``'s: this file cannot import it (the
kernel's sandbox hides ``grader``), so its statuses are literal strings, kept
equal to ``AnswerStatus``'s values by ``tests/test_protocol.py``. For the same
reason its annotations name builtins only, bare: they are evaluated in the
student's namespace, where ``typing`` is not imported and ``dict`` may be the
student's own.
"""

import json
import traceback

PRELUDE = """
import numpy as np
import tensorflow as tf
import keras
from keras import layers
from keras.layers import (Input, Add, Dense, Activation, ZeroPadding2D,
    BatchNormalization, Flatten, Conv2D, AveragePooling2D, MaxPooling2D,
    GlobalMaxPooling2D, GlobalAveragePooling2D, ReLU)
from keras.models import Model, load_model
from resnets_utils import glorot_uniform
from keras.initializers import random_uniform, constant, identity


def AveragePooling2D(pool_size=(2, 2), strides=None, padding="valid", **kwargs):
    # Keras 2 defaulted pool_size to (2, 2); notebooks written then rely on it.
    return keras.layers.AveragePooling2D(pool_size, strides, padding, **kwargs)


_grader_AveragePooling2D = AveragePooling2D
"""
"""Names the assignment's import cell provides, so that graded cells run alone.

``AveragePooling2D`` keeps Keras 2's default ``pool_size`` of (2, 2), which
Keras 3 dropped, so that notebooks of the 2020 edition build as they did; the
layer it makes is Keras' own.
"""

_GRADER_INITIALIZER_NOT_CALLED = (
    "`initializer` makes an initializer, it is not one: "
    "give each Conv2D kernel_initializer=initializer(seed=0)"
)
MESSAGE_LIMIT = 2000
#: Seconds one call of a function that ran out of time before may take. A
#: block is built in well under a second; this is for the calls ResNet50
#: makes after a block's own probes were stopped at their limit.
_GRADER_BOUND_SECONDS = 5.0


class _GraderStuckCall(BaseException):
    """A bounded function did not return in time; ``args[0]`` names it."""


def _student_frames(exc: BaseException) -> list:
    """Return the outermost and the deepest frame of the notebook's own code.

    Each is a dict of function, line number and source line; frames of
    Keras, TensorFlow and this file are left out.
    """
    found = []
    own = _run_probe.__code__.co_filename
    for frame in traceback.extract_tb(exc.__traceback__):
        name = frame.filename
        if name == own:
            continue
        if "ipykernel_" in name or name.startswith("<ipython-input"):
            found.append(
                {"function": frame.name, "line": frame.lineno, "text": frame.line}
            )
    if len(found) > 2:
        found = [found[0], found[-1]]
    return found


def _grader_argument(value):  # type: ignore[no-untyped-def]
    """A probe argument as the student's function takes it.

    ``{"__initializer__": {"class_name": ..., "config": ...}}`` (see
    ``grader.editions.probes.initializer``) becomes what the later editions' blocks
    take: a callable that, called as ``initializer(seed=0)``, returns that
    Keras initializer. Anything else is passed as it is.
    """
    import keras

    if isinstance(value, dict) and set(value) == {"__initializer__"}:
        spec = value["__initializer__"]

        def initializer(seed=None, **misused):  # type: ignore[no-untyped-def]
            # Keras calls what kernel_initializer holds as (shape, dtype=...):
            # a block that passes this factory itself, uncalled, lands here.
            if misused or not (seed is None or isinstance(seed, int)):
                raise TypeError(_GRADER_INITIALIZER_NOT_CALLED)
            config = dict(spec["config"])
            if seed is not None and spec["class_name"] not in ("Constant", "Identity"):
                config["seed"] = seed
            return keras.initializers.get(
                {"class_name": spec["class_name"], "config": config}
            )

        return initializer
    return value


# ``function`` is the student's, called whatever it is: no builtin names a
# callable, and annotations here may name builtins only (see pyproject.toml).
def _run_probe(function, probe: dict) -> dict:  # type: ignore[no-untyped-def]
    import keras

    if function is None:
        return {"status": "missing"}
    if probe["input_shape"] is not None:
        inputs = keras.Input(shape=tuple(probe["input_shape"]))
        kwargs = {k: _grader_argument(v) for k, v in probe["kwargs"].items()}  # type: ignore[no-untyped-call]
        outputs = function(inputs, **kwargs)
        if outputs is None:
            return {"status": "returned-none"}
        if not isinstance(outputs, keras.KerasTensor):
            return {"status": "not-a-tensor", "type": type(outputs).__name__}
        model = keras.Model(inputs, outputs)
    else:
        kwargs = {k: _grader_argument(v) for k, v in probe["kwargs"].items()}  # type: ignore[no-untyped-call]
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
        model = function(**kwargs)
        if not isinstance(model, keras.Model):
            return {"status": "not-a-model", "type": type(model).__name__}
    return {"status": "ok", "model": model.to_json()}


def _grader_run_probes(
    name: str, probes_json: str, out_path: str, nonce: str, fresh: bool = False
) -> None:
    """Build every probe of the graded function ``name``; write answers as JSON.

    ``nonce`` is new for each call and goes back with the answers, so that a
    file left there earlier is not taken for them. With ``fresh`` (the
    solution's run, the reference), Keras names each probe's unnamed layers
    as in a new process, as the grader's own models are named.
    """
    answers = probe_answers(globals().get(name), json.loads(probes_json), fresh=fresh)
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump({"nonce": nonce, "answers": answers}, handle)


def probe_answers(function, probes: list, fresh: bool = False) -> list:  # type: ignore[no-untyped-def]
    """Call ``function`` for each probe; one answer (a dict) per probe.

    Once a call does not finish in time, the probes after it are not made
    and get the same answer: a function that hangs costs one time limit, not
    one per probe. The notebook's public checks call this directly, in the
    student's kernel. With ``fresh``, each probe starts Keras' counters of
    layer names afresh.
    """
    import collections
    import gc

    answers = []
    stopped = None
    for probe in probes:
        if fresh:
            from keras.src.backend.common import global_state

            global_state.set_global_attribute(
                "object_name_uids", collections.defaultdict(int)
            )
        if stopped is not None:
            answer = dict(stopped)
        else:
            try:
                answer = _run_probe(function, probe)
            except _GraderStuckCall as exc:
                answer = {"status": "timeout", "message": str(exc.args[0])}
                stopped = answer
            except KeyboardInterrupt:  # how a time limit arrives
                answer = {"status": "timeout"}
                stopped = answer
            except BaseException as exc:
                answer = {
                    "status": "error",
                    "error": type(exc).__name__,
                    "message": str(exc)[:MESSAGE_LIMIT],
                    "where": _student_frames(exc),
                }
        answer["key"] = probe["key"]
        answers.append(answer)
        # A ResNet50's 95 MB of weights sit in reference cycles until
        # collected: let them go before the next model is built.
        gc.collect()
    return answers


def _grader_bound(name: str) -> None:
    """Give each later call of the graded function ``name`` _GRADER_BOUND_SECONDS.

    The grading process calls this once ``name``'s own probes ran out of
    time, so that the graded functions calling it (ResNet50 calls both
    blocks) are not each held for a whole time limit again. A call that
    returns in time returns what it would have; one that does not is
    interrupted and ends its probe with a ``timeout`` naming ``name``.
    """
    import signal
    import threading

    function = globals().get(name)
    if function is None or getattr(function, "_grader_bound", False):
        return
    main = threading.get_ident()

    def bounded(*args, **kwargs):  # type: ignore[no-untyped-def]
        lock = threading.Lock()
        state = {"running": True, "fired": False}

        def interrupt() -> None:
            with lock:
                if state["running"]:
                    state["fired"] = True
                    signal.pthread_kill(main, signal.SIGINT)

        timer = threading.Timer(_GRADER_BOUND_SECONDS, interrupt)
        timer.daemon = True
        timer.start()
        try:
            return function(*args, **kwargs)
        except KeyboardInterrupt:
            if state["fired"]:
                raise _GraderStuckCall(name) from None
            raise
        finally:
            with lock:
                state["running"] = False
            timer.cancel()

    bounded._grader_bound = True  # type: ignore[attr-defined]
    globals()[name] = bounded
