"""Notebooks as the similarity check reads them: cells, sources and outputs.

Nothing is run. A notebook is read as it was submitted, outputs included,
into plain data: the text each cell shows, what it printed, and the counts
Jupyter gave it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import errors
from grader.notebooks.read import GradedCell, find_graded_cells, read_notebook
from grader.notebooks.recognise import recognise

#: Progress bars rewrite their line with carriage returns and backspaces;
#: each state they print is a line of its own here.
_LINE_BREAKS = re.compile(r"[\r\n\x08]+")


@dataclass(frozen=True)
class Cell:
    """One cell: its kind, source, printed text and raw outputs."""

    index: int
    kind: str
    source: str
    #: The text the cell printed or displayed (streams, ``text/plain``,
    #: error tracebacks), one entry per printed line.
    printed: tuple[str, ...] = ()
    #: The outputs as stored (JSON text, keys sorted), "" without outputs.
    outputs: str = ""
    execution_count: int | None = None
    #: The cell's id and metadata (scrolled, collapsed, Colab's ids) as
    #: canonical JSON, "" when it has neither.
    metadata: str = ""


@dataclass(frozen=True)
class Document:
    """A notebook of the class (or of known work), as the check reads it."""

    id: str
    path: Path
    cells: tuple[Cell, ...]
    #: The graded function each cell defines, by cell index.
    functions: Mapping[int, str]
    #: True for known work (``--against``), compared with the class only.
    known: bool = False
    #: The edition its graded functions' signatures show (``grader.editions``),
    #: None where they show none the grader knows.
    edition: str | None = None


def _text(value: Any) -> str:
    """Nbformat keeps multi-line text as a string or a list of strings."""
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return value if isinstance(value, str) else ""


def _printed(outputs: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    lines: list[str] = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            text = _text(output.get("text"))
        elif kind in ("execute_result", "display_data"):
            text = _text(dict(output.get("data") or {}).get("text/plain"))
        elif kind == "error":
            text = "\n".join(str(line) for line in output.get("traceback") or [])
        else:
            continue
        lines += [line.strip() for line in _LINE_BREAKS.split(text) if line.strip()]
    return tuple(lines)


def _stored(outputs: Sequence[Mapping[str, Any]]) -> str:
    """The outputs without their execution counts, as canonical JSON."""
    if not outputs:
        return ""
    kept = [{k: v for k, v in o.items() if k != "execution_count"} for o in outputs]
    return json.dumps(kept, sort_keys=True, default=str)


def _metadata(cell: Mapping[str, Any]) -> str:
    carried = dict(cell.get("metadata") or {})
    if cell.get("id"):
        carried["id"] = cell.get("id")
    return json.dumps(carried, sort_keys=True, default=str) if carried else ""


def document(
    student: str, path: Path, nb: Mapping[str, Any], *, known: bool = False
) -> Document:
    """A ``Document`` from a notebook already read (nbformat 4)."""
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        outputs = list(cell.get("outputs") or [])
        count = cell.get("execution_count")
        cells.append(
            Cell(
                index=index,
                kind=str(cell.get("cell_type", "")),
                source=_text(cell.get("source")),
                printed=_printed(outputs),
                outputs=_stored(outputs),
                execution_count=count if isinstance(count, int) else None,
                metadata=_metadata(cell),
            )
        )
    graded = find_graded_cells(nb)  # type: ignore[arg-type]
    functions = {cell.index: function for function, cell in graded.items()}
    return Document(
        student, path, tuple(cells), functions, known, edition_of(graded, path)
    )


def edition_of(graded: Mapping[str, GradedCell], path: Path) -> str | None:
    """The edition ``grader.notebooks.recognise`` tells from the graded cells, or None.

    None where it tells none: no graded function, blocks of two editions, or
    no signature of the assignment's.
    """
    from grader import editions

    try:
        cells = recognise(dict(graded), str(path))
    except errors.GraderError:
        return None
    marked = next(iter(cells.values())).edition
    return marked or editions.DEFAULT


def read_document(student: str, path: Path, *, known: bool = False) -> Document:
    """Read a notebook file as a ``Document``.

    Raises ``NotebookError`` as ``grader.notebooks.read.read_notebook`` does for a
    file that is no notebook.
    """
    return document(student, path, read_notebook(path), known=known)
