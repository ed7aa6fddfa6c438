"""What a notebook's graded cells say about it.

``recognise`` tells its edition from the functions' signatures, and with
``check_assignment`` refuses a notebook of another assignment or edition;
``notebook_notes`` says what in the cells not graded costs nothing (old
APIs, saved errors, markers passed over).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING

from grader import errors
from grader.editions.probes import FUNCTIONS
from grader.notebooks.read import (
    BLOCKS,
    MARKER,
    GradedCell,
    declared_parameters,
    defined_functions,
    parameters,
)

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

    The edition whose signatures the graded functions fit best
    (``best_edition``); ``edition`` forces one. A notebook that fits two
    editions equally raises ``OtherEditionError`` naming them, one that fits
    none ``NotAssignmentError``, as does one of another edition than
    ``only`` (where a course grades one) and one that is not the assignment,
    or whose every signature is wrong.
    """
    from grader import editions

    if not graded:
        raise errors.NotAssignmentError(
            errors.NO_GRADED_FUNCTIONS.format(path=path), path=path
        )
    if edition is None:
        edition = best_edition(graded, path)
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


EXACT = 2
"""How a ``def`` with exactly an edition's parameters fits it."""
WIDER = 1
"""How one fits that has them all and more, each of the others with a default."""


def fit(theirs: dict[str, bool], wanted: dict[str, bool]) -> int:
    """How a ``def``'s parameters fit an edition's: ``EXACT``, ``WIDER`` or 0.

    Both map each name to whether it has a default
    (``grader.notebooks.read.declared_parameters``). A parameter of the edition's
    that is missing (or renamed) fits nothing; an extra one fits where it has
    a default, which the grader's calls then leave as it is.
    """
    named = {name: default for name, default in theirs.items() if name[0] != "*"}
    if not set(wanted) <= set(named):
        return 0
    extra = [name for name in named if name not in wanted]
    if any(not named[name] for name in extra):
        return 0
    return WIDER if extra else EXACT


def fits(graded: dict[str, GradedCell]) -> dict[str, dict[str, int]]:
    """Per graded function whose ``def`` parses, how it fits each edition.

    A block's first parameter is its input, which the grader passes by
    position: its name is left out on both sides.
    """
    from grader import editions

    table: dict[str, dict[str, int]] = {}
    for name, cell in graded.items():
        theirs = declared_parameters(name, cell.source)
        if theirs is None:
            continue
        skip = 1 if name in BLOCKS else 0
        table[name] = {
            known: fit(_after(theirs, skip), _after(_wanted(known, name), skip))
            for known in editions.names()
        }
    return table


def _wanted(edition: str, function: str) -> dict[str, bool]:
    """``function``'s parameters in ``edition``, read as a notebook's ``def``."""
    from grader import editions

    signature = editions.get(edition).signatures[function]
    found = declared_parameters(function, f"def {signature}:\n    pass\n")
    assert found is not None, signature
    return found


def _after(parameters: dict[str, bool], skip: int) -> dict[str, bool]:
    """``parameters`` without the first ``skip`` of them."""
    return dict(list(parameters.items())[skip:])


def best_edition(graded: dict[str, GradedCell], path: str) -> str:
    """The edition whose signatures the notebook's functions fit best.

    Each function's fit (``fits``) is summed per edition, whatever the
    editions' order; where no ``def`` parses, the default edition (each cell
    then fails as it runs). A tie raises ``OtherEditionError``, a notebook
    that fits none ``NotAssignmentError``, each naming what each function
    takes and the editions.
    """
    from grader import editions

    table = fits(graded)
    if not table:
        return editions.DEFAULT
    known = editions.names()
    totals = {name: sum(row[name] for row in table.values()) for name in known}
    top = max(totals.values())
    best = [name for name in known if totals[name] == top]
    if len(best) == 1:
        return best[0]
    takes = {
        name: f"{name} takes ({', '.join(parameters(graded[name]) or ())})"
        for name in table
    }
    if top == 0:
        raise errors.NotAssignmentError(
            errors.NO_EDITION.format(
                path=path, known=", ".join(known), clues=_and(list(takes.values()))
            ),
            path=path,
        )
    telling = [name for name, row in table.items() if len({row[e] for e in best}) > 1]
    if telling:
        clues = []
        for name in telling:
            row = table[name]
            fitting = [e for e in known if row[e] == max(row.values())]
            clues.append(f"{takes[name]} ({_or(fitting)})")
        message = errors.MIXED_EDITIONS.format(path=path, clues=_and(clues))
    else:
        message = errors.TIED_EDITIONS.format(
            path=path, candidates=_and(best), clues=_and(list(takes.values()))
        )
    raise errors.OtherEditionError(message, path=path)


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
