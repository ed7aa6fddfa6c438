"""What a notebook's graded cells say about it.

``recognise`` tells its edition from the blocks' signatures, and with
``check_assignment`` refuses a notebook of another assignment or edition;
``notebook_notes`` says what in the cells not graded costs nothing (old
APIs, saved errors, markers passed over).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from grader import errors
from grader.notebook import BLOCKS, MARKER, GradedCell, defined_functions
from grader.probes import FUNCTIONS

if TYPE_CHECKING:
    import nbformat

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


def recognise(
    graded: dict[str, GradedCell],
    path: str,
    *,
    edition: str | None = None,
    only: str | None = None,
) -> dict[str, GradedCell]:
    """Tell the notebook's edition; return its graded cells marked with it.

    The blocks' parameters tell (``grader.editions.matching``): every block
    that shows an edition must show the same one, and where none does the
    notebook is taken for the 2020 edition (its blocks' signatures then say
    what is wrong). ``edition`` forces one. A notebook whose blocks show
    different editions raises ``OtherEditionError`` naming what each shows, as
    does one of another edition than ``only`` (where a course grades one);
    one that is not the assignment, or whose every signature is wrong,
    ``NotAssignmentError``.
    """
    from grader import editions

    if not graded:
        raise errors.NotAssignmentError(
            errors.NO_GRADED_FUNCTIONS.format(path=path), path=path
        )
    if edition is None:
        shown: dict[str, tuple[str, ...]] = {}
        takes: dict[str, str] = {}
        for name in BLOCKS:
            names = graded[name].parameters if name in graded else None
            if names is None:
                continue
            found = tuple(e.name for e in editions.matching(names))
            if found:
                shown[name] = found
                takes[name] = f"{name} takes ({', '.join(names)})"
        common = set(editions.names())
        for found in shown.values():
            common &= set(found)
        if shown and not common:
            clues = [f"{takes[name]} ({_or(list(shown[name]))})" for name in shown]
            raise errors.OtherEditionError(
                errors.MIXED_EDITIONS.format(path=path, clues=_and(clues)), path=path
            )
        order = editions.names()
        edition = min(common, key=order.index) if shown else editions.DEFAULT
    chosen = editions.get(edition).name
    if only is not None and chosen != editions.get(only).name:
        raise errors.OtherEditionError(
            errors.NOT_THIS_EDITION.format(
                path=path,
                found=chosen,
                description=editions.get(chosen).description,
                wanted=only,
            ),
            path=path,
        )
    # The 2020 edition is the probes module's own table (None): the hand-out's
    # copy of that module has no editions to look up.
    marked = None if chosen == editions.DEFAULT else chosen
    cells = {
        name: dataclasses.replace(cell, edition=marked) for name, cell in graded.items()
    }
    check_assignment(cells, path)
    return cells


def check_assignment(graded: dict[str, GradedCell], path: str) -> None:
    """Raise ``NotAssignmentError`` unless the notebook is this assignment's.

    No graded function at all is another assignment; and where every graded
    function's signature differs from its edition's, it is another version.
    A single block with some other signature is a wrong answer, not this.
    """
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
    original = nb.get("metadata", {}).get("orig_nbformat")
    if isinstance(original, int) and original < 4:
        notes.append(
            f"saved in notebook format {original} (IPython 2 or older); converted "
            "to format 4 to be read, as Jupyter does when it opens it"
        )
    elif nb.get("nbformat_minor", 5) < 5:
        notes.append(
            f"saved in notebook format 4.{nb.get('nbformat_minor')} "
            "(an older Jupyter); read as it is"
        )
    notes += _marker_notes(nb, graded)
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


def _marker_notes(
    nb: nbformat.NotebookNode, graded: dict[str, GradedCell]
) -> list[str]:
    """Notes on cells passed over for others, and on markers naming no function."""
    notes = []
    marks: dict[int, set[str]] = {}
    defs: dict[int, set[str]] = {}
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") == "code":
            marks[index] = {m.group(1) for m in MARKER.finditer(cell.source)}
            defs[index] = defined_functions(cell.source)
    for function, chosen in graded.items():
        marked = [index for index in marks if function in marks[index]]
        plain = [
            index
            for index in defs
            if function in defs[index] and function not in marks[index]
        ]
        rivals = marked if chosen.marked else plain
        if len(rivals) > 1:
            if chosen.marked:
                verb = "are both marked" if len(rivals) == 2 else "are all marked"
            else:
                verb = "both define" if len(rivals) == 2 else "all define"
            notes.append(
                f"cells {_cell_numbers(rivals)} {verb} {function}; cell "
                f"{chosen.index + 1} is graded, as it would run last"
            )
        if chosen.marked and plain:
            also = "cell {} also defines" if len(plain) == 1 else "cells {} also define"
            notes.append(
                f"{also.format(_cell_numbers(plain))} {function}, without the "
                f"marker line; cell {chosen.index + 1}, the marked one, is graded"
            )
    for index, names in marks.items():
        for name in sorted(names - set(FUNCTIONS)):
            notes.append(
                f"cell {index + 1} is marked as graded function {name}, which this "
                f"assignment does not have (its graded functions are "
                f"{_and(FUNCTIONS)}); check the spelling"
            )
    return notes


def _cell_numbers(indexes: list[int]) -> str:
    """Cell indexes as the numbers people count by: ``[4, 8]`` is "5 and 9"."""
    return _and([str(index + 1) for index in indexes])


def _or(words: list[str]) -> str:
    """``["a", "b"]`` as "a or b"."""
    *first, last = words
    return f"{', '.join(first)} or {last}" if first else last


def _and(words: list[str] | tuple[str, ...]) -> str:
    """``["a", "b", "c"]`` as "a, b and c"."""
    *first, last = words
    return f"{', '.join(first)} and {last}" if first else last
