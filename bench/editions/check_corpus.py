"""Check the per-edition corpora against this folder's reference, without the grader.

Usage: ``.venv/bin/python bench/editions/check_corpus.py [EDITION ... | NAME ...]``

For each edition under ``tests/corpus/editions/`` (``corpus.editions``): its
``solution.py`` and every ``correct/*.py`` must compute what ``blocks.py``
computes on every probe; every ``wrong`` variant (edits of ``solution.py``,
in ``corpus/editions/wrong.py``) must differ (or fail) on at least one. A
variant's cells are executed in a namespace holding the notebook's imports
(Keras 3 through ``tensorflow.keras``), after ``solution.py``'s cells, so a
variant that holds only ``ResNet50`` uses the solution's blocks. A NAME is a
variant's, ``EDITION/KIND/STEM``, or a file's path (``EDITION/solution`` for
``solution.py``).

Probes: the public tests' input with the constant initializer in both modes;
a hidden input (other shape, other filters) with an initializer no notebook
shows, in both modes; for ResNet50 the layer table (``reproduce.summary_rows``)
at the default arguments and at ``input_shape=(96, 96, 3), classes=4``. The
2021 edition's modes are its ``training`` argument; the later revision has
none, so both the file's block and the reference run inside ``blocks.in_mode``.
Prints one line per file; exits 1 if any file is not what its folder says.

``--notebooks DIR --tsv OUT`` runs the same probes on real notebooks
(``DIR/<edition>/<slug>.ipynb`` as ``collect.py`` writes them): the graded
functions' definitions (and the imports and helpers of their cells) are taken
from the notebook and run in the same namespace; OUT gets, per notebook and
function, ``matches`` or the first difference: a verdict without the grader,
to set beside the course's saved one and the grader's.
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent.parent / "tests"))
import blocks  # noqa: E402
from corpus.editions import FOLDER as CORPUS  # noqa: E402
from corpus.editions import variants  # noqa: E402
from reproduce import X, ones, summary_rows  # noqa: E402

IMPORTS = """
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers
from tensorflow.keras.layers import Input, Add, Dense, Activation, ZeroPadding2D, \
    BatchNormalization, Flatten, Conv2D, AveragePooling2D, MaxPooling2D, \
    GlobalMaxPooling2D
from tensorflow.keras.models import Model, load_model
from tensorflow.keras.initializers import random_uniform, glorot_uniform, constant, \
    identity
"""
HIDDEN = np.random.RandomState(7).randn(2, 6, 6, 5).astype(np.float32)
TOLERANCE = 1e-4


def probe_initializer(seed: int = 0) -> keras.initializers.Initializer:
    """An initializer no notebook shows; seeded, so every call draws the same."""
    return keras.initializers.RandomNormal(mean=0.1, stddev=0.4, seed=11)


class _Pool2(keras.layers.AveragePooling2D):
    """Keras 2's ``AveragePooling2D()``: ``pool_size`` defaulted to (2, 2)."""

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: str = "valid",
        **kwargs: Any,
    ) -> None:
        super().__init__(pool_size, strides, padding, **kwargs)


# The layer table names layers by class: this one must read as the original.
_Pool2.__name__ = "AveragePooling2D"


def _message(error: Exception) -> str:
    """An exception in one line: Keras wraps it in a call context and colours it."""
    lines = [
        line.strip()
        for line in re.sub(r"\x1b\[[0-9;]*m", "", str(error)).splitlines()
        if line.strip()
        and not line.startswith(("Exception encountered", "Arguments received"))
    ]
    return f"{type(error).__name__}: {lines[0] if lines else ''}"[:110]


def cells(path: Path) -> str:
    """The file's graded cells: everything from the first marker on."""
    text = path.read_text()
    start = text.find("# GRADED FUNCTION:")
    return text[start:] if start >= 0 else ""


def namespace(edition: str, source: str, keras2_pool: bool) -> dict[str, Any]:
    """The notebook's imports, the edition's solution, then ``source``."""
    space: dict[str, Any] = {}
    exec(IMPORTS, space)  # noqa: S102 - corpus files are this project's own
    exec(cells(CORPUS / edition / "solution.py"), space)  # noqa: S102
    exec(source, space)  # noqa: S102
    if keras2_pool:
        # After the source: a notebook's own import would put Keras 3's back.
        space["AveragePooling2D"] = _Pool2
    return space


