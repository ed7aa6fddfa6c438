"""The result store and its one atomic write, on hand-made results: no
kernel, no TensorFlow."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from grader.batch.options import Options
from grader.batch.store import Store, content_hash
from grader.files import write_atomically
from grader.reports.results import CheckResult, GradeReport, SubmissionResult
from grader.sandbox.choice import Limits
from grader.version import grader_version

pytestmark = pytest.mark.fast

OPTIONS = Options(functions=("identity_block",))
REPORT = GradeReport(
    notebook="subs/a/n.ipynb",
    checks=(
        CheckResult(
            function="identity_block",
            name="seeded output",
            max_points=8,
            points=8,
            message="matches",
        ),
    ),
    seconds=2.0,
)


def _result(status: str = "graded", **fields) -> SubmissionResult:
    base = SubmissionResult(
        student="s1042/copy",
        notebook="subs/s1042/copy.ipynb",
        sha256="ab" * 32,
        status=status,
        report=REPORT if status == "graded" else None,
        message="" if status == "graded" else "why",
        seconds=3.25,
        grader=grader_version(),
        options=OPTIONS.key(),
    )
    return replace(base, **fields)


def test_write_atomically_makes_the_folders_and_leaves_no_partial_file(tmp_path):
    target = tmp_path / "a" / "b" / "c.json"
    write_atomically(target, "one")
    write_atomically(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
    assert [p.name for p in target.parent.iterdir()] == ["c.json"]


def test_a_write_that_fails_leaves_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "c.json"
    write_atomically(target, "old")

    def broken(self: Path, other: Path) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "old"


def test_content_hash_is_the_files_sha256_and_empty_when_unreadable(tmp_path):
    path = tmp_path / "n.ipynb"
    path.write_bytes(b"x" * (3 << 20))
    assert content_hash(path) == hashlib.sha256(b"x" * (3 << 20)).hexdigest()
    assert content_hash(tmp_path / "missing.ipynb") == ""


def test_a_saved_result_loads_back_as_reused(tmp_path):
    store = Store(tmp_path)
    result = _result()
    store.save(result)
    assert store.path(result.student) == tmp_path / "results" / "s1042--copy.json"
    assert store.load(result.student) == replace(result, reused=True)
    assert "reused" not in json.loads(store.path(result.student).read_text())


def test_a_missing_or_unreadable_result_is_none(tmp_path):
    store = Store(tmp_path)
    assert store.load("nobody") is None
    store.folder.mkdir()
    store.path("half").write_text('{"student": "half", ', encoding="utf-8")
    store.path("wrong").write_text('{"student": "wrong"}', encoding="utf-8")
    assert store.load("half") is None and store.load("wrong") is None


@pytest.mark.parametrize(
    ("stored", "sha256", "options", "kept"),
    [
        (_result(), "ab" * 32, OPTIONS, True),
        (_result("invalid"), "ab" * 32, OPTIONS, True),
        # An error is tried again, whatever else holds.
        (_result("error"), "ab" * 32, OPTIONS, False),
        (_result(), "cd" * 32, OPTIONS, False),
        (_result(grader="0.1.0+000000000000"), "ab" * 32, OPTIONS, False),
        (_result(), "ab" * 32, Options(), False),
        (_result(), "ab" * 32, replace(OPTIONS, limits=Limits(cell_seconds=9)), False),
    ],
    ids=[
        "graded",
        "invalid",
        "error",
        "other-notebook",
        "other-grader",
        "other-functions",
        "other-limits",
    ],
)
def test_a_stored_result_is_reused_only_for_the_same_notebook_grader_and_options(
    tmp_path, stored, sha256, options, kept
):
    store = Store(tmp_path)
    store.save(stored)
    reused = store.reusable(stored.student, sha256, options)
    assert reused == (replace(stored, reused=True) if kept else None)
