"""Copies of a notebook disguised the ways students disguise copied work.

Each disguise takes a notebook as JSON data (``json.load`` of the file) and
returns a changed copy; the original is left alone. The similarity tests
and ``bench/similarity`` plant such copies in a class and check they are
found. ``DISGUISES`` lists them by name; ``with_outputs`` and
``outputs_cleared`` say what becomes of the copied outputs.
"""

from __future__ import annotations

import copy
import io
import re
import tokenize
from collections.abc import Callable
from typing import Any

Notebook = dict[str, Any]

#: Local names a student renames, and what to.
RENAMES = {
    "X_shortcut": "shortcut",
    "F1": "n1",
    "F2": "n2",
    "F3": "n3",
    "conv_name_base": "conv_base",
    "bn_name_base": "norm_base",
    "X_input": "inputs",
    "X": "Z",
}
GRADED = re.compile(r"#\s*GRADED FUNCTION:\s*(\w+)")


def source(cell: dict[str, Any]) -> str:
    """A cell's source as one string, however the file stored it."""
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _graded(nb: Notebook) -> list[dict[str, Any]]:
    return [
        c for c in nb["cells"] if c["cell_type"] == "code" and GRADED.search(source(c))
    ]


def _rewrite(nb: Notebook, change: Callable[[str], str]) -> Notebook:
    """A copy whose graded cells' sources went through ``change``."""
    nb = copy.deepcopy(nb)
    for cell in _graded(nb):
        cell["source"] = change(source(cell))
    return nb


def _rename_names(text: str) -> str:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError):
        return text
    lines = text.splitlines(keepends=True)
    # Right to left, so that earlier columns stay where they are.
    for tok in reversed(tokens):
        if tok.type == tokenize.NAME and tok.string in RENAMES:
            (row, col), (_, end) = tok.start, tok.end
            line = lines[row - 1]
            lines[row - 1] = line[:col] + RENAMES[tok.string] + line[end:]
    return "".join(lines)


def rename(nb: Notebook) -> Notebook:
    """Local variables renamed in the graded cells."""
    return _rewrite(nb, _rename_names)


def _respace(text: str) -> str:
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            out.append(line)
            continue
        line = re.sub(r"(?<![=!<>+\-*/])\s*=\s*(?!=)", "=", line)
        line = re.sub(r",\s*", ", ", line)
        if re.match(r"\s*\w+\s*=\s*Conv2D\(", line) and line.count(",") > 2:
            indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
            line = line.replace(", ", ",\n" + indent + "           ")
        out.append(line)
    return "\n".join(out)


def reformat(nb: Notebook) -> Notebook:
    """Spacing changed and long calls split over lines in the graded cells."""
    return _rewrite(nb, _respace)


def _recomment_text(text: str) -> str:
    out = []
    for number, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if stripped.startswith("#") and not GRADED.search(line):
            if number % 2:
                continue  # removed
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# step {number}")  # changed
            continue
        out.append(re.sub(r"\s+#(?!\s*GRADED).*$", "", line))
    return "\n".join(out)


def recomment(nb: Notebook) -> Notebook:
    """Comments in the graded cells removed or reworded."""
    return _rewrite(nb, _recomment_text)


def reorder(nb: Notebook) -> Notebook:
    """The graded cells moved: each after the next cell, the last first."""
    nb = copy.deepcopy(nb)
    cells = nb["cells"]
    graded = [i for i, c in enumerate(cells) if c in _graded(nb)]
    for i in reversed(graded):
        if i + 1 < len(cells):
            cells[i], cells[i + 1] = cells[i + 1], cells[i]
    return nb


def swap_function(nb: Notebook, donor: Notebook) -> Notebook:
    """The first graded function taken from ``donor`` (one function changed)."""
    nb = copy.deepcopy(nb)
    theirs = {GRADED.search(source(c)).group(1): c for c in _graded(donor)}  # type: ignore[union-attr]
    for cell in _graded(nb):
        name = GRADED.search(source(cell)).group(1)  # type: ignore[union-attr]
        if name in theirs:
            cell["source"] = source(theirs[name])
            break
    return nb


def clear_outputs(nb: Notebook) -> Notebook:
    """Outputs and execution counts cleared, as Jupyter's "Clear All Outputs"."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def everything(nb: Notebook) -> Notebook:
    """Renamed, reformatted, recommented and reordered at once."""
    return reorder(recomment(reformat(rename(nb))))


#: Each disguise of the code, by name; ``swap`` needs a donor notebook.
DISGUISES: dict[str, Callable[[Notebook], Notebook]] = {
    "verbatim": copy.deepcopy,
    "renamed": rename,
    "reformatted": reformat,
    "comments": recomment,
    "reordered": reorder,
    "all-four": everything,
}
