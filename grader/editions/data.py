"""An edition as data: a TOML file beside its solution notebook.

An instructor's edition is a folder, ``DIR/NAME/``::

    edition.toml              what this module reads (below)
    Residual_Networks.ipynb   the solution: the reference, and the signatures
    expected.json, *.tsv      the numbers the course published, if any

``edition.toml``::

    name = "2021-gelu"
    description = "blocks take an activation; layers are not named"
    solution = "Residual_Networks.ipynb"
    layer_names = false

    # Optional: the course's published numbers, which the solution must
    # reproduce; a file beside this one or one of the grader's fixtures.
    # Without them, a student's answers are compared with the solution's.
    [published]
    expected = "expected_2021.json"
    layer_table = "resnet50_layers_2021.tsv"

    # The calls the grader makes. Keys "seeded", "seeded-training" and
    # "default" are the notebook's own examples (students see them); any
    # other key is hidden. An initializer is a table naming Keras' class.
    [[probes]]
    function = "identity_block"
    key = "hidden"
    input_shape = [5, 7, 8]
    arguments = { f = 3, filters = [3, 5, 8], activation = "tanh",
                  initializer = { initializer = "Orthogonal", gain = 0.5 } }

    [[checks]]
    function = "identity_block"
    check = "hidden inputs, inference"
    points = 5
    visible = false

The graded functions' signatures are the solution's ``def`` lines; whether
the blocks take ``training`` and ``initializer`` follows from them. How an
example runs (its input, kernels, what is compared) is ``[examples.FUNCTION]``
where no published numbers say it. Errors are one line naming the file
(``EditionError``). ``write`` writes such a file back.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project's CI runs 3.11
    import tomli as tomllib

from grader.editions.model import CHECK_NAMES, CheckRow, Edition, Example
from grader.editions.probes import FUNCTIONS, INITIALIZER, Probe, initializer
from grader.errors import GraderError

FILE = "edition.toml"
"""The data file's name in an edition's folder."""
BLOCKS = ("identity_block", "convolutional_block")
KEYS = {
    "name",
    "description",
    "solution",
    "layer_names",
    "published",
    "examples",
    "probes",
    "checks",
}
EXAMPLE_KEYS = {"input", "kernels", "output", "atol", "rtol", "training"}


class EditionError(GraderError, ValueError):
    """An edition's folder or data file is wrong; the message names the file."""


def load_all(folder: Path) -> list[Edition]:
    """The editions in ``folder``: itself one, or each of its folders with one."""
    if (folder / FILE).is_file():
        return [load(folder)]
    if not folder.is_dir():
        raise EditionError(f"{folder}: no such folder of editions")
    found = [load(sub) for sub in sorted(folder.iterdir()) if (sub / FILE).is_file()]
    if not found:
        raise EditionError(
            f"{folder}: no edition in it (a folder NAME/ with {FILE}; "
            "grader edition new writes one)"
        )
    return found


def load_shipped(folder: Path) -> list[Edition]:
    """The grader's own editions: ``folder``'s (2020's), then its folders', by name.

    Their data and solutions are the grader's version's (``grader_version``
    digests them): they carry no digest of their own.
    """
    found = [folder] if (folder / FILE).is_file() else []
    found += sorted(sub for sub in folder.iterdir() if (sub / FILE).is_file())
    return [replace(load(sub), digest="") for sub in found]


