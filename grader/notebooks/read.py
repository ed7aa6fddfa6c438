"""Reading notebooks and finding the graded cells in them.

Which edition a notebook is, whether it is this assignment at all, and notes
on its cells that are not graded: ``grader.notebooks.recognise``.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from grader import errors
from grader.editions.probes import FUNCTIONS, Probe, probes_for

if TYPE_CHECKING:
    from collections.abc import Callable

    # Imported where a file is read: the hand-out's public checks (``grader
    # release``) use ``GradedCell`` where nbformat need not be installed.
    import nbformat

NOTEBOOK_LIMIT = 64 * 1024 * 1024
"""The largest notebook file read, in bytes; outputs make most of a large one."""
MARKER = re.compile(r"^[ \t]*#[ \t]*GRADED FUNCTION:[ \t]*(\w+)", re.MULTILINE)
"""The ``# GRADED FUNCTION: name`` line of a graded cell, name and all on one line."""
START = "### START CODE HERE ###"
"""The line that opens a region of solution code (``assign`` stubs it)."""
END = "### END CODE HERE ###"
"""The line that closes it."""
MAGIC = re.compile(r"^\s*[%!]")
SIGNATURES = {
    "identity_block": "identity_block(X, f, filters, stage, block)",
    "convolutional_block": "convolutional_block(X, f, filters, stage, block, s=2)",
    "ResNet50": "ResNet50(input_shape=(64, 64, 3), classes=6)",
}
"""The signatures of the assignment's graded functions, as students see them."""
BLOCKS = ("identity_block", "convolutional_block")
"""The graded functions whose signatures tell the assignment's editions apart."""


STUB = "{function} is still the stub: write your code between {start} and {end}"
"""Why a function still the stub cannot be probed, as the report says it."""


@dataclass(frozen=True)
class GradedCell:
    """The source of the cell that defines one graded function, as read.

    What the grading asks of a cell is worked out once, when it is made
    (and made again by ``dataclasses.replace``): the kernel and the judge read
    these fields and never call back into this module.
    """

    function: str
    index: int
    source: str
    marked: bool
    #: The edition it is graded as (``grader.editions``); None: 2020's.
    edition: str | None = None
    #: Whether every statement between START and END is still ``name = None``.
    is_stub: bool = dataclasses.field(init=False)
    #: Why the grader's calls cannot work with this ``def``, or None.
    signature_problem: str | None = dataclasses.field(init=False)
    #: Why the function cannot be probed at all (the stub, another
    #: signature), in the report's words; None where it can.
    problem: str | None = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        stub = is_stub(self.source)
        signature = signature_problem(self.function, self.source, self.edition)
        stubbed = STUB.format(function=self.function, start=START, end=END)
        object.__setattr__(self, "is_stub", stub)
        object.__setattr__(self, "signature_problem", signature)
        object.__setattr__(self, "problem", stubbed if stub else signature)


def parameters(cell: GradedCell) -> list[str] | None:
    """The cell's ``def`` parameters (``*args``, ``**kwargs`` written so), or None.

    None: the cell has no ``def`` of its function that parses.
    """
    node = _function_def(cell.function, cell.source)
    return None if node is None else _parameter_names(node.args)


def read_notebook(path: str | Path) -> nbformat.NotebookNode:
    """Read a notebook file as nbformat 4, or raise ``NotebookError`` saying why.

    Older formats (3 and before) are converted, as Jupyter does when it opens
    them. The file's size is checked before it is read: a file over
    ``NOTEBOOK_LIMIT`` bytes is refused. A notebook without cells raises
    ``NotAssignmentError``. Every message is one line that names the file.
    """
    return parse_notebook(read_bytes(path), str(path))


def read_bytes(path: str | Path) -> bytes:
    """A notebook file's bytes, read once; ``NotebookError`` where they can't be.

    A file over ``NOTEBOOK_LIMIT`` bytes is refused before it is read.
    """
    path = Path(path)
    fail = _failing(str(path))
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise fail(errors.NO_SUCH_FILE) from None
    except OSError as exc:
        raise fail(errors.UNREADABLE, reason=_reason(exc)) from None
    if stat.S_ISDIR(status.st_mode):
        raise fail(errors.IS_A_DIRECTORY)
    if not stat.S_ISREG(status.st_mode):
        raise fail(errors.NOT_A_FILE)
    if status.st_size > NOTEBOOK_LIMIT:
        raise fail(errors.TOO_LARGE, **_sizes(status.st_size), name=path.name)
    try:
        with path.open("rb") as file:
            data = file.read(NOTEBOOK_LIMIT + 1)  # no more, should it have grown
    except OSError as exc:
        raise fail(errors.UNREADABLE, reason=_reason(exc)) from None
    if len(data) > NOTEBOOK_LIMIT:
        raise fail(errors.TOO_LARGE, **_sizes(len(data)), name=path.name)
    return data


