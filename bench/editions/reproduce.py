"""Reproduce the later editions' public-test numbers on TensorFlow 2.21 / Keras 3.

Usage: ``.venv/bin/python bench/editions/reproduce.py [--json OUT.json]
[--summary-dir DIR] [--published outputs.py]``

Each revision of the course's ``public_tests.py`` (see EXPECTED.md) is a row
of ``REVISIONS``: the calls it makes, in its order, and what it asserts. The
blocks are ``blocks.py``'s (this project's own code); each call is made as
the test makes it, with Keras 3 substitutes for what Keras 3 lacks:

- ``set_learning_phase(0/1)`` (gone): the block runs inside a layer called
  with ``training=False/True`` (``blocks.in_mode``), which bare
  BatchNormalization calls inherit;
- ``glorot_uniform(seed=0)`` of TF 2.7+ Keras 2: ``stateless_uniform`` with
  seed ``[0, 0]`` (every kernel of that shape is the same draw);
- ``glorot_uniform(seed=0)`` of TF 2.3-2.6: stateful ``random_uniform`` with
  op seed 0 after ``tf.random.set_seed(2)``, one stream for every kernel in
  creation order (what the eager kernel cache does).

The comparison uses each assertion's own tolerance: ``np.allclose(..., atol=1e-5)``
for the identity block, ``np.allclose`` defaults (rtol 1e-5, atol 1e-8) for
the convolutional block. Prints one line per assertion; ``--json`` writes what
Keras 3 gives, for the grader's expected values. ``--summary-dir`` writes
``resnet50_summary_<edition>.tsv``; with ``--published`` (a fetched
``outputs.py``, never committed) each row is compared with ``ResNet50_summary``.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras.initializers import Constant

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import blocks  # noqa: E402

# The tests' input: three samples, all -1, all 1 and all 3, of shape (4, 4, 3).
X = np.concatenate([np.full((1, 4, 4, 3), v) for v in (-1.0, 1.0, 3.0)]).astype(
    np.float32
)


def ones(seed: int = 0) -> keras.initializers.Initializer:
    """The tests' ``lambda seed=0: constant(value=1)``."""
    return Constant(1.0)


def _limit(shape: tuple[int, ...]) -> float:
    receptive = int(np.prod(shape[:-2]))
    return math.sqrt(6.0 / (receptive * shape[-2] + receptive * shape[-1]))


class StatelessGlorot(keras.initializers.Initializer):
    """Keras 2.7+ ``glorot_uniform(seed=s)``: stateless uniform, seed ``[s, 0]``."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        limit = _limit(tuple(shape))
        return tf.random.stateless_uniform(
            shape, seed=[self.seed, 0], minval=-limit, maxval=limit
        )


class StatefulGlorot(keras.initializers.Initializer):
    """TF 2.3-2.6 ``glorot_uniform(seed=s)``: stateful uniform, op seed ``s``.

    Under a global seed every call continues one stream (the eager kernel
    cache keeps its state), so kernels depend on creation order.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        limit = _limit(tuple(shape))
        return tf.random.uniform(shape, -limit, limit, seed=self.seed)


def resume(out: Any) -> np.ndarray:
    """What the identity test compares: first and last rows, mean over channels."""
    return np.asarray(out)[:, (0, -1), :, :].mean(axis=3)


IDENTITY_INFERENCE = {
    # revision: the asserted ``resume`` of f=2, filters [4, 4, 3], inference,
    # as (corner, edge, far corner) of sample 1, then of sample 2; sample 0 is 0.
    "A": ((192.71236, 96.85619, 48.9281), (578.1371, 290.56854, 146.78427)),
    "B": ((192.6542, 96.8271, 48.91355), (578.21246, 290.60623, 146.80312)),
    "C": ((192.99992, 96.99996, 48.99998), (578.99976, 290.99988, 146.99994)),
}


def _inference_table(values: tuple[tuple[float, ...], ...]) -> np.ndarray:
    rows = [[[a, a, a, b], [b, b, b, c]] for a, b, c in values]
    return np.array([[[0.0] * 4] * 2, *rows])


IDENTITY_TRAINING = {
    # revision: (sample 1 everywhere, sample 2 corners, sample 2 middle) of
    # f=3, filters [3, 3, 3], training mode; sample 0 is all 0.
    "A": (0.37394285, 3.2379014, 4.1394243),
    "B": (0.373974, 3.2379792, 4.139072),
    "C": (0.37390518, 3.2380054, 4.1391973),
}