def load(folder: Path) -> Edition:
    """The edition in ``folder`` (its ``edition.toml`` and solution)."""
    path = folder / FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EditionError(f"{folder}: no {FILE} in this folder") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EditionError(f"{path}: cannot be read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise EditionError(f"{path}: not a valid TOML file ({exc})") from None
    return _edition(path, data)


def _edition(path: Path, data: dict[str, Any]) -> Edition:
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise EditionError(f"{path}: unknown key {unknown[0]!r}")
    name = _text(path, data, "name")
    solution = path.parent / _text(path, data, "solution")
    if not solution.is_file():
        raise EditionError(f"{path}: its solution {solution.name} is not beside it")
    signatures = solution_signatures(solution)
    missing = [f for f in FUNCTIONS if f not in signatures]
    if missing:
        raise EditionError(
            f"{path}: its solution {solution.name} defines no {missing[0]}"
        )
    published = data.get("published", {})
    if not isinstance(published, dict) or set(published) - {"expected", "layer_table"}:
        raise EditionError(
            f"{path}: [published] takes expected and layer_table, file names"
        )
    blocks = [_parameters(signatures[f]) for f in BLOCKS]
    return Edition(
        name=name,
        description=str(data.get("description", "")),
        signatures=signatures,
        probes=tuple(_probe(path, entry) for entry in _list(path, data, "probes")),
        checks=tuple(_check(path, entry) for entry in _list(path, data, "checks")),
        expected=_published(path, published.get("expected")),
        layer_table=_published(path, published.get("layer_table")),
        layer_names=bool(data.get("layer_names", False)),
        training=all("training" in names for names in blocks),
        initializer=all("initializer" in names for names in blocks),
        solution=solution,
        examples=_examples(path, data.get("examples", {})),
        digest=hashlib.sha256(path.read_bytes() + solution.read_bytes()).hexdigest()[
            :16
        ],
    )


def _text(path: Path, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise EditionError(f'{path}: {key} must be a text, such as {key} = "..."')
    return value


def _list(path: Path, data: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise EditionError(f"{path}: {key} must be [[{key}]] tables")
    return value


def _published(path: Path, name: object) -> str:
    """A published file: beside the data file, else one of the grader's fixtures."""
    if name is None:
        return ""
    if not isinstance(name, str):
        raise EditionError(f"{path}: [published] names files, not {name!r}")
    beside = path.parent / name
    if beside.is_file():
        return str(beside.resolve())
    from importlib import resources

    if resources.files("grader.fixtures").joinpath(name).is_file():
        return name
    raise EditionError(f"{path}: no published file {name} beside it")


def _probe(path: Path, entry: dict[str, Any]) -> Probe:
    where = f"{path}: probe {entry.get('function')!r} {entry.get('key')!r}"
    if set(entry) - {"function", "key", "input_shape", "arguments"}:
        raise EditionError(
            f"{where}: a probe takes function, key, input_shape and arguments"
        )
    function, key = entry.get("function"), entry.get("key")
    if function not in FUNCTIONS or not isinstance(key, str):
        raise EditionError(f"{where}: function must be one of {', '.join(FUNCTIONS)}")
    arguments = entry.get("arguments", {})
    if not isinstance(arguments, dict):
        raise EditionError(f"{where}: arguments must be a table")
    shape = entry.get("input_shape")
    if (function in BLOCKS) != (shape is not None):
        raise EditionError(
            f"{where}: a block's probe has an input_shape, ResNet50's has none"
        )
    kwargs = {name: _argument(where, value) for name, value in arguments.items()}
    if function == "ResNet50" and "input_shape" in kwargs:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    return Probe(function, key, kwargs, None if shape is None else tuple(shape))


def _argument(where: str, value: Any) -> Any:
    """A probe argument as the grader passes it.

    ``{initializer = "Orthogonal", gain = 0.5}`` stands for ``lambda seed=0:
    Orthogonal(gain=0.5)``; anything else is passed as it is.
    """
    if isinstance(value, dict):
        if "initializer" not in value:
            raise EditionError(
                f"{where}: a table argument names an initializer: "
                '{ initializer = "Orthogonal", gain = 0.5 }'
            )
        config = {k: v for k, v in value.items() if k != "initializer"}
        return initializer(str(value["initializer"]), **config)
    return value


def _check(path: Path, entry: dict[str, Any]) -> CheckRow:
    function, name = entry.get("function"), entry.get("check")
    if set(entry) - {"function", "check", "points", "visible"}:
        raise EditionError(f"{path}: a check takes function, check, points and visible")
    if not isinstance(function, str) or function not in CHECK_NAMES:
        raise EditionError(f"{path}: no graded function is called {function!r}")
    if name not in CHECK_NAMES[function]:
        known = ", ".join(CHECK_NAMES[function])
        raise EditionError(
            f"{path}: {function} has no check {name!r} (its checks: {known})"
        )
    points = entry.get("points")
    if not isinstance(points, (int, float)) or points < 0:
        raise EditionError(f"{path}: {function}: {name}: points must be 0 or more")
    return CheckRow(str(function), str(name), float(points), bool(entry.get("visible")))


def _examples(path: Path, data: object) -> dict[str, Example]:
    if not isinstance(data, dict):
        raise EditionError(f"{path}: [examples.FUNCTION] are tables")
    found = {}
    for function, spec in data.items():
        if function not in BLOCKS or not isinstance(spec, dict):
            raise EditionError(f"{path}: [examples.{function}]: not a block")
        if set(spec) - EXAMPLE_KEYS:
            keys = ", ".join(sorted(EXAMPLE_KEYS))
            raise EditionError(f"{path}: [examples.{function}] takes {keys}")
        found[function] = Example(
            input=str(spec.get("input", "minus-one-one-three")),
            kernels=str(spec.get("kernels", "stateless-glorot")),
            output=str(spec.get("output", "out")),
            atol=float(spec.get("atol", 1e-5)),
            rtol=float(spec.get("rtol", 1e-5)),
        )
    return found


def solution_signatures(solution: Path) -> dict[str, str]:
    """The graded functions' signatures, as the solution's ``def`` lines write them.

    The last ``def`` of each in the notebook's code cells, as it would run.
    """
    import nbformat

    try:
        nb = nbformat.read(solution, as_version=4)
    except Exception as exc:  # nbformat raises many kinds on a bad file
        raise EditionError(f"{solution}: not a readable notebook ({exc})") from None
    found = {}
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS:
                found[node.name] = f"{node.name}({ast.unparse(node.args)})"
    return found


def _parameters(signature: str) -> list[str]:
    node = ast.parse(f"def {signature}: pass").body[0]
    assert isinstance(node, ast.FunctionDef)
    args = node.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]


def write(edition: Edition, folder: Path) -> Path:
    """Write ``edition`` as ``folder/edition.toml``; return its path.

    Its solution is named by its file name: the caller puts it beside.
    """
    lines = [
        f"# The {edition.name} edition of the Residual Networks assignment, as data",
        "# (see `grader edition check --help`). The graded functions' signatures",
        "# are the solution's def lines.",
        f"name = {_toml(edition.name)}",
        f"description = {_toml(edition.description)}",
        f"solution = {_toml(edition.solution.name)}",
        f"layer_names = {_toml(edition.layer_names)}",
    ]
    if edition.expected or edition.layer_table:
        lines += ["", "[published]"]
        if edition.expected:
            lines.append(f"expected = {_toml(Path(edition.expected).name)}")
        if edition.layer_table:
            lines.append(f"layer_table = {_toml(Path(edition.layer_table).name)}")
    for function, spec in edition.examples.items():
        lines += ["", f"[examples.{function}]"]
        lines += [f"{key} = {_toml(value)}" for key, value in vars(spec).items()]
    for probe in edition.probes:
        arguments = ", ".join(
            f"{name} = {_toml(_as_data(value))}" for name, value in probe.kwargs.items()
        )
        lines += ["", "[[probes]]", f"function = {_toml(probe.function)}"]
        lines.append(f"key = {_toml(probe.key)}")
        if probe.input_shape is not None:
            lines.append(f"input_shape = {_toml(list(probe.input_shape))}")
        lines.append(f"arguments = {{ {arguments} }}")
    for row in edition.checks:
        lines += ["", "[[checks]]", f"function = {_toml(row.function)}"]
        lines.append(f"check = {_toml(row.name)}")
        points = int(row.points) if float(row.points).is_integer() else row.points
        lines.append(f"points = {_toml(points)}")
        lines.append(f"visible = {_toml(row.visible)}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _as_data(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {INITIALIZER}:
        spec = value[INITIALIZER]
        return {"initializer": spec["class_name"], **spec["config"]}
    if isinstance(value, tuple):
        return list(value)
    return value


def _toml(value: Any) -> str:
    """``value`` as TOML writes it (inline tables for dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{k} = {_toml(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    raise TypeError(f"not TOML data: {value!r}")
