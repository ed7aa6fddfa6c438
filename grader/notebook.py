"""Reading notebooks and finding the graded cells in them."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from grader import errors
from grader.probes import FUNCTIONS

MARKER = re.compile(r"^\s*#\s*GRADED FUNCTION:\s*(\w+)", re.MULTILINE)
START = "### START CODE HERE ###"
END = "### END CODE HERE ###"
MAGIC = re.compile(r"^\s*[%!]")
LEGACY_APIS = {
    r"\bset_learning_phase\b": "K.set_learning_phase",
    r"\breset_default_graph\b": "tf.reset_default_graph",
    r"\btf\.Session\b": "tf.Session",
    r"\btf\.placeholder\b": "tf.placeholder",
    r"\bglobal_variables_initializer\b": "tf.global_variables_initializer",
    r"\bvis_utils\b": "keras.utils.vis_utils",
    r"\bscipy\.misc\.imread\b": "scipy.misc.imread",
    r"\bscipy\.misc\.imresize\b": "scipy.misc.imresize",
    r"\bkeras\.utils\.data_utils\b": "keras.utils.data_utils",
}
"""Names from TensorFlow 1, Keras 2 and old SciPy that older editions use."""
SIGNATURES = {
    "identity_block": "identity_block(X, f, filters, stage, block)",
    "convolutional_block": "convolutional_block(X, f, filters, stage, block, s=2)",
    "ResNet50": "ResNet50(input_shape=(64, 64, 3), classes=6)",
}
"""The signatures of the assignment's graded functions, as students see them."""


