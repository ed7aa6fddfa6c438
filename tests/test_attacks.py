"""The adversarial corpus: each attack notebook is graded in the sandbox and
gets exactly its verdict, in time, leaving every file outside the kernel's
scratch space as it was and no process behind. The rows are in
``corpus/attacks.py``; those of ``CONTAINER`` are graded again, as one batch,
in a box like a container that grades as root without user namespaces."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from box import WHY_NO_BOX, run_in_box
from conftest import ROOT, SOLUTION, edited_solution, leftovers, process_mark
from corpus.attacks import (
    ATTACKS,
    BODY,
    CONTAINER,
    RETURNS_INPUT,
    TOP,
    USES_STOLEN,
)

import grader
from grader.files import temporary_folder
from grader.grading import grade
from grader.reports.results import SubmissionResult
from grader.sandbox.choice import Limits, choose, namespaces_available
from grader.sandbox.users import OWN_IDS

pytestmark = pytest.mark.skipif(
    not namespaces_available()[0], reason=namespaces_available()[1]
)
LIMITS = Limits(cell_seconds=10, probe_seconds=10, memory_mb=2048)
GRADER_DIR = Path(grader.__file__).resolve().parent
STOLEN_CALL = "    return _stolen['identity_block'](X, f, filters, stage, block)\n"
EXPECTED = ROOT / "fixtures" / "expected.json"
#: A grader module imported only once the kernel has run.
LATE_MODULE = GRADER_DIR / "judging" / "hidden.py"
NEIGHBOUR = "other-student.ipynb"


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
def _marks(folder: Path, guarded: list[Path], port: int, mark: str) -> dict[str, str]:
    return {
        "PORT": str(port),
        "DELETE": repr(tuple(str(p) for p in guarded)),
        "WRITE": repr(tuple(str(p) for p in guarded)),
        "NOTEBOOK_DIR": repr(str(folder)),
        "REFERENCE": repr(str(GRADER_DIR / "judging" / "reference.py")),
        "EXPECTED": repr(str(EXPECTED)),
        "LATE_MODULE": repr(str(LATE_MODULE)),
        "NEIGHBOUR": repr(str(folder / NEIGHBOUR)),
        "SOLUTION": repr(str(SOLUTION)),
        "GRADER_PID": str(os.getpid()),
        "MARKER": repr(mark),
    }


def _unchanged(saved: dict[Path, bytes]) -> list[Path]:
    """The files of ``saved`` that changed or went; each is put back as it was."""
    changed = [
        p for p, data in saved.items() if not p.is_file() or p.read_bytes() != data
    ]
    for path in changed:
        path.write_bytes(saved[path])
    return changed


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
def test_attack_gets_its_verdict_and_touches_nothing(attack, tmp_path, listener):
    port, accepted = listener
    folder = tmp_path / "submissions"
    folder.mkdir()
    path = folder / f"{attack.name}.ipynb"
    home_file = Path.home() / f".grader-attack-test-{os.getpid()}"
    home_file.write_text("keep me", encoding="utf-8")
    neighbour = folder / NEIGHBOUR
    neighbour.write_text("{}", encoding="utf-8")
    guarded = [home_file, neighbour, GRADER_DIR / "__init__.py", SOLUTION]
    mark = process_mark(attack.name)
    marks = _marks(folder, guarded, port, mark)
    marks["WRITE"] = repr(tuple(str(p) for p in [*guarded, path]))
    nbformat.write(_notebook(attack, marks), path)
    saved = {p: p.read_bytes() for p in [*guarded, path, EXPECTED, LATE_MODULE]}
    connections = len(accepted)
    try:
        started = time.monotonic()
        limits = replace(
            LIMITS,
            cell_seconds=attack.cell_seconds,
            probe_seconds=max(LIMITS.probe_seconds, attack.cell_seconds),
        )
        report = grade(
            path, functions=["identity_block"], sandbox=choose(limits=limits)
        )
        took = time.monotonic() - started
    finally:
        changed = _unchanged(saved)
        home_file.unlink(missing_ok=True)
    assert changed == []
    assert leftovers(mark) == []
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


@pytest.mark.skipif(bool(WHY_NO_BOX), reason=WHY_NO_BOX)
def test_in_a_container_as_root_the_attacks_change_nothing(tmp_path, listener):
    """The ``CONTAINER`` rows, one batch, in the box: each kernel runs as a
    user id of its own, and nothing of it is left in the batch's temporary
    folder."""
    port, _ = listener
    folder = tmp_path / "submissions"
    folder.mkdir()
    neighbour = folder / NEIGHBOUR
    neighbour.write_text("{}", encoding="utf-8")
    mark = process_mark("container")
    marks = _marks(folder, [neighbour], port, mark)
    rows = [attack for attack in ATTACKS if attack.name in CONTAINER]
    for attack in rows:
        nbformat.write(_notebook(attack, marks), folder / f"{attack.name}.ipynb")
    saved = {p: p.read_bytes() for p in [*folder.iterdir(), EXPECTED, LATE_MODULE]}
    out = tmp_path / "out"
    try:
        with temporary_folder("grader-test-") as tmp:
            done = run_in_box(
                [sys.executable, "-m", "grader", "grade", str(folder)]
                + ["--out", str(out), "-j", "1", "--function", "identity_block"]
                + ["--cell-timeout", "30"],
                env={**os.environ, "TMPDIR": str(tmp)},
            )
            theirs = [p for p in tmp.rglob("*") if p.lstat().st_uid in OWN_IDS]
    finally:
        changed = _unchanged(saved)
    assert done.returncode == 0, done.stderr
    assert changed == []
    assert theirs == []
    assert leftovers(mark) == []
    results = [
        SubmissionResult.from_dict(json.loads(p.read_text(encoding="utf-8")))
        for p in (out / "results").glob("*.json")
    ]
    scores = {Path(r.notebook).stem: r.report.score for r in results if r.report}
    assert scores == {attack.name: attack.points for attack in rows}
    report = next(r.report for r in results if r.report)
    lines = {p.name: p for p in report.protections}
    own = re.compile(r"partly: runs as uid (\d+), a user of its own for this grading: ")
    found = own.match(lines["files"].detail)
    assert found and int(found[1]) in OWN_IDS, lines["files"].detail
    assert own.match(lines["process isolation"].detail)
