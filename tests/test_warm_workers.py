"""Warm workers against a process per submission: the same results.

A batch's workers (``WarmWorker``) import TensorFlow once and grade one
submission after another, each in a kernel started ahead; what they report
must be what a fresh child process (``grade_file``) reports for the same
notebook, to the byte, except the timings. The notebooks go through one
worker in turn, so that anything a grading left in the worker (Keras' layer
names, caches) would show in the next one's results.
"""

from __future__ import annotations

import json

import pytest
from conftest import SOLUTION, edited_solution
from corpus.wrong import WRONG

from grader.batch.options import Options
from grader.batch.workers import Children, WarmWorker, grade_file
from grader.sandbox.choice import Limits

#: The blocks only, with short limits: what differs between the two ways is
#: the process a grading runs in, not the checks.
OPTIONS = Options(
    functions=("identity_block", "convolutional_block"),
    limits=Limits(cell_seconds=20, probe_seconds=20),
)
#: The second has a picture (a window) with the reference's own layers, whose
#: names Keras makes up (activation_3): in a worker not cleaned between
#: gradings they would count on from the first grading's.
CASES = ("convolutional-s-ignored", "identity-without-final-relu")
TIMINGS = ("seconds", "phases")


def _without_timings(verdict) -> str:
    data = verdict.to_dict()
    data.pop("seconds")
    if data["report"] is not None:
        for key in TIMINGS:
            data["report"].pop(key)
    return json.dumps(data, sort_keys=True)


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    import nbformat

    folder = tmp_path_factory.mktemp("warm")
    paths = []
    wrong = {case.name: case for case in WRONG}
    for name in CASES:
        path = folder / f"{name}.ipynb"
        nbformat.write(edited_solution(list(wrong[name].edits)), path)
        paths.append(path)
    return [*paths, SOLUTION]


def test_a_warm_worker_reports_what_a_fresh_process_does(notebooks):
    worker = WarmWorker(OPTIONS, Children())
    try:
        warm = [worker.grade(path) for path in notebooks]
    finally:
        worker.close()
    cold = [grade_file(path, OPTIONS) for path in notebooks]
    assert [v.status for v in warm] == ["graded"] * len(notebooks)
    assert any(c.window is not None for c in warm[1].report.checks)
    for fresh, reused in zip(cold, warm, strict=True):
        assert _without_timings(reused) == _without_timings(fresh)
    # The second notebook's kernel was started while the first was judged.
    phases = dict(warm[1].report.phases)
    assert "in the kernel: kernel start (started ahead)" in phases
