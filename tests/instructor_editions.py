"""Two editions an instructor might write, as solution notebooks made from
the initializer-only edition's: one whose blocks take one more parameter,
with a default, that some of their layers use, and one whose ResNet50 has
another stage table. No file of theirs is committed: each test writes them."""

from __future__ import annotations

from pathlib import Path

import nbformat

from grader import editions
from grader.notebooks.read import find_graded_cells

IDENTITY = "def identity_block(X, f, filters, initializer=random_uniform):"
CONVOLUTIONAL = (
    "def convolutional_block(X, f, filters, s=2, initializer=glorot_uniform):"
)
MAIN_PATH_RELU = "    X = Activation('relu')(X)\n"
CHOSEN = "    X = Activation(activation)(X)\n"
STAGE_4_BLOCK = "    X = identity_block(X, 3, [256, 256, 1024])\n"


def _solution() -> nbformat.NotebookNode:
    return nbformat.read(editions.get("2021-initializer-only").solution, as_version=4)


def _edit(nb: nbformat.NotebookNode, function: str, old: str, new: str, count: int):
    cell = nb.cells[find_graded_cells(nb)[function].index]
    assert cell.source.count(old) >= count, (function, old)
    cell.source = cell.source.replace(old, new, count)


def with_activation(*, used: bool = True) -> nbformat.NotebookNode:
    """Blocks that take ``activation='relu'`` for their main path's first two
    activations; ``used=False``: a student's that takes it and ignores it."""
    nb = _solution()
    for function, line in (
        ("identity_block", IDENTITY),
        ("convolutional_block", CONVOLUTIONAL),
    ):
        _edit(nb, function, line, line.replace("):", ", activation='relu'):"), 1)
        if used:
            _edit(
                nb, function, MAIN_PATH_RELU, "    X = Activation(activation)(X)\n", 2
            )
    return nb


def shorter_stage_4(*, blocks: int = 3) -> nbformat.NotebookNode:
    """ResNet50 whose stage 4 has ``blocks`` identity blocks instead of 5."""
    nb = _solution()
    _edit(nb, "ResNet50", STAGE_4_BLOCK * 5, STAGE_4_BLOCK * blocks, 1)
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
