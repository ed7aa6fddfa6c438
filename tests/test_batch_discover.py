"""Finding a batch's notebooks and their students' ids, on plain files: no
kernel, no TensorFlow."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.notebooks.discover import (
    CanvasName,
    canvas_name,
    file_name,
    find_submissions,
    notebooks_in,
)

pytestmark = pytest.mark.fast


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
        (["s/u7/x.ipynb", "s/u7/y.ipynb"], ["s"], ["u7/x", "u7/y"]),
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