def _training_table(values: tuple[float, float, float]) -> np.ndarray:
    one, corner, middle = values
    row2 = [corner, middle, middle, corner]
    return np.array([[[0.0] * 4] * 2, [[one] * 4] * 2, [row2, row2]])


@dataclass(frozen=True)
class Revision:
    """One revision of the course's tests: its edition, how it sets modes, its RNG."""

    key: str
    edition: str
    mode: str  # "training=" (passed to the block) or "set_learning_phase"
    glorot: type[keras.initializers.Initializer]
    conv_calls: tuple[tuple[str, int, bool], ...]  # (name, stride, training) in order
    conv_asserted: tuple[tuple[str, str], ...]  # (call name, asserted array key)
    seen_in: str


REVISIONS = (
    Revision(
        "A", "2021", "training=", StatelessGlorot,
        (("A", 2, False), ("B", 2, True)),
        (("A", "output1"), ("B", "output2")),
        "DEmosus/ResNet50-From-Scratch, KKH028/Residual_Networks, kodzok/ResNet50 "
        "(identity test in public_tests.py, convolutional block test in the "
        "notebook's cell with outputs.py)",
    ),
    Revision(
        "B", "2021", "training=", StatefulGlorot,
        (("A", 2, False), ("B", 2, True)),
        (("A", "output1"), ("B", "output2")),
        "ItachiSRD/Residual-Network public_tests.py",
    ),
    Revision(
        "C", "2021-initializer-only", "set_learning_phase", StatefulGlorot,
        (("A", 4, False), ("B", 2, False), ("C", 2, True)),
        (("C", "output2"),),
        "uvita/dls-course4 W2A1/public_tests.py",
    ),
)  # fmt: skip


def _identity(rev: Revision, f: int, filters: list[int], training: bool) -> Any:
    if rev.mode == "training=":
        return blocks.identity_block(X, f, filters, training=training, initializer=ones)
    return blocks.in_mode(
        lambda x: blocks.identity_block(x, f, filters, initializer=ones, forward=False),
        X,
        training,
    )


def _conv(rev: Revision, stride: int, training: bool) -> Any:
    if rev.mode == "training=":
        return blocks.convolutional_block(
            X, 2, [2, 4, 6], s=stride, training=training, initializer=rev.glorot
        )
    return blocks.in_mode(
        lambda x: blocks.convolutional_block(
            x, 2, [2, 4, 6], s=stride, initializer=rev.glorot, forward=False
        ),
        X,
        training,
    )


@dataclass(frozen=True)
class Line:
    """One assertion: what it expects, what Keras 3 gives, the largest gap."""

    revision: str
    what: str
    asserted: np.ndarray
    got: np.ndarray
    matches: bool

    @property
    def gap(self) -> float:
        return float(np.max(np.abs(self.asserted - self.got)))

    @property
    def worst(self) -> tuple[float, float]:
        """The asserted value and Keras 3's where they differ most."""
        where = int(np.argmax(np.abs(self.asserted - self.got)))
        return float(self.asserted.flat[where]), float(self.got.flat[where])


def run_revision(rev: Revision, conv: dict[str, Any]) -> list[Line]:
    """Make a revision's calls in its order; one ``Line`` per value assertion."""
    lines = []
    tf.random.set_seed(2)
    np.random.seed(1)
    got = resume(_identity(rev, 2, [4, 4, 3], False))
    asserted = _inference_table(IDENTITY_INFERENCE[rev.key])
    lines.append(Line(rev.key, "identity_block inference f=2 [4,4,3]", asserted, got,
                      bool(np.allclose(got, asserted, atol=1e-5))))  # fmt: skip
    tf.random.set_seed(2)
    got = resume(_identity(rev, 3, [3, 3, 3], True))
    asserted = _training_table(IDENTITY_TRAINING[rev.key])
    lines.append(Line(rev.key, "identity_block training f=3 [3,3,3]", asserted, got,
                      bool(np.allclose(got, asserted, atol=1e-5))))  # fmt: skip
    # The convolutional block's test sets the seed once, then calls in order.
    tf.random.set_seed(2)
    outs = {}
    for name, stride, training in rev.conv_calls:
        outs[name] = np.asarray(_conv(rev, stride, training))
    for name, key in rev.conv_asserted:
        asserted = np.array(conv[rev.key][key], dtype=float)
        got = outs[name]
        mode = (
            "training"
            if dict((n, t) for n, _, t in rev.conv_calls)[name]
            else "inference"
        )
        same = got.shape == asserted.shape and np.allclose(got, asserted)
        what = f"convolutional_block {mode} f=2 [2,4,6] ({key})"
        lines.append(Line(rev.key, what, asserted, got, bool(same)))
    if rev.key == "C":
        lines.append(Line(rev.key, "convolutional_block s=4 shape (3, 1, 1, 6)",
                          np.array((3, 1, 1, 6)), np.array(outs["A"].shape),
                          outs["A"].shape == (3, 1, 1, 6)))  # fmt: skip
    return lines


