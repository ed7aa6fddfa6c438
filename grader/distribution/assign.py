"""Make the student notebook from the solution: solution code becomes stubs.

Between ``### START CODE HERE ###`` and ``### END CODE HERE ###`` every
statement ``name = <expression>`` (however many lines it spans) becomes
``name = None``; comments and blank lines stay, so the hints such as
``# Stage 3 (≈4 lines)`` remain. Everything outside the markers, and every
other cell, is kept as it is.
"""

from __future__ import annotations

import ast
import copy
import shutil
import textwrap
from importlib.util import find_spec
from pathlib import Path

import nbformat

from grader import errors
from grader.notebooks.read import START, code_regions, read_notebook

HELPER_MODULES = ("resnets_utils", "public_tests")
HELPER_FOLDERS = ("images",)


def stub_source(source: str, *, cell: str = "cell") -> str:
    """Return ``source`` with each START/END region reduced to stubs."""
    lines = source.splitlines()
    starts = sum(1 for line in lines if START in line)
    regions = code_regions(lines)
    if starts != len(regions):
        raise errors.AssignError(errors.UNBALANCED_REGION.format(cell=cell), cell=cell)
    result: list[str] = []
    done = 0
    for start, end in regions:
        result.extend(lines[done : start + 1])
        result.extend(_stub_region(lines[start + 1 : end], start + 2, cell))
        done = end
    result.extend(lines[done:])
    return "\n".join(result)


def _stub_region(body: list[str], first_line: int, cell: str) -> list[str]:
    tree = ast.parse(textwrap.dedent("\n".join(body)))
    statements = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if (
            not isinstance(node, ast.Assign)
            or not isinstance(target, ast.Name)
            or len(node.targets) != 1
        ):
            raise errors.AssignError(
                errors.REGION_NOT_ASSIGNMENTS.format(
                    cell=cell, line=first_line + node.lineno - 1
                ),
                cell=cell,
            )
        assert node.end_lineno is not None  # always set by ast.parse
        statements[node.lineno - 1] = (node.end_lineno - 1, target.id)
    out, skip_until = [], -1
    for number, line in enumerate(body):
        if number in statements:
            last, name = statements[number]
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{name} = None")
            skip_until = last
        elif number > skip_until:
            out.append(line)
    return out


def student_notebook(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``solution`` with every code region stubbed and no outputs."""
    nb = copy.deepcopy(solution)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        name = f"cell {index + 1} ({cell.get('id', '?')})"
        cell.source = stub_source(cell.source, cell=name)
        cell.outputs = []
        cell.execution_count = None
    return nb


def assign(solution: str | Path, outdir: str | Path) -> list[Path]:
    """Write the student notebook, its helper modules and ``images/`` to ``outdir``.

    Returns the paths written. Helpers already in place (the same file) are
    left alone.
    """
    solution = Path(solution)
    outdir = Path(outdir)
    nb = student_notebook(read_notebook(solution))
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / solution.name
    nbformat.write(nb, target)
    written = [target]
    for module in HELPER_MODULES:
        spec = find_spec(module)
        if spec is None or spec.origin is None:
            continue
        source = Path(spec.origin)
        destination = outdir / source.name
        if destination.exists() and destination.samefile(source):
            continue
        shutil.copyfile(source, destination)
        written.append(destination)
    for folder in HELPER_FOLDERS:
        source = solution.parent / folder
        if source.is_dir():
            shutil.copytree(source, outdir / folder, dirs_exist_ok=True)
            written.append(outdir / folder)
    return written