def _block_probes(edition: str) -> list[tuple[str, str, dict[str, Any], Any, bool]]:
    """(name, function, arguments, input, training) for each block probe."""
    hidden_id = {"f": 3, "filters": [4, 3, 5]}
    hidden_conv = {"f": 3, "filters": [3, 4, 7]}
    probes = []
    for training in (False, True):
        mode = "training" if training else "inference"
        probes += [
            (f"public {mode}", "identity_block",
             {"f": 2, "filters": [4, 4, 3], "initializer": ones}, X, training),
            (f"hidden {mode}", "identity_block",
             {**hidden_id, "initializer": probe_initializer}, HIDDEN, training),
            (f"public {mode}", "convolutional_block",
             {"f": 2, "filters": [2, 4, 6], "initializer": probe_initializer}, X,
             training),
            (f"hidden {mode} s=2", "convolutional_block",
             {**hidden_conv, "s": 2, "initializer": probe_initializer}, HIDDEN,
             training),
            (f"hidden {mode} s=1", "convolutional_block",
             {**hidden_conv, "s": 1, "initializer": probe_initializer}, HIDDEN,
             training),
        ]  # fmt: skip
    return probes


def _call(
    edition: str, fn: Callable[..., Any], args: dict[str, Any], x: Any, training: bool
) -> np.ndarray:
    if edition == "2021":
        return np.asarray(fn(x, training=training, **args))
    return np.asarray(blocks.in_mode(lambda t: fn(t, **args), x, training))


def _reference(function: str, edition: str) -> Callable[..., Any]:
    ref = getattr(blocks, function)
    if edition == "2021":
        return ref  # type: ignore[no-any-return]
    return lambda x, **kw: ref(x, forward=False, **kw)


def differences(edition: str, space: dict[str, Any], functions: set[str]) -> list[str]:
    """Each probe on which the namespace's functions differ from the reference."""
    found = []
    for name, function, args, x, training in _block_probes(edition):
        if function not in functions:
            continue
        try:
            got = _call(edition, space[function], args, x, training)
        except Exception as error:  # noqa: BLE001 - a failing probe is a finding
            found.append(f"{function} {name}: {_message(error)}")
            continue
        want = _call(edition, _reference(function, edition), args, x, training)
        if got.shape != want.shape:
            found.append(f"{function} {name}: shape {got.shape}, expected {want.shape}")
        elif not np.allclose(got, want, atol=TOLERANCE, rtol=TOLERANCE):
            gap = float(np.max(np.abs(got - want)))
            found.append(f"{function} {name}: differs by up to {gap:.3g}")
    if "ResNet50" in functions:
        for kwargs in ({}, {"input_shape": (96, 96, 3), "classes": 4}):
            try:
                mine = summary_rows(space["ResNet50"](**kwargs))
            except Exception as error:  # noqa: BLE001
                found.append(f"ResNet50 {kwargs}: {_message(error)}")
                continue
            want = summary_rows(blocks.resnet50(**kwargs, edition=edition))
            if mine != want:
                first = next(
                    (i for i, (a, b) in enumerate(zip(mine, want, strict=False))
                     if a != b), min(len(mine), len(want)))  # fmt: skip
                found.append(
                    f"ResNet50 {kwargs or 'defaults'}: layer table differs from row "
                    f"{first} ({len(mine)} rows, expected {len(want)})"
                )
    return found


def sources(edition: str) -> list[tuple[str, str, bool]]:
    """The edition's solution, correct rewrites and wrong variants, in order:
    (name, source, whether it is a file that runs with Keras 2's pool)."""
    solution = CORPUS / edition / "solution.py"
    found = [(f"{edition}/solution", cells(solution), False)]
    for variant in variants("correct") + variants("wrong"):
        if variant.edition != edition:
            continue
        if variant.path is not None:  # a file of whole cells
            source, pool = cells(variant.path), "# keras3:" in variant.path.read_text()
        else:
            source, pool = "\n\n".join(cell for _, cell in variant.cells), False
        found.append((variant.name, source, pool))
    return found


