"""Ten gradings started at once, as separate processes of the same user, all
finish with their own correct scores and leave nothing behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
from conftest import SOLUTION, edited_solution
from corpus.wrong import WRONG

from grader.judging.checks import CHECKS

GRADINGS = 10
WRONG_CASE = next(c for c in WRONG if c.name == "identity-batchnorm-on-wrong-axis")


def test_ten_gradings_at_once_keep_to_themselves(tmp_path):
    wrong = tmp_path / "wrong.ipynb"
    nbformat.write(edited_solution(list(WRONG_CASE.edits)), wrong)
    block = [c for c in CHECKS if c.function == "identity_block"]
    full = sum(c.points for c in block)
    lost = sum(c.points for c in block if c.name in WRONG_CASE.fails)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # One temporary folder for all: whatever one grading leaves or shares
    # there would show.
    env = {**os.environ, "TMPDIR": str(scratch)}
    runs = []
    for index in range(GRADINGS):
        notebook = SOLUTION if index % 2 == 0 else wrong
        out = tmp_path / f"results-{index}.json"
        command = [
            sys.executable,
            "-m",
            "grader.commands.cli",
            "grade",
            str(notebook),
            "--function",
            "identity_block",
            "--json",
            str(out),
        ]
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        runs.append((process, out, full if notebook == SOLUTION else full - lost))
    for process, out, expected in runs:
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr
        assert json.loads(out.read_text())["score"] == expected, stdout
        assert f"Total: {expected:g}/{full:g}" in stdout
    assert list(scratch.iterdir()) == []
