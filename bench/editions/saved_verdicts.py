"""What a notebook's saved outputs say: its edition and the course's own verdicts.

Usage: ``python bench/editions/saved_verdicts.py NOTEBOOK.ipynb ...`` prints,
per notebook, the edition judged from the graded functions' signatures and,
per graded function, the verdict its own public test printed when the student
last ran it. No TensorFlow and no grader: only the notebook's JSON is read.

Verdicts:

- ``passed``: the test's cell printed "All tests passed!" (the 2021-era
  tests) or, in the 2020 edition (no tests, only an "expected output"), the
  printed vector or parameter count equals the notebook's expected one;
- ``failed: TEXT``: the cell raised ``AssertionError`` (TEXT is its message)
  or, in 2020, printed something else;
- ``error: NAME: TEXT``: the cell raised another exception;
- ``no verdict``: the cell ran but printed neither;
- ``not run``: no cell with that test has outputs (or none exists).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FUNCTIONS = ("identity_block", "convolutional_block", "ResNet50")
EDITIONS = ("2020", "2021", "2021-initializer-only")

# Cells that test a function, by what their source calls. The 2021-era
# notebooks call ``public_tests.*_test``; one revision tests the
# convolutional block inline against ``convolutional_block_output1``; the
# layer table is checked with ``comparator(summary(model), ResNet50_summary)``.
# The 2020 notebook prints the blocks' seeded vectors and the summary.
TEST_CALLS = {
    "identity_block": (r"identity_block_test\s*\(", r"identity_block\(A_prev"),
    "convolutional_block": (
        r"convolutional_block_test\s*\(",
        r"convolutional_block_output1",
        r"convolutional_block\(A_prev",
    ),
    "ResNet50": (r"comparator\s*\(\s*summary\s*\(", r"ResNet50_test\s*\("),
}
PASSED = "All tests passed"
# The 2020 notebook's expected outputs (``out[1][1][0]`` of the seeded blocks).
# Colab and tf.compat.v1 runs printed another identity vector for correct code.
EXPECTED_2020 = {
    "identity_block": (
        (0.94822985, 0.0, 1.16101444, 2.747859, 0.0, 1.36677003),
        (0.19716828, 0.0, 1.3561226, 2.1713073, 0.0, 1.3324987),
    ),
    "convolutional_block": (
        (0.09018463, 1.23489773, 0.46822017, 0.0367176, 0.0, 0.65516603),
    ),
}
TOTAL_PARAMS_2020 = "23,600,006"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NUMBERS = re.compile(r"-?\d+\.\d*(?:e-?\d+)?|-?\d+\.|(?<![\w.])0(?![\w.])")


@dataclass(frozen=True)
class Reading:
    """One notebook read: its edition and a verdict per graded function."""

    edition: str
    signatures: dict[str, tuple[str, ...]]
    verdicts: dict[str, str]


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _python(source: str) -> str:
    """The cell without IPython's magics and shell lines, which ``ast`` rejects."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )


def code_cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    """The notebook's code cells, in order."""
    return [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]


def signatures(notebook: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Each graded function's parameter names, from its last definition."""
    found: dict[str, tuple[str, ...]] = {}
    for cell in code_cells(notebook):
        try:
            tree = ast.parse(_python(_source(cell)))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS:
                args = node.args
                names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                found[node.name] = tuple(names)
    return found


def edition(found: dict[str, tuple[str, ...]]) -> str:
    """The edition the blocks' signatures name, or ``unknown``.

    ``stage``/``block`` is 2020; ``training`` and ``initializer`` is 2021;
    ``initializer`` alone is the revision without ``training``. Both blocks
    must agree; ResNet50's signature is the same in every edition.
    """
    kinds = set()
    for name in ("identity_block", "convolutional_block"):
        params = set(found.get(name, ()))
        if not params:
            return "unknown"
        if {"stage", "block"} <= params:
            kinds.add("2020")
        elif {"training", "initializer"} <= params:
            kinds.add("2021")
        elif "initializer" in params:
            kinds.add("2021-initializer-only")
        else:
            kinds.add("unknown")
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _outputs_text(cell: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    text = []
    error = None
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            error = output
        elif "text" in output:
            text.append(_source({"source": output["text"]}))
        else:
            text.append(
                _source({"source": output.get("data", {}).get("text/plain", "")})
            )
    return _ANSI.sub("", "".join(text)), error


def _vector_verdict(function: str, text: str) -> str:
    """The 2020 verdict: does a printed six-number vector equal an expected one?"""
    for line in re.findall(r"\[[^\[\]]*\]", text):
        values = [float(v) for v in _NUMBERS.findall(line)]
        if len(values) != 6:
            continue
        for expected in EXPECTED_2020[function]:
            if all(abs(a - b) <= 1e-5 for a, b in zip(values, expected, strict=True)):
                return "passed"
        return f"failed: printed {line.strip()}"
    return "no verdict"


def _verdict(function: str, cells: Iterable[dict[str, Any]], old: bool) -> str:
    ran = [c for c in cells if c.get("outputs")]
    if not ran:
        return "not run"
    text, error = _outputs_text(ran[-1])
    if error is not None:
        message = " ".join(_ANSI.sub("", str(error.get("evalue", ""))).split())
        if error.get("ename") == "AssertionError":
            return f"failed: {message}"[:160]
        return f"error: {error.get('ename')}: {message}"[:160]
    if PASSED in text:
        return "passed"
    if old and function in EXPECTED_2020:
        return _vector_verdict(function, text)
    return "no verdict"


def verdicts(notebook: dict[str, Any], which: str) -> dict[str, str]:
    """The course's own verdict per graded function, from saved outputs."""
    cells = code_cells(notebook)
    result = {}
    for function in FUNCTIONS:
        if which == "2020" and function == "ResNet50":
            result[function] = _params_verdict(cells)
            continue
        patterns = [re.compile(p) for p in TEST_CALLS[function]]
        tests = [
            c
            for c in cells
            if any(p.search(_source(c)) for p in patterns)
            and f"def {function}(" not in _source(c)
        ]
        result[function] = _verdict(function, tests, which == "2020")
    return result


def _params_verdict(cells: list[dict[str, Any]]) -> str:
    """2020's ResNet50: the total parameters ``model.summary()`` printed."""
    for cell in reversed(cells):
        text, _ = _outputs_text(cell)
        match = re.search(r"Total params: ([\d,]+)", text)
        if match:
            if match.group(1) == TOTAL_PARAMS_2020:
                return "passed"
            return f"failed: Total params: {match.group(1)}"
    return "not run"


def read(path: Path) -> Reading:
    """Read one notebook file."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = signatures(notebook)
    which = edition(found)
    return Reading(which, found, verdicts(notebook, which))


def main(argv: list[str]) -> int:
    """Print each notebook's edition and verdicts, tab-separated."""
    if not argv:
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    print("notebook\tedition\t" + "\t".join(FUNCTIONS))
    for name in argv:
        try:
            reading = read(Path(name))
        except (OSError, ValueError) as error:
            print(f"{name}: not a notebook ({error})", file=sys.stderr)
            continue
        row = [reading.verdicts[f] for f in FUNCTIONS]
        print(f"{name}\t{reading.edition}\t" + "\t".join(row))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
