"""Finding a batch's notebooks and their students' ids, on plain files: no
kernel, no TensorFlow."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.batch.discover import file_name, find_submissions, notebooks_in

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
        # A flat LMS export (Canvas names files student_id_id_name): the id is
        # the whole file name; no LMS's naming is parsed.
        (
            ["s/smithjane_12345_678_Residual_Networks.ipynb"],
            ["s"],
            ["smithjane_12345_678_Residual_Networks"],
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