# --- the layer table ---------------------------------------------------------


def summary_rows(model: keras.Model) -> list[list[Any]]:
    """One row per layer as the course's ``summary`` lists it, in Keras 3 terms.

    Class, output shape, parameters; then padding, activation and initializer
    class for Conv2D; pool, strides and padding for MaxPooling2D; the padding
    for ZeroPadding2D; the activation for Dense.
    """
    rows: list[list[Any]] = []
    for layer in model.layers:
        kind = type(layer).__name__
        shape = layer.output.shape if kind != "InputLayer" else layer.batch_shape
        row: list[Any] = [kind, tuple(shape), layer.count_params()]
        if kind == "Conv2D":
            row += [layer.padding, layer.activation.__name__,
                    type(layer.kernel_initializer).__name__]  # fmt: skip
        elif kind == "MaxPooling2D":
            row += [tuple(layer.pool_size), tuple(layer.strides), layer.padding]
        elif kind == "ZeroPadding2D":
            row += [tuple(tuple(p) for p in layer.padding)]
        elif kind == "Dense":
            row += [layer.activation.__name__]
        rows.append(row)
    return rows


def _published(path: Path) -> list[list[Any]]:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and getattr(node.targets[0], "id", "") == "ResNet50_summary"
        ):
            return [list(r) for r in ast.literal_eval(node.value)]
    raise SystemExit(f"{path}: no ResNet50_summary")


def _normal(row: list[Any]) -> list[Any]:
    """A published row in Keras 3 terms: the Input's shape is a tuple, not a list."""
    row = list(row)
    if row[0] == "InputLayer" and isinstance(row[1], list):
        row[1] = tuple(row[1][0])
    return row


def compare_summary(mine: list[list[Any]], published: list[list[Any]]) -> list[str]:
    """Row-by-row differences: in order, then as a multiset."""
    problems = []
    theirs = [_normal(r) for r in published]
    if len(mine) != len(theirs):
        problems.append(f"{len(mine)} rows, published {len(theirs)}")
    in_order = sum(1 for a, b in zip(mine, theirs, strict=False) if a == b)
    key = repr
    left = sorted(map(key, mine))
    right = sorted(map(key, theirs))
    if left != right:
        problems.append("the rows differ as a multiset")
    problems.append(f"{in_order} of {len(theirs)} rows equal in the same position")
    return problems


def _extra(row: list[Any]) -> str:
    return repr(row[3:]) if row[3:] else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write what Keras 3 gives here")
    parser.add_argument("--summary-dir", type=Path, help="where the tables go")
    parser.add_argument("--published", type=Path, help="a fetched outputs.py")
    args = parser.parse_args()
    conv = json.loads((HERE / "asserted_conv.json").read_text())
    results: dict[str, Any] = {}
    print(f"{'rev':3} {'edition':22} {'assertion':52} {'asserted':>12} "
          f"{'keras 3':>12} {'max gap':>9}  ok")  # fmt: skip
    for rev in REVISIONS:
        for line in run_revision(rev, conv):
            want, got = line.worst
            ok = "yes" if line.matches else "NO"
            print(f"{line.revision:3} {rev.edition:22} {line.what:52} {want:12.7g} "
                  f"{got:12.7g} {line.gap:9.2e}  {ok}")  # fmt: skip
            results.setdefault(rev.key, {})[line.what] = {
                "asserted": line.asserted.tolist(),
                "keras3": np.round(line.got.astype(float), 7).tolist(),
                "matches": line.matches,
            }
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    if args.summary_dir:
        published = _published(args.published) if args.published else None
        for edition in blocks.EDITIONS:
            model = blocks.resnet50(edition=edition)
            rows = summary_rows(model)
            path = args.summary_dir / f"resnet50_summary_{edition}.tsv"
            path.write_text(
                "class\toutput_shape\tparams\textra\n"
                + "".join(
                    f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3:] if r[3:] else ''}\n" for r in rows
                )
            )
            total = model.count_params()
            print(f"{path.name}: {len(rows)} rows, {total:,} parameters")
            if published is not None:
                for problem in compare_summary(rows, published):
                    print(f"  {edition}: {problem}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