def parse_notebook(data: bytes, shown: str) -> nbformat.NotebookNode:
    """A notebook file's bytes as nbformat 4 (see ``read_notebook``).

    ``shown`` is the file as messages name it.
    """
    fail = _failing(shown)
    try:
        text = data.decode("utf-8-sig")  # a byte order mark is harmless
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = f"0x{data[exc.start]:02x}"
        raise fail(errors.NOT_UTF8, byte=byte, line=line) from None
    if not text.strip():
        raise fail(errors.EMPTY_FILE, size=len(data))
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated"):
            raise fail(errors.TRUNCATED, reason=_reason(exc)) from None
        raise fail(errors.NOT_JSON, reason=_reason(exc)) from None
    except (ValueError, RecursionError) as exc:
        raise fail(errors.NOT_JSON, reason=_reason(exc)) from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise fail(errors.NOT_A_NOTEBOOK, reason="no cells")
    problem = _header_problem(raw)
    if problem:
        raise fail(errors.NOT_A_NOTEBOOK, reason=problem)
    import nbformat

    try:
        with warnings.catch_warnings():  # e.g. cells without ids, fixed on reading
            warnings.simplefilter("ignore")
            nb: nbformat.NotebookNode = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises many kinds on malformed input
        raise fail(errors.NOT_A_NOTEBOOK, reason=_reason(exc)) from None
    problem = _cells_problem(nb)
    if problem:
        raise fail(errors.NOT_A_NOTEBOOK, reason=problem)
    if not nb.cells:
        raise fail(errors.EMPTY_NOTEBOOK, errors.NotAssignmentError)
    return nb


def _failing(shown: str) -> Callable[..., errors.NotebookError]:
    """The error maker of one file: a template and its fields, as one line."""

    def fail(
        template: str,
        error: type[errors.NotebookError] = errors.NotebookError,
        **fields: object,
    ) -> errors.NotebookError:
        return error(template.format(path=shown, **fields), path=shown)

    return fail


class _Sizes(TypedDict):
    """A file's size and the limit, as ``TOO_LARGE``'s fields."""

    size: str
    limit: str


def _sizes(size: int) -> _Sizes:
    """A file's size and the limit, in megabytes rounded up: "200 MB", "64 MB"."""

    def megabytes(count: int) -> str:
        return f"{math.ceil(count * 10 / 2**20) / 10:g} MB"

    return {"size": megabytes(size), "limit": megabytes(NOTEBOOK_LIMIT)}


def _reason(exc: BaseException) -> str:
    """The first line of an exception's message, short enough for one line."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = lines[0] if lines else type(exc).__name__
    return reason if len(reason) <= 200 else reason[:199] + "…"


def _header_problem(raw: dict[str, Any]) -> str | None:
    """What, in a notebook's top-level fields, nbformat would choke on."""
    for field in ("nbformat", "nbformat_minor"):
        if field in raw and (
            not isinstance(raw[field], int) or isinstance(raw[field], bool)
        ):
            return f"its {field} is {json.dumps(raw[field])[:40]}, not a number"
    if not isinstance(raw.get("metadata", {}), dict):
        return "its metadata is not a JSON object"
    return None


def _cells_problem(nb: nbformat.NotebookNode) -> str | None:
    """What, in the cells the grader reads, is not shaped like a notebook's."""
    if not isinstance(nb.get("cells"), list):
        return "its cells are not a list"
    for number, cell in enumerate(nb.cells, start=1):
        if not isinstance(cell, dict):
            return f"cell {number} is not a JSON object"
        if cell.get("cell_type") != "code":
            continue
        if not isinstance(cell.get("source"), str):
            return f"code cell {number} has no source text"
        outputs = cell.get("outputs", [])
        if not isinstance(outputs, list) or not all(
            isinstance(output, dict) for output in outputs
        ):
            return f"the outputs of code cell {number} are not a list of objects"
    return None


