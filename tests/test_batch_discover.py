"""Finding a batch's notebooks and their students' ids, on plain files: no
kernel, no TensorFlow."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.notebooks.discover import (
    CanvasName,
    Submission,
    canvas_name,
    file_name,
    find_submissions,
    notebooks_in,
)
from grader.reports.results import INVALID, SubmissionResult
from grader.similarity.render import CSV_HEADER

pytestmark = pytest.mark.fast

ROOT = Path(__file__).resolve().parent.parent


def _touch(root: Path, relatives: list[str]) -> None:
    for relative in relatives:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")


@pytest.mark.parametrize(
    ("layout", "paths", "ids"),
    [
        (["a.ipynb", "b.ipynb"], ["."], ["a", "b"]),
        (["s/u0142/Residual_Networks.ipynb"], ["s"], ["u0142"]),
        (["s/u7/x.ipynb", "s/u7/y.ipynb"], ["s"], ["u7--x", "u7--y"]),
        (["s/1/n.ipynb", "s/2/n.ipynb"], ["s/*/*.ipynb"], ["1", "2"]),
        (["s/a/.ipynb_checkpoints/n.ipynb", "s/a/n.ipynb"], ["s"], ["a"]),
        (["a.ipynb"], ["a.ipynb", "./a.ipynb"], ["a"]),
        # Canvas's download names (sortable name, LATE, user id, file id,
        # the uploaded name) give the Canvas user id, as does a folder of
        # them named directly.
        (
            [
                "s/smithjane_12345_678_Residual_Networks.ipynb",
                "s/doejohn_LATE_777_9001_Residual_Networks-1.ipynb",
            ],
            ["s"],
            ["777", "12345"],
        ),
        (
            ["s/smithjane_12345_678_x.ipynb"],
            ["s/smithjane_12345_678_x.ipynb"],
            ["12345"],
        ),
        # Another name keeps its stem; two notebooks of one Canvas user each
        # take the name below the folder, as any other clash does.
        (["s/lab_two.ipynb"], ["s"], ["lab_two"]),
        (
            ["s/smithjane_12345_678_a.ipynb", "s/smithjane_12345_679_b.ipynb"],
            ["s"],
            ["smithjane_12345_678_a", "smithjane_12345_679_b"],
        ),
        (["s/x/deep/er/n.ipynb"], ["s"], ["x"]),
    ],
)
def test_student_ids_follow_the_documented_rule(
    tmp_path, monkeypatch, layout, paths, ids
):
    _touch(tmp_path, layout)
    monkeypatch.chdir(tmp_path)
    assert [s.student for s in find_submissions(paths)] == ids


def test_notebooks_in_skips_copies_archive_leftovers_and_hidden_files(tmp_path):
    _touch(
        tmp_path,
        [
            "a/n.ipynb",
            "a/.ipynb_checkpoints/n-checkpoint.ipynb",
            "__MACOSX/a/._n.ipynb",
            "__pycache__/x.ipynb",
            ".hidden/n.ipynb",
            "a/.n.ipynb",
            "a/notes.txt",
            "b/c/m.ipynb",
        ],
    )
    found = sorted(p.relative_to(tmp_path).as_posix() for p in notebooks_in(tmp_path))
    assert found == ["a/n.ipynb", "b/c/m.ipynb"]


@pytest.mark.parametrize(
    ("student", "name"),
    [
        ("s1042", "s1042"),
        ("s1042/copy", "s1042--copy"),
        ("Jane Doe (2)", "Jane_Doe_2"),
        ("../..", "--"),
        ("...", "submission"),
    ],
)
def test_file_names_are_safe(student, name):
    assert file_name(student) == name


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        (
            "smithjohn_12345_67890_Residual_Networks.ipynb",
            CanvasName("smithjohn", "12345", False, "Residual_Networks.ipynb"),
        ),
        (
            "smithjohn_LATE_12345_67890_Residual_Networks.ipynb",
            CanvasName("smithjohn", "12345", True, "Residual_Networks.ipynb"),
        ),
        # Anonymous grading: no name, and anon_ with the anonymous id.
        (
            "anon_x7Kp2_67890_Residual_Networks.ipynb",
            CanvasName("", "anon_x7Kp2", False, "Residual_Networks.ipynb"),
        ),
        (
            "LATE_anon_x7Kp2_67890_nb.ipynb",
            CanvasName("", "anon_x7Kp2", True, "nb.ipynb"),
        ),
        # Underscores stay in a sortable name ("O_Brien, Ann").
        (
            "o_brienann_4242_1_Residual_Networks_v2.ipynb",
            CanvasName("o_brienann", "4242", False, "Residual_Networks_v2.ipynb"),
        ),
        ("s1042.ipynb", None),
        ("Residual_Networks.ipynb", None),
        ("smithjohn_12345_Residual_Networks.ipynb", None),
    ],
)
def test_canvas_download_names_are_read(name, parsed):
    assert canvas_name(name) == parsed


#: Names a file name cannot hold as they are, each with the id it gives, and
#: ids that were file names already, kept.
AWKWARD = {
    "smith-0-to-5./Residual_Networks.ipynb": "smith-0-to-5",
    "jones /Residual_Networks.ipynb": "jones",
    "12345./Residual_Networks.ipynb": "12345",
    "Jane Doe (2).ipynb": "Jane_Doe_2",
    "dot..ipynb": "dot",
    "u7/x.ipynb": "u7--x",
    "u7/y.ipynb": "u7--y",
    "s1001.ipynb": "s1001",
    "lab_two.ipynb": "lab_two",
}


def test_a_name_a_file_name_cannot_hold_gives_an_id_that_is_one(tmp_path):
    _touch(tmp_path / "s", list(AWKWARD))
    found = find_submissions([tmp_path / "s"])
    assert {s.name: s.student for s in found} == AWKWARD
    assert all(file_name(s.student) == s.student for s in found)


def test_a_message_names_the_notebook_as_shown_not_where_it_is(tmp_path):
    _touch(tmp_path / "subs", ["s1/Residual_Networks.ipynb", "s2.ipynb"])
    one, two = find_submissions([tmp_path / "subs"])
    said = f"{one.path}: not valid JSON; {two.path} was fine"
    assert (
        one.rename(said)
        == f"s1/Residual_Networks.ipynb: not valid JSON; {two.path} was fine"
    )
    assert two.rename(one.rename(said)) == (
        "s1/Residual_Networks.ipynb: not valid JSON; s2.ipynb was fine"
    )
    alone = Submission("s3", tmp_path / "subs" / "s2.ipynb")
    assert alone.rename(f"{alone.path} is empty") == "s2.ipynb is empty"


def _notebook(code: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "source": code, "outputs": []}
    cell["execution_count"] = None
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook)


def test_every_output_of_a_batch_names_a_student_by_the_gradebook_id(tmp_path, capsys):
    """The gradebook's id is the name of each file and folder a batch writes
    for the student, the JUnit suite's and the similarity page's, and the
    Canvas roster meets a folder named by a Canvas id with a trailing dot.

    Results are stored first as a batch would, so nothing is graded: the
    batch writes its outputs from them.
    """
    from grader.batch.options import Options
    from grader.batch.store import Store, content_hash
    from grader.commands.cli import main
    from grader.version import grader_version

    subs, out = tmp_path / "subs", tmp_path / "out"
    for relative in AWKWARD:
        path = subs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_notebook(f"def f():\n    return {relative!r}\n"))
    for submission in find_submissions([subs]):
        Store(out).save(
            SubmissionResult(
                student=submission.student,
                notebook=submission.shown,
                sha256=content_hash(submission.path),
                status=INVALID,
                message="not a notebook of this assignment",
                grader=grader_version(),
                options=Options().key(),
                path=str(submission.path),
            )
        )
    roster = ROOT / "tests" / "data" / "canvas-gradebook-export.csv"
    code = main(["grade", str(subs), "--out", str(out), "--canvas-roster", str(roster)])
    assert code == 0, capsys.readouterr().err

    ids = sorted(row["student"] for row in _rows(out / "gradebook.csv"))
    assert ids == sorted(AWKWARD.values())
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == ids
    for path in (out / "results").glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["student"] == path.stem
    assert sorted(p.stem for p in (out / "feedback").glob("*.md")) == ids
    assert sorted(p.stem for p in (out / "feedback").glob("*.html")) == ids
    assert sorted(p.name for p in (out / "gradescope").iterdir()) == ids
    assert all((out / "gradescope" / i / "results.json").is_file() for i in ids)
    suites = ET.parse(out / "junit.xml").getroot().iter("testsuite")
    assert sorted(suite.get("name", "") for suite in suites) == ids
    report = (out / "report.html").read_text(encoding="utf-8")
    assert all(f'href="feedback/{i}.html"' in report for i in ids)
    pairs = _rows(out / "similarity.csv")
    assert {row[side] for row in pairs for side in CSV_HEADER[:2]} == set(ids)
    canvas = {row["ID"]: row for row in _rows(out / "canvas-import.csv")}
    assert canvas["12345"]["Residual Networks (4411)"] == "0"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