def check(edition: str, only: list[str] | None = None) -> int:
    """Check one edition's corpus (or ``only`` those names); return the failures."""
    failures = 0
    for label, source, keras2_pool in sources(edition):
        if only is not None and label not in only:
            continue
        functions = set(re.findall(r"# GRADED FUNCTION: (\w+)", source))
        expect_wrong = label.split("/")[1] == "wrong"
        try:
            space = namespace(edition, source, keras2_pool)
            found = differences(edition, space, functions)
        except Exception:  # noqa: BLE001
            found = ["could not run: " + traceback.format_exc(limit=1).splitlines()[-1]]
        ok = bool(found) if expect_wrong else not found
        failures += not ok
        verdict = "differs" if found else "matches"
        print(f"{'ok ' if ok else 'BAD'} {label}: {verdict}")
        for line in found[:3]:
            print(f"      {line}")
        if keras2_pool:
            print("      (run with Keras 2's AveragePooling2D default, see the file)")
    return failures


#: The course's own modules: absent here, or (resnets_utils) this project's
#: version, whose names must not stand in for the notebook's.
COURSE_MODULES = {"resnets_utils", "public_tests", "test_utils", "outputs"}


def _course_module(node: Any) -> bool:
    names = [node.module or ""] if hasattr(node, "module") else []
    names += [alias.name for alias in node.names]
    return any(name.split(".")[0] in COURSE_MODULES for name in names)


def notebook_source(path: Path) -> str:
    """The graded functions' definitions in a notebook, with their cells' imports.

    Only definitions, imports and classes are kept: the rest of a cell (test
    calls, prints) needs the course's files, which are not here.
    """
    import ast
    import json

    import saved_verdicts as sv

    kept = []
    for cell in sv.code_cells(json.loads(path.read_text(encoding="utf-8"))):
        source = sv._python(sv._source(cell))
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        # Every cell's imports (the notebook's import cell names what its
        # functions use), each guarded: the course's own modules are not here.
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom) and not _course_module(
                node
            ):
                statement = ast.get_source_segment(source, node) or ""
                kept.append(f"try:\n    {statement}\nexcept Exception:\n    pass")
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        if not names & set(sv.FUNCTIONS):
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                kept.append(ast.get_source_segment(source, node) or "")
    return "\n\n".join(kept)


def check_notebooks(folder: Path, out: Path) -> int:
    """Probe every notebook of a known later edition; write the TSV."""
    rows = ["slug\tedition\t" + "\t".join(("identity_block", "convolutional_block",
                                          "ResNet50"))]  # fmt: skip
    for path in sorted(folder.rglob("*.ipynb")):
        edition = path.parent.name
        if edition not in blocks.EDITIONS:
            continue
        verdicts = []
        source = notebook_source(path)
        for function in ("identity_block", "convolutional_block", "ResNet50"):
            if f"def {function}(" not in source:
                verdicts.append("absent")
                continue
            try:
                space = namespace(edition, source, keras2_pool=True)
                found = differences(edition, space, {function})
            except Exception as error:  # noqa: BLE001
                found = [f"could not run: {_message(error)}"]
            verdicts.append(found[0] if found else "matches")
        rows.append(f"{path.stem}\t{edition}\t" + "\t".join(verdicts))
        print(rows[-1], flush=True)
    out.write_text("\n".join(rows) + "\n")
    return 0


def main(argv: list[str]) -> int:
    """Check the editions named, or all; or real notebooks with --notebooks."""
    if argv[:1] == ["--notebooks"]:
        return check_notebooks(Path(argv[1]), Path(argv[argv.index("--tsv") + 1]))
    # A variant's name, or a file's path: its last parts are its name.
    names = ["/".join(Path(a).with_suffix("").parts[-3:]) for a in argv if "/" in a]
    names = [name.removeprefix("editions/") for name in names]
    if names:
        failures = sum(check(edition, names) for edition in blocks.EDITIONS)
        print(f"{failures} file(s) not as their folder says")
        return 1 if failures else 0
    editions = argv or list(blocks.EDITIONS)
    failures = sum(check(edition) for edition in editions)
    print(f"{failures} file(s) not as their folder says")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
