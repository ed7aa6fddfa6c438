"""The verdict corpus: every wrong solution loses points on the function it
breaks, with a message that names the fault; every correct rewrite earns full
marks. Each scenario is graded once, in its own kernel."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import SOLUTION, edited_solution
from corpus import graded_cells, swapped_in
from corpus.wrong import WRONG

from grader.notebooks.read import MARKER
from grader.reports.points import earned

CORRECT = sorted((Path(__file__).parent / "corpus" / "correct").glob("*.py"))
#: How a names check that fails says how many names are right.
NAMES_RIGHT = re.compile(r"^(\d+) of (\d+) names right: ")


def rewritten_solution(
    path: Path | tuple[Path, ...], solution: Path = SOLUTION
) -> nbformat.NotebookNode:
    """The solution with the graded cells found in ``path`` swapped in.

    The file holds one or more cells, each starting at its
    ``# GRADED FUNCTION: name`` line; anything before the first is a comment.
    Several files (a tuple) each swap theirs in. ``solution`` is the notebook
    they go into (an edition's own).
    """
    cells = []
    for one in (path,) if isinstance(path, Path) else path:
        found = graded_cells(one.read_text(encoding="utf-8"))
        assert found, f"{one.name} holds no graded cell"
        cells += found
    return swapped_in(cells, solution)


def _checks(report):
    return {check.name: check for check in report.checks}


def test_the_corpus_is_as_large_as_promised():
    functions = {case.function for case in WRONG}
    assert len(WRONG) >= 30 and functions == {
        "identity_block",
        "convolutional_block",
        "ResNet50",
    }
    assert len(CORRECT) >= 10
    assert len({case.name for case in WRONG}) == len(WRONG)


@pytest.mark.parametrize("case", WRONG, ids=lambda case: case.name)
def test_wrong_solution_loses_points_on_its_function(graded, case):
    report = graded(
        case.name,
        edited_solution(list(case.edits)),
        functions=[case.function],
        visible_only=not case.hidden,
    )
    checks = _checks(report)
    assert {check.function for check in report.checks} == {case.function}
    failed = {name: check.message for name, check in checks.items() if not check.passed}
    assert sorted(failed) == sorted(case.fails), failed
    for name, words in case.fails.items():
        assert words in failed[name], (name, failed[name])
        assert "Traceback" not in failed[name] and "grader/" not in failed[name]
    # Every failed check earns nothing, but a names check with every layer
    # there, which earns its names' share.
    for check in report.checks:
        if not check.passed:
            counted = NAMES_RIGHT.match(check.message)
            share = int(counted[1]) / int(counted[2]) if counted else 0.0
            assert check.points == earned(check.max_points, share), check
    assert report.score < report.max_score


@pytest.mark.parametrize("path", CORRECT, ids=lambda path: path.stem)
def test_correct_rewrite_earns_full_marks(graded, path):
    # A rewrite of ResNet50 is graded whole; a rewrite of the blocks only, on
    # the blocks (their hidden checks vary stage, block, f and the filters).
    rewritten = {m.group(1) for m in MARKER.finditer(path.read_text())}
    functions = None if "ResNet50" in rewritten else sorted(rewritten)
    report = graded(
        f"correct-{path.stem}", rewritten_solution(path), functions=functions
    )
    failed = {check.title: check.message for check in report.checks if not check.passed}
    assert failed == {}
    assert {check.function for check in report.checks} == (
        set(functions)
        if functions
        else {"identity_block", "convolutional_block", "ResNet50"}
    )
    assert (
        report.score
        == report.max_score
        == (100 if functions is None else 30 * len(functions))
    )
    assert not re.search(r"GRADED FUNCTION", " ".join(report.notes))
