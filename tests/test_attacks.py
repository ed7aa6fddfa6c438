"""The adversarial corpus: each attack notebook is graded in the sandbox and
gets exactly its verdict, in time, leaving every file outside the kernel's
scratch space as it was. The rows are in ``corpus/attacks.py``."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SOLUTION, edited_solution
from corpus.attacks import ATTACKS, BODY, RETURNS_INPUT, TOP, USES_STOLEN

import grader
from grader.grading import grade
from grader.sandbox import Limits, choose, namespaces_available

pytestmark = pytest.mark.skipif(
    not namespaces_available()[0], reason=namespaces_available()[1]
)
LIMITS = Limits(cell_seconds=10, probe_seconds=10, memory_mb=2048)
GRADER_DIR = Path(grader.__file__).resolve().parent
STOLEN_CALL = "    return _stolen['identity_block'](X, f, filters, stage, block)\n"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _notebook(attack, marks):
    code = attack.code
    for mark, value in marks.items():
        code = code.replace(f"@{mark}@", value)
    new = code + TOP if attack.where == TOP else BODY + code
    edits = [("identity_block", attack.where, new)]
    # These rows attack from the top of the cell; their function's own code
    # is cut short, so that any credit would be false.
    if attack.name in RETURNS_INPUT:
        edits.append(("identity_block", BODY, BODY + "    return X\n"))
    if attack.name in USES_STOLEN:
        edits.append(("identity_block", BODY, BODY + STOLEN_CALL))
    return edited_solution(edits)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
def test_attack_gets_its_verdict_and_touches_nothing(attack, tmp_path, listener):
    port, accepted = listener
    folder = tmp_path / "submissions"
    folder.mkdir()
    path = folder / f"{attack.name}.ipynb"
    home_file = Path.home() / f".grader-attack-test-{os.getpid()}"
    home_file.write_text("keep me", encoding="utf-8")
    neighbour = folder / "other-student.ipynb"
    neighbour.write_text("{}", encoding="utf-8")
    guarded = [home_file, neighbour, GRADER_DIR / "__init__.py", SOLUTION]
    marks = {
        "PORT": str(port),
        "DELETE": repr(tuple(str(p) for p in guarded)),
        "WRITE": repr(tuple(str(p) for p in [*guarded, path])),
        "NOTEBOOK_DIR": repr(str(folder)),
        "REFERENCE": repr(str(GRADER_DIR / "reference.py")),
        "EXPECTED": repr(str(ROOT / "fixtures" / "expected.json")),
        "SOLUTION": repr(str(SOLUTION)),
    }
    nbformat.write(_notebook(attack, marks), path)
    before = {p: _digest(p) for p in [*guarded, path]}
    connections = len(accepted)
    try:
        started = time.monotonic()
        limits = replace(LIMITS, cell_seconds=attack.cell_seconds)
        report = grade(
            path, functions=["identity_block"], sandbox=choose(limits=limits)
        )
        took = time.monotonic() - started
        assert {p: _digest(p) for p in before} == before
    finally:
        home_file.unlink(missing_ok=True)
    assert report.score == attack.points, [
        (c.title, c.points, c.message) for c in report.checks
    ]
    assert took < attack.seconds
    failed = [check.message for check in report.checks if not check.passed]
    for message in failed:
        assert attack.words in message, message
        assert "Traceback" not in message and "kernel_side" not in message
    if attack.note:
        assert any(attack.words in note for note in report.notes), report.notes
    assert all(p.active for p in report.protections)
    time.sleep(0.2)
    assert len(accepted) == connections
