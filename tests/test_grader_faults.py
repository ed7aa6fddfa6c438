"""A failure of the grader itself never costs points: a check it cannot run
(its reference fails, a check raises, the kernel's answers are lost) makes
the submission an `error`, never a FAIL. `grader grade` says so in one line
and exits 2, a batch records `error` (gradebook, class report, Gradescope's
results.json telling the student to contact the staff) and grades it again
on its next run.

The faults are put into the grader's own code (its reference, its reading
of the kernel's answers); the kernel, Keras and the notebooks are real."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from conftest import SOLUTION

from grader import errors
from grader.judging.judge import Failure, Judge
from grader.kernel.protocol import CellOutcome, KernelRun

REFERENCE_FAULT = "the reference of this probe would not build"


def _reference_fails_on_hidden_probes(monkeypatch):
    """The grader's reference raises for every hidden probe of the blocks.

    With the cache off: a check kept from an earlier grading of the same
    notebook would not run at all.
    """
    from grader.judging import cache

    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, cache.OFF)
    built = Judge.reference

    def reference(self, function, key):
        if key.startswith("hidden") and function != "ResNet50":
            raise TypeError(REFERENCE_FAULT)
        return built(self, function, key)

    monkeypatch.setattr(Judge, "reference", reference)


# --- no kernel ----------------------------------------------------------------


@pytest.mark.fast
@pytest.mark.parametrize(
    ("probe_cell", "raised"),
    [
        (CellOutcome("ok"), errors.ProtocolError),
        (CellOutcome("error", "NameError", "json"), errors.ProtocolError),
        (None, Failure),
    ],
)
def test_answers_lost_after_a_call_that_ended_are_the_graders_fault(probe_cell, raised):
    from grader.judging.judge import Expected
    from grader.notebooks.read import find_graded_cells, read_notebook

    graded = find_graded_cells(read_notebook(SOLUTION))
    cells = {} if probe_cell is None else {"identity_block": probe_cell}
    run = KernelRun(
        cells={"identity_block": CellOutcome("ok")},
        answers={"identity_block": []},
        probe_cells=cells,
    )
    judge = Judge(run, graded, Expected.load())
    with pytest.raises(raised) as caught:
        judge.answer("identity_block", "seeded")
    if raised is errors.ProtocolError:
        assert str(caught.value) == errors.PROTOCOL_BROKE.format(
            function="identity_block"
        )
        assert not isinstance(caught.value, Failure)


@pytest.mark.fast
def test_a_check_that_raises_is_marked_as_the_graders_and_its_fault_is_one_line():
    from grader.judging.checks import Check, could_not_run, fault, run_checks

    def broken(judge):
        raise KeyError("a\nmulti-line\n  reason")

    def failing(judge):
        raise Failure("the grader could not run this check, says the student")

    rows = (
        Check("identity_block", "broken", 5, True, broken),
        Check("identity_block", "failing", 5, True, failing),
    )
    first, second = run_checks(None, rows)
    assert could_not_run(first) and first.points == 0
    assert fault(first) == "KeyError: 'a\\nmulti-line\\n reason'"
    assert not could_not_run(second)


@pytest.mark.fast
def test_gradescope_results_of_a_batch_error_tell_the_student_to_ask_the_staff():
    from grader.reports.render import result_to_gradescope
    from grader.reports.results import SubmissionResult

    result = SubmissionResult(
        "s1", "s1.ipynb", "aa", "error", message="s1.ipynb: not graded: ..."
    )
    results = result_to_gradescope(result)
    assert results["output"] == f"{errors.CONTACT_STAFF}\n(s1.ipynb: not graded: ...)"
    assert "contact the course staff" in results["output"]
    assert results["tests"] == []


# --- with a kernel ----------------------------------------------------------------


def test_a_reference_that_raises_makes_the_grading_an_error_not_a_score(
    monkeypatch,
):
    from grader.grading import grade

    _reference_fails_on_hidden_probes(monkeypatch)
    with pytest.raises(errors.CheckError) as caught:
        grade(SOLUTION, functions=["identity_block"])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(
        f"{SOLUTION}: not graded: the grader could not run 2 of its checks "
        f"(identity_block: hidden inputs, inference: TypeError: {REFERENCE_FAULT}; "
        "and 1 more); this is a fault of the grader, not of the notebook"
    )
    assert caught.value.faults == (
        f"identity_block: hidden inputs, inference: TypeError: {REFERENCE_FAULT}",
        f"identity_block: hidden inputs, training: TypeError: {REFERENCE_FAULT}",
    )


def test_answers_the_kernel_protocol_lost_make_the_grading_an_error(monkeypatch):
    from grader.grading import grade
    from grader.kernel import work as job

    monkeypatch.setenv("GRADER_CACHE_DIR", "off")
    monkeypatch.setattr(job, "read_answers", lambda path, nonce, keys: [])
    with pytest.raises(errors.CheckError) as caught:
        grade(SOLUTION, functions=["identity_block"], visible_only=True)
    assert "could not be read, though the call that makes them ended" in str(
        caught.value
    )
    assert len(caught.value.faults) == 3  # the visible checks of identity_block


def test_grader_grade_says_it_in_one_line_and_exits_2(monkeypatch, tmp_path, capsys):
    from grader.commands.cli import main

    _reference_fails_on_hidden_probes(monkeypatch)
    json_path = tmp_path / "results.json"
    status = main(
        [
            "grade",
            str(SOLUTION),
            "--function",
            "identity_block",
            "--json",
            str(json_path),
        ]
    )
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("grader: error: ")
    assert "not graded: the grader could not run 2 of its checks" in err
    results = json.loads(json_path.read_text())
    assert results == {"score": 0, "output": errors.CONTACT_STAFF, "tests": []}


def test_a_batch_records_an_error_lists_it_and_grades_it_again(monkeypatch, tmp_path):
    """What a batch's worker makes of the fault, written out as the batch
    writes every result, then read back as a later run would."""
    from grader.batch.options import Options
    from grader.batch.outputs import write_outputs
    from grader.batch.store import Store, content_hash
    from grader.batch.workers import _verdict
    from grader.reports.results import ERROR, SubmissionResult
    from grader.version import grader_version

    _reference_fails_on_hidden_probes(monkeypatch)
    options = Options(functions=("identity_block",))
    verdict = _verdict(str(SOLUTION), options)
    assert verdict.status == ERROR and verdict.report is None
    assert "the grader could not run 2 of its checks" in verdict.message
    result = SubmissionResult(
        student="s1",
        notebook="s1.ipynb",
        sha256=content_hash(SOLUTION),
        status=verdict.status,
        message=verdict.message,
        grader=grader_version(),
        options=options.key(),
        path=str(SOLUTION),
    )
    out = tmp_path / "out"
    store = Store(out)
    store.save(result)
    write_outputs(out, [result])
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert (row["student"], row["status"]) == ("s1", "error")
    assert "could not run 2 of its checks" in row["message"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert re.search(r">s1</a></td><td class='fail'>error</td>", page), page
    assert "could not run 2 of its checks" in page
    results = json.loads((out / "gradescope" / "s1" / "results.json").read_text())
    assert results["output"].startswith(errors.CONTACT_STAFF)
    assert store.load("s1") is not None
    assert store.reusable("s1", result.sha256, options) is None


def test_nothing_of_a_check_the_grader_could_not_run_is_kept(monkeypatch, tmp_path):
    from grader.grading import grade
    from grader.judging import cache

    _reference_fails_on_hidden_probes(monkeypatch)
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    with pytest.raises(errors.CheckError):
        grade(SOLUTION, functions=["identity_block"])
    monkeypatch.undo()
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path / "cache"))
    report = grade(Path(SOLUTION), functions=["identity_block"])
    assert report.score == report.max_score == 30


def test_gradescope_tells_the_student_to_contact_the_staff(monkeypatch, tmp_path):
    import shutil

    from grader.distribution.gradescope import grade_gradescope_submission

    _reference_fails_on_hidden_probes(monkeypatch)
    (tmp_path / "submission").mkdir()
    shutil.copy(SOLUTION, tmp_path / "submission" / "Residual_Networks.ipynb")
    results, text = grade_gradescope_submission(tmp_path, memory_mb=16000)
    assert results == {"score": 0, "output": errors.CONTACT_STAFF, "tests": []}
    saved = json.loads((tmp_path / "results" / "results.json").read_text())
    assert saved == results
    instructor = text.splitlines()[1]
    assert "not graded: the grader could not run 4 of its checks" in instructor
