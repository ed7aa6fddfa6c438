"""The ``grader`` command as users run it: a real process, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import STUDENT


def _grader(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "grader", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_help_lists_the_commands():
    result = _grader("--help")
    assert result.returncode == 0
    for command in ("grade", "check", "points", "gradescope", "assign", "signs"):
        assert f"grader {command}" in result.stdout


def test_no_command_prints_help_and_fails():
    result = _grader()
    assert result.returncode == 2 and "usage: grader" in result.stdout


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.ipynb", "no such file"),
        (lambda p: p, "no .ipynb files in this folder"),
        (lambda p: _file(p / "bad.ipynb", "not json"), "not valid JSON"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, make, message):
    result = _grader("grade", make(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grader: error: ")
    assert message in lines[0] and "Traceback" not in result.stderr


def _file(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_grading_the_stub_exits_0_and_writes_gradescope_json(tmp_path):
    out = tmp_path / "results.json"
    result = _grader("grade", STUDENT, "--json", out, "--timings")
    assert result.returncode == 0, result.stderr
    assert "Total: 0/100" in result.stdout
    # Every function is still the stub: nothing to run, so no kernel starts.
    phases = [line.split()[1] for line in result.stderr.splitlines()]
    assert phases[0] == "reading" and phases[-1] == "total"
    assert "kernel" not in result.stderr
    data = json.loads(out.read_text())
    assert set(data) == {"score", "max_score", "execution_time", "output", "tests"}
    assert data["score"] == 0 and data["max_score"] == 100
    assert isinstance(data["execution_time"], float)
    for test in data["tests"]:
        assert set(test) == {
            "name",
            "score",
            "max_score",
            "status",
            "output",
            "visibility",
            "tags",
        }
        assert test["status"] == "failed" and test["score"] == 0
        assert test["visibility"] in {"visible", "after_published"}
        assert test["tags"] == [test["name"].split(":")[0]]
    assert sum(t["max_score"] for t in data["tests"]) == 100


def test_unwritable_json_path_is_a_clean_error(tmp_path):
    result = _grader("grade", STUDENT, "--json", tmp_path / "no" / "dir" / "r.json")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("grader: error: ")
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr


def test_signs_writes_both_files(tmp_path):
    result = _grader("signs", tmp_path, "--train", "6", "--test", "6")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "test_signs.h5",
        "train_signs.h5",
    ]


def test_check_runs_the_visible_checks_and_fails_with_status_1(tmp_path):
    import nbformat
    from conftest import edited_solution
    from corpus.wrong import WRONG

    case = next(c for c in WRONG if c.name == "identity-batchnorm-on-wrong-axis")
    path = tmp_path / "axis.ipynb"
    nbformat.write(edited_solution(list(case.edits)), path)
    result = _grader("check", path, "--function", "identity_block")
    assert result.returncode == 1, result.stderr
    assert "FAIL      0/8  layers and settings" in result.stdout
    assert "bn1a_branch2b normalizes axis 1, expected the channels axis (3)" in (
        result.stdout
    )
    assert "(hidden)" not in result.stdout and "ResNet50" not in result.stdout
    assert "Total: 12/20" in result.stdout


def test_points_prints_the_table():
    result = _grader("points")
    assert result.returncode == 0
    assert "| `ResNet50` | short training run | 5 | after grades are published |" in (
        result.stdout
    )
    assert "| | **total** | **100** | |" in result.stdout


def test_report_help_says_what_it_writes():
    result = _grader("report", "--help")
    assert result.returncode == 0
    assert "OUT/report.html" in result.stdout and "OUT/results/" in result.stdout


@pytest.mark.fast
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "nowhere", "no results/ folder in it"),
        (lambda p: p, "no results/ folder in it"),
        (lambda p: _file(p / "gradebook.csv", "student\n"), "no results/ folder"),
        (lambda p: (p / "results").mkdir() or p, "no stored results in it"),
    ],
)
def test_report_of_a_folder_without_results_is_one_line_and_exit_2(
    tmp_path, make, message
):
    result = _grader("report", make(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grader: error: ")
    assert message in lines[0] and "Traceback" not in result.stderr


@pytest.mark.fast
def test_report_skips_an_unreadable_result_and_says_so(tmp_path):
    from grader.reports.results import SubmissionResult

    results = tmp_path / "results"
    results.mkdir()
    stored = SubmissionResult("s1", "s1.ipynb", "", "invalid", message="empty file")
    _file(results / "s1.json", json.dumps(stored.to_dict()))
    _file(results / "s2.json", "{ half a file")
    result = _grader("report", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"grader: skipped {results / 's2.json'}: not a stored result\n"
    )
    assert result.stdout.splitlines() == [
        f"wrote {tmp_path / 'report.html'} (1 submission)",
        f"wrote {tmp_path / 'feedback'} (1 page)",
    ]
    page = (tmp_path / "feedback" / "s1.html").read_text(encoding="utf-8")
    assert "<b>Not graded.</b> empty file" in page
    assert 'href="feedback/s1.html"' in (tmp_path / "report.html").read_text()


def test_one_notebook_graded_with_points_follows_them(tmp_path):
    from conftest import ROOT

    out = tmp_path / "results.json"
    example = ROOT / "docs" / "points.example.toml"
    result = _grader("grade", STUDENT, "--json", out, "--points", example)
    assert result.returncode == 0, result.stderr
    assert "FAIL     0/10  seeded output" in result.stdout
    assert "FAIL     0/10  short training run\n" in result.stdout  # now visible
    assert "Total: 0/100" in result.stdout
    tests = {t["name"]: t for t in json.loads(out.read_text())["tests"]}
    training = tests["ResNet50: short training run"]
    assert (training["max_score"], training["visibility"]) == (10, "visible")
    assert tests["identity_block: layer names"]["max_score"] == 2
