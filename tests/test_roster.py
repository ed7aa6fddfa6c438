"""Canvas's gradebook export read as a roster, and canvas-import.csv made from
a batch's results, on plain files: no kernel, no TensorFlow."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from grader.batch.roster import read_roster, render_canvas_import
from grader.errors import GraderError
from grader.reports.results import CheckResult, GradeReport, SubmissionResult

pytestmark = pytest.mark.fast

# An export of the shape Canvas writes: identity columns, a Points Possible
# row, two assignments and the scores Canvas computes, and its test student.
EXPORT = Path(__file__).parent / "data" / "canvas-gradebook-export.csv"
HEADER = (
    "Student,ID,SIS User ID,SIS Login ID,Section,"
    "Residual Networks (4411),Convolution Model (4410),Current Score"
)


def _write(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _result(student, notebook, score, status="graded", max_points=100):
    report = (
        GradeReport(
            notebook=notebook,
            checks=(CheckResult("ResNet50", "layer names", max_points, score, "m"),),
        )
        if status == "graded"
        else None
    )
    return SubmissionResult(
        student=student,
        notebook=notebook,
        sha256="",
        status=status,
        message="" if report else "why",
        report=report,
    )


def test_the_export_gives_its_students_and_the_residual_networks_column():
    roster = read_roster(EXPORT)
    assert roster.column == "Residual Networks (4411)"
    assert roster.identity == (
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
    )
    assert roster.points_possible == "100"
    assert [s["ID"] for s in roster.students] == ["12345", "777", "4242", "99"]
    assert roster.students[0]["Student"] == "Smith, John"


def test_a_byte_order_mark_and_a_manual_posting_row_are_read_past(tmp_path):
    text = EXPORT.read_text(encoding="utf-8").splitlines()
    text.insert(1, ",,,,,Manual Posting,,,,,,,")
    path = tmp_path / "excel.csv"
    path.write_text("\ufeff" + "\n".join(text) + "\n", encoding="utf-8")
    roster = read_roster(path)
    assert roster.identity[0] == "Student"
    assert len(roster.students) == 4


@pytest.mark.parametrize(
    ("wanted", "column"),
    [
        ("Residual Networks (4411)", "Residual Networks (4411)"),
        ("residual networks", "Residual Networks (4411)"),
        ("4410", "Convolution Model (4410)"),
        ("  Convolution Model ", "Convolution Model (4410)"),
    ],
)
def test_the_assignment_column_is_chosen_by_header_name_or_id(wanted, column):
    assert read_roster(EXPORT, assignment=wanted).column == column


@pytest.mark.parametrize(
    ("text", "assignment", "message"),
    [
        (
            HEADER + "\n",
            "Residual",
            "--canvas-assignment 'Residual': no such column in {path}; its "
            "assignments: 'Residual Networks (4411)', 'Convolution Model (4410)'",
        ),
        (
            "Student,ID,SIS Login ID,Section,Residual Networks (1),"
            "Residual Networks (2)\n",
            None,
            "--canvas-roster {path}: say which column is this assignment's with "
            "--canvas-assignment; more than one assignment's name has 'residual': "
            "'Residual Networks (1)', 'Residual Networks (2)'",
        ),
        (
            "Student,ID,SIS Login ID,Section,Residual Networks (1),"
            "Residual Networks (2)\n",
            "Residual Networks",
            "--canvas-roster {path}: say which column is this assignment's with "
            "--canvas-assignment; more than one is called 'Residual Networks'; "
            "give the whole header: 'Residual Networks (1)', 'Residual Networks (2)'",
        ),
        (
            "Student,ID,Section,Lab 1 (5)\n",
            None,
            "--canvas-roster {path}: say which column is this assignment's with "
            "--canvas-assignment; no assignment's name has 'residual': 'Lab 1 (5)'",
        ),
        (
            "Student,ID,Section,Current Score\n",
            None,
            "--canvas-roster {path}: no assignment columns (headed by name and id, "
            "as 'Residual Networks (1234)'); create the assignment in Canvas, then "
            "export",
        ),
        (
            "name,score\nann,3\n",
            None,
            "--canvas-roster {path}: not a Canvas gradebook export: it has no "
            "'Student' column (its columns: 'name', 'score')",
        ),
        (
            "",
            None,
            "--canvas-roster {path}: the file is empty; export the "
            "gradebook from Canvas",
        ),
        (
            'Student,ID,"Residual Networks (1)\n',
            None,
            "--canvas-roster {path}: not a CSV file (unexpected end of data)",
        ),
    ],
)
def test_a_roster_that_cannot_serve_is_refused_in_one_line(
    tmp_path, text, assignment, message
):
    path = _write(tmp_path, text)
    with pytest.raises(GraderError) as caught:
        read_roster(path, assignment=assignment)
    assert str(caught.value) == message.format(path=path)


def test_a_missing_or_binary_roster_is_refused_in_one_line(tmp_path):
    with pytest.raises(
        GraderError, match=r"^--canvas-roster .*nope.csv: no such file$"
    ):
        read_roster(tmp_path / "nope.csv")
    binary = tmp_path / "grades.xlsx"
    binary.write_bytes(b"PK\x03\x04\xff\xfe")
    with pytest.raises(
        GraderError, match=r"cannot be read \(byte 4 is not UTF-8 text\)$"
    ):
        read_roster(binary)


def test_the_import_has_every_roster_student_and_names_who_is_missing():
    results = [
        _result("12345", "subs/smithjohn_12345_900_Residual_Networks.ipynb", 95.5),
        # Two notebooks of one student: ids apart, the Canvas id from the name.
        _result("doejane_777_901_a", "subs/doejane_LATE_777_901_a.ipynb", 40),
        _result("doejane_777_902_b", "subs/doejane_LATE_777_902_b.ipynb", 62),
        _result("4242", "subs/4242/Residual_Networks.ipynb", 0, status="error"),
        _result("s1001", "subs/s1001.ipynb", 70),
    ]
    made = render_canvas_import(results, read_roster(EXPORT))
    rows = list(csv.reader(io.StringIO(made.text)))
    assert rows == [
        [
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            "Residual Networks (4411)",
        ],
        ["Smith, John", "12345", "u1001", "jsmith", "Deep Learning 01", "95.5"],
        ["Doe, Jane", "777", "u1002", "jdoe", "Deep Learning 01", "62"],
        ["O'Brien, Ann", "4242", "u1003", "aobrien", "Deep Learning 02", ""],
        ["Student, Test", "99", "", "", "Deep Learning 01", ""],
    ]
    assert made.notes == (
        "1 in the Canvas roster have no submission (empty score): Student, Test (99)",
        "1 in the Canvas roster could not be graded (empty score; grade them "
        "again): O'Brien, Ann (4242)",
        "1 in the Canvas roster have several submissions (the best score is "
        "written): Doe, Jane (777)",
        "1 submissions are from nobody in the Canvas roster (not in "
        "canvas-import.csv): s1001",
    )


def test_an_invalid_notebook_scores_0_and_other_points_possible_are_noted():
    roster = read_roster(EXPORT)
    results = [
        _result("12345", "subs/smithjohn_12345_900_x.ipynb", 0, status="invalid"),
        _result("777", "subs/777.ipynb", 8, max_points=10),
    ]
    made = render_canvas_import(results, roster)
    scores = [row[-1] for row in csv.reader(io.StringIO(made.text))][1:3]
    assert scores == ["0", "8"]
    assert made.notes[-1] == (
        "Residual Networks (4411) is worth 100 points in Canvas and 10 here; "
        "the scores are written as graded (--points sets the grader's)"
    )


def _kept_batch(tmp_path: Path) -> tuple[Path, Path]:
    """Canvas-named submissions whose results are stored already, so that
    ``grader grade`` keeps them all and starts no kernel."""
    from grader.batch import Options, grader_version
    from grader.batch.store import Store, content_hash

    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    scores = {
        "smithjohn_12345_900_Residual_Networks.ipynb": ("12345", 88),
        "doejane_LATE_777_901_Residual_Networks.ipynb": ("777", 100),
        "s1001.ipynb": ("s1001", 70),
    }
    for name, (student, score) in scores.items():
        path = subs / name
        path.write_text(f'{{"n": "{name}"}}', encoding="utf-8")
        result = _result(student, str(path), score)
        Store(out).save(
            replace(
                result,
                sha256=content_hash(path),
                grader=grader_version(),
                options=Options().key(),
            )
        )
    return subs, out


def test_a_batch_with_a_roster_writes_the_import_and_names_who_is_missing(
    tmp_path, capsys
):
    from grader.commands.cli import main

    subs, out = _kept_batch(tmp_path)
    code = main(["grade", str(subs), "--out", str(out), "--canvas-roster", str(EXPORT)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"wrote {out / 'canvas-import.csv'}" in captured.out
    rows = list(csv.reader((out / "canvas-import.csv").open(encoding="utf-8")))
    assert [row[1:2] + row[-1:] for row in rows] == [
        ["ID", "Residual Networks (4411)"],
        ["12345", "88"],
        ["777", "100"],
        ["4242", ""],
        ["99", ""],
    ]
    assert captured.err.splitlines()[-2:] == [
        "grader: 2 in the Canvas roster have no submission (empty score): "
        "O'Brien, Ann (4242), Student, Test (99)",
        "grader: 1 submissions are from nobody in the Canvas roster (not in "
        "canvas-import.csv): s1001",
    ]
    assert "(unchanged, kept)" in captured.err  # nothing was graded


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--canvas-roster", "{tmp}/nope.csv"],
            "grader: error: --canvas-roster {tmp}/nope.csv: no such file",
        ),
        (
            ["--canvas-roster", str(EXPORT), "--canvas-assignment", "Lab 9"],
            f"grader: error: --canvas-assignment 'Lab 9': no such column in {EXPORT}; "
            "its assignments: 'Residual Networks (4411)', 'Convolution Model (4410)'",
        ),
        (
            ["--canvas-assignment", "Residual Networks"],
            "grader: error: --canvas-assignment needs --canvas-roster",
        ),
    ],
)
def test_a_roster_the_batch_cannot_use_stops_it_before_grading(
    tmp_path, capsys, arguments, message
):
    from grader.commands.cli import main

    subs, out = _kept_batch(tmp_path)
    (out / "results").rename(tmp_path / "kept")  # anything graded would show
    arguments = [a.format(tmp=tmp_path) for a in arguments]
    assert main(["grade", str(subs), "--out", str(out), *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.err == message.format(tmp=tmp_path) + "\n"
    assert not (out / "results").exists()