def own_imports(nb: nbformat.NotebookNode) -> str:
    """The notebook's own top-level imports, as one cell that cannot fail.

    Only the graded cells run, after the assignment's imports; a student who
    imported other names in an import cell of their own (``RandomUniform``
    from ``keras.initializers`` for a default argument) needs them too. Each
    statement is written again from its syntax tree and wrapped so that one
    that fails (a TensorFlow 1 name, a helper the course's module had) is
    skipped. The grader's ``AveragePooling2D`` (Keras 2's default pool size)
    is put back last, in case an import replaced it. Empty where there are
    none. It runs in the kernel, before the graded cells.
    """
    statements: list[str] = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        tree = _parse(cell.source)
        for node in tree.body if tree is not None else []:
            if isinstance(node, ast.Import | ast.ImportFrom) and not (
                isinstance(node, ast.ImportFrom) and node.module == "__future__"
            ):
                statement = ast.unparse(node)
                if statement not in statements:
                    statements.append(statement)
    if not statements:
        return ""
    wrapped = [f"try:\n    {line}\nexcept Exception:\n    pass" for line in statements]
    return "\n".join([*wrapped, "AveragePooling2D = _grader_AveragePooling2D", ""])


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
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # deeply nested code exhausts the parser: the kernel will say


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


def signature_problem(
    function: str, source: str, edition: str | None = None
) -> str | None:
    """Say how ``function``'s ``def`` in ``source`` differs from the edition's.

    The grader calls blocks as ``f(X, f=..., filters=..., stage=..., block=...)``
    (plus ``s=...``; the later editions' ``training`` and ``initializer``
    instead of ``stage`` and ``block``) and ``ResNet50(input_shape=...,
    classes=...)``; a ``def`` that cannot take those calls is another version.
    """
    node = _function_def(function, source)
    if node is None:
        return None
    args = node.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    blocks = function != "ResNet50"
    if blocks and not positional:
        return _other_signature(function, node, edition)
    keywords = positional[1:] if blocks else positional
    accepted = {*keywords, *(a.arg for a in args.kwonlyargs)}
    probes = probes_for(function, table=_edition_probes(edition))
    given = {name for spec in probes for name in spec.kwargs}
    if args.kwarg is None and not given <= accepted:
        return _other_signature(function, node, edition)
    defaults = len(args.defaults)
    required = positional[1 if blocks else 0 : len(positional) - defaults]
    required += [
        a.arg
        for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is None
    ]
    if any(name not in given for name in required):
        return _other_signature(function, node, edition)
    return None


def _edition_probes(edition: str | None) -> tuple[Probe, ...] | None:
    """The probes of the edition named ``edition``; None: the probes module's own."""
    if edition is None:
        return None
    from grader.editions import get

    return get(edition).probes


def _parameter_names(args: ast.arguments) -> list[str]:
    """A ``def``'s parameters in order, without defaults: ``X, f, *rest, **more``."""
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg is not None:
        names.append("*" + args.vararg.arg)
    names += [a.arg for a in args.kwonlyargs]
    if args.kwarg is not None:
        names.append("**" + args.kwarg.arg)
    return names


def declared_parameters(function: str, source: str) -> dict[str, bool] | None:
    """``function``'s parameters in ``source``, each with whether it has a default.

    ``*args`` and ``**kwargs`` keep their stars (and count as having one);
    None where the source has no ``def`` of it that parses. An edition's
    signature reads the same way as ``def SIGNATURE: pass``.
    """
    node = _function_def(function, source)
    if node is None:
        return None
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    found = {a.arg: index >= first_default for index, a in enumerate(positional)}
    if args.vararg is not None:
        found["*" + args.vararg.arg] = True
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        found[arg.arg] = default is not None
    if args.kwarg is not None:
        found["**" + args.kwarg.arg] = True
    return found


def _other_signature(
    function: str, node: ast.FunctionDef, edition: str | None = None
) -> str:
    theirs = f"{function}({ast.unparse(node.args)})"
    signatures = SIGNATURES
    if edition is not None:
        from grader.editions import get

        signatures = dict(get(edition).signatures)
    return f"{theirs} does not take the arguments of {signatures[function]}"


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