@dataclass(frozen=True)
class GradedCell:
    """The source of the cell that defines one graded function."""

    function: str
    index: int
    source: str
    marked: bool

    @property
    def is_stub(self) -> bool:
        """Whether every statement between START and END is still ``name = None``."""
        return is_stub(self.source)

    @property
    def signature_problem(self) -> str | None:
        """Why the grader's calls cannot work with this ``def``, or None."""
        return signature_problem(self.function, self.source)


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook file as nbformat 4, or raise ``NotebookError`` saying why."""
    path = Path(path)
    shown = str(path)
    if not path.exists():
        raise errors.NotebookError(errors.NO_SUCH_FILE.format(path=shown), path=shown)
    if path.is_dir():
        raise errors.NotebookError(errors.IS_A_DIRECTORY.format(path=shown), path=shown)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise errors.NotebookError(
            errors.UNREADABLE.format(path=shown, reason=exc), path=shown
        ) from None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise errors.NotebookError(
            errors.NOT_JSON.format(path=shown, reason=exc), path=shown
        ) from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise errors.NotebookError(
            errors.NOT_A_NOTEBOOK.format(path=shown, reason="no cells"), path=shown
        )
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises many kinds on malformed input
        raise errors.NotebookError(
            errors.NOT_A_NOTEBOOK.format(path=shown, reason=exc), path=shown
        ) from None


def find_graded_cells(nb: nbformat.NotebookNode) -> dict[str, GradedCell]:
    """Return, per graded function, the cell that defines it.

    A cell marked ``# GRADED FUNCTION: name`` wins; a notebook that lost its
    markers still has its cells found by the ``def``. When several cells
    qualify, the last one counts, as it would in a kernel run top to bottom.
    """
    found: dict[str, GradedCell] = {}
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.source
        marked = {m.group(1) for m in MARKER.finditer(source)}
        for function in FUNCTIONS:
            if function in marked:
                found[function] = GradedCell(function, index, source, True)
            elif function in defined_functions(source):
                previous = found.get(function)
                if previous is None or not previous.marked:
                    found[function] = GradedCell(function, index, source, False)
    return found


def _parse(source: str) -> ast.Module | None:
    """Parse a cell's code with IPython magics blanked out; None if it won't parse."""
    code = "\n".join("" if MAGIC.match(line) else line for line in source.splitlines())
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def defined_functions(source: str) -> set[str]:
    """Names of the functions a cell defines at top level (magics ignored)."""
    tree = _parse(source)
    if tree is None:
        return set(re.findall(r"^def\s+(\w+)\s*\(", source, re.MULTILINE))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def code_regions(lines: list[str]) -> list[tuple[int, int]]:
    """Return (start, end) line indexes of each START/END marker pair."""
    regions, start = [], None
    for number, line in enumerate(lines):
        if START in line and start is None:
            start = number
        elif END in line and start is not None:
            regions.append((start, number))
            start = None
    return regions


def is_stub(source: str) -> bool:
    """Whether the START/END regions hold only ``name = None`` statements."""
    lines = source.splitlines()
    regions = code_regions(lines)
    if not regions:
        return False
    for start, end in regions:
        body = [line.strip() for line in lines[start + 1 : end]]
        code = [line for line in body if line and not line.startswith("#")]
        if any(not re.fullmatch(r"\w+\s*=\s*None", line) for line in code):
            return False
    return True


def signature_problem(function: str, source: str) -> str | None:
    """Say how ``function``'s ``def`` in ``source`` differs from the assignment's.

    The grader calls blocks as ``f(X, f=..., filters=..., stage=..., block=...)``
    (plus ``s=...``) and ``ResNet50(input_shape=..., classes=...)``; a ``def``
    that cannot take those calls is another version of the assignment.
    """
    from grader.probes import probes_for

    node = _function_def(function, source)
    if node is None:
        return None
    args = node.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    blocks = function != "ResNet50"
    if blocks and not positional:
        return _other_signature(function, node)
    keywords = positional[1:] if blocks else positional
    accepted = {*keywords, *(a.arg for a in args.kwonlyargs)}
    given = {name for spec in probes_for(function) for name in spec.kwargs}
    if args.kwarg is None and not given <= accepted:
        return _other_signature(function, node)
    defaults = len(args.defaults)
    required = positional[1 if blocks else 0 : len(positional) - defaults]
    required += [
        a.arg
        for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is None
    ]
    if any(name not in given for name in required):
        return _other_signature(function, node)
    return None


def _other_signature(function: str, node: ast.FunctionDef) -> str:
    theirs = f"{function}({ast.unparse(node.args)})"
    return f"{theirs} does not take the arguments of {SIGNATURES[function]}"


def _function_def(function: str, source: str) -> ast.FunctionDef | None:
    tree = _parse(source)
    if tree is None:
        return None
    defs = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == function
    ]
    return defs[-1] if defs else None


def check_assignment(graded: dict[str, GradedCell], path: str) -> None:
    """Raise ``NotAssignmentError`` unless some graded function is gradable."""
    if not graded:
        raise errors.NotAssignmentError(
            errors.NO_GRADED_FUNCTIONS.format(path=path), path=path
        )
    problems = [cell.signature_problem for cell in graded.values()]
    if all(problems):
        details = "; ".join(p for p in problems if p)
        raise errors.NotAssignmentError(
            errors.OTHER_SIGNATURES.format(path=path, details=details), path=path
        )


def notebook_notes(
    nb: nbformat.NotebookNode, graded: dict[str, GradedCell]
) -> list[str]:
    """Information about the parts of a notebook that are not graded.

    Cells that only run under TensorFlow 1 or Keras 2, and cells saved with an
    error, are listed so that a student knows they cost nothing: the grader
    runs the graded cells only.
    """
    notes = []
    if nb.get("nbformat_minor", 5) < 5:
        notes.append(
            f"saved in notebook format 4.{nb.get('nbformat_minor')} "
            "(an older Jupyter); read as it is"
        )
    graded_cells = {cell.index for cell in graded.values()}
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or index in graded_cells:
            continue
        legacy = [
            name
            for pattern, name in LEGACY_APIS.items()
            if re.search(pattern, cell.source)
        ]
        if legacy:
            notes.append(
                f"cell {index + 1} (not graded) uses {', '.join(legacy)}, gone "
                "from today's TensorFlow, Keras or SciPy; it is not run and costs "
                "no points"
            )
        saved = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if saved:
            notes.append(
                f"cell {index + 1} (not graded) was saved with an error "
                f"({saved[0].get('ename')}: {str(saved[0].get('evalue'))[:120]}); "
                "it is not run and costs no points"
            )
    return notes
