"""Batch grading as an instructor runs it: a folder of twelve submissions,
graded by the ``grader`` command with two workers, then again (everything
kept), then through a Dask cluster on loopback (the same scores).

The batch grades ``identity_block`` only, with short limits: what is under
test is the batch (discovery, workers, failures, storage, outputs), and the
checks themselves are tested on whole notebooks elsewhere.

The folder is graded once per session (``first_run``); the tests that read it
share the xdist group ``course-folder``, so that one worker runs them all
(``--dist loadgroup`` in pyproject.toml) instead of each worker grading the
folder again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import browser
import nbformat
import pytest
from conftest import (
    SOLUTION,
    STUDENT,
    as_from_a_terminal,
    edited_solution,
    wait_for_batch_kernel,
)
from corpus.wrong import WRONG

from grader.batch import find_submissions
from grader.errors import GraderError
from grader.judging import cache

BODY = "    ### START CODE HERE ###\n"
FULL = 30  # identity_block's points
OPTIONS = [
    "--function",
    "identity_block",
    "--cell-timeout",
    "10",
    "--probe-timeout",
    "10",
]


def _wrong(name):
    case = next(case for case in WRONG if case.name == name)
    lost = sum(check.points for check in _identity_checks() if check.name in case.fails)
    return edited_solution(list(case.edits)), FULL - lost


def _identity_checks():
    from grader.judging.checks import CHECKS

    return [check for check in CHECKS if check.function == "identity_block"]


def _columns():
    """The gradebook's column of each identity_block check."""
    return [f"identity_block: {check.name}" for check in _identity_checks()]


def _with_body(code):
    return edited_solution([("identity_block", BODY, BODY + code)])


def _write(path: Path, content) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        nbformat.write(content, path)


@pytest.fixture(scope="session")
def folder(tmp_path_factory):
    """Twelve submissions laid out as an LMS export, and each one's verdict:
    ``student -> (status, score)``."""
    root = tmp_path_factory.mktemp("course") / "submissions"
    solution = nbformat.read(SOLUTION, as_version=4)
    wrong, wrong_score = _wrong("identity-batchnorm-on-wrong-axis")
    relu, relu_score = _wrong("identity-without-final-relu")
    other = nbformat.v4.new_notebook()
    other.cells = [nbformat.v4.new_code_cell("def model(X):\n    return X")]
    nb = "Residual_Networks.ipynb"
    layout = {
        f"correct/{nb}": (solution, ("graded", FULL)),
        f"wrong-axis/{nb}": (wrong, ("graded", wrong_score)),
        f"stub/{nb}": (nbformat.read(STUDENT, as_version=4), ("graded", 0)),
        f"truncated/{nb}": (SOLUTION.read_text()[:5000], ("invalid", 0)),
        f"loops/{nb}": (_with_body("    while True:\n        pass\n"), ("graded", 0)),
        f"raises/{nb}": (_with_body("    raise RuntimeError('oops')\n"), ("graded", 0)),
        f"no-final-relu/{nb}": (relu, ("graded", relu_score)),
        f"png/{nb}": (b"\x89PNG\r\n\x1a\n not a notebook", ("invalid", 0)),
        f"other-assignment/{nb}": (other, ("invalid", 0)),
        "loose-file.ipynb": (nbformat.read(STUDENT, as_version=4), ("graded", 0)),
        f"empty/{nb}": ("", ("invalid", 0)),
        f"nested/work/{nb}": (solution, ("graded", FULL)),
    }
    for relative, (content, _) in layout.items():
        _write(root / relative, content)
    # Jupyter's autosave copies are not submissions.
    _write(root / "correct" / ".ipynb_checkpoints" / nb, solution)
    expected = {
        relative.split("/")[0].removesuffix(".ipynb"): verdict
        for relative, (_, verdict) in layout.items()
    }
    return root, expected


def _grader(*args, timeout=900):
    # Without the run's own cache: a batch keeps its own in its output folder.
    env = {k: v for k, v in os.environ.items() if k != cache.CACHE_DIR_VARIABLE}
    return subprocess.run(
        [sys.executable, "-m", "grader", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def _kept(out: Path) -> dict[str, int]:
    """The batch's cache entries and when each was written."""
    entries = (out / cache.BATCH_FOLDER).glob("*.json")
    return {path.name: path.stat().st_mtime_ns for path in entries}


def _digests(root: Path) -> dict[Path, str]:
    return {
        path: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _gradebook(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="session")
def first_run(folder, tmp_path_factory):
    root, _ = folder
    out = tmp_path_factory.mktemp("graded")
    before = _digests(root)
    result = _grader("grade", root, "-j", "2", "--out", out, *OPTIONS)
    assert _digests(root) == before, "a submission was changed"
    return result, out


#: The tests of the graded folder: one worker runs them, so it is graded once.
course_folder = pytest.mark.xdist_group("course-folder")


@course_folder
def test_a_folder_is_graded_with_progress_and_a_gradebook(folder, first_run):
    _, expected = folder
    result, out = first_run
    assert result.returncode == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 12
    assert progress[-1].startswith("[12/12] done 8, failed 4, remaining 0")
    assert "grading 12 submissions 2 at a time" in result.stderr
    book = _gradebook(out)
    assert {s: (row["status"], float(row["score"])) for s, row in book.items()} == {
        student: (status, float(score)) for student, (status, score) in expected.items()
    }
    names = _columns()
    for row in book.values():
        assert row["max_score"] == str(FULL)
        if row["status"] == "graded":
            assert sum(float(row[name]) for name in names) == float(row["score"])
        else:
            assert all(row[name] == "" for name in names) and row["message"]
    # The workers shared one cache, the batch's alone, which no output names.
    assert (out / cache.BATCH_FOLDER).stat().st_mode & 0o777 == 0o700
    assert any(name.startswith("check-") for name in _kept(out))
    assert all(cache.BATCH_FOLDER not in row.values() for row in book.values())
    assert "not valid JSON" in book["truncated"]["message"]
    assert "not the Residual Networks assignment" in book["other-assignment"]["message"]
    assert "empty" in book["empty"]["message"]


@course_folder
def test_each_student_gets_feedback_gradescope_results_and_a_junit_case(
    folder, first_run
):
    _, expected = folder
    _, out = first_run
    wrong = (out / "feedback" / "wrong-axis.md").read_text()
    assert "bn1a_branch2b normalizes axis 1, expected the channels axis (3)" in wrong
    assert "**Score: " in wrong
    loops = (out / "feedback" / "loops.md").read_text()
    assert "did not finish in time" in loops
    truncated = (out / "feedback" / "truncated.md").read_text()
    assert "**Not graded.**" in truncated and "not valid JSON" in truncated
    for student, (_, score) in expected.items():
        results = json.loads(
            (out / "gradescope" / student / "results.json").read_text()
        )
        assert results["score"] == score
        hidden = [t for t in results["tests"] if t["visibility"] == "after_published"]
        assert len(hidden) == (2 if results["tests"] else 0)
    suites = ET.parse(out / "junit.xml").getroot().findall("testsuite")
    assert sorted(suite.get("name") for suite in suites) == sorted(expected)
    wrong_suite = next(suite for suite in suites if suite.get("name") == "wrong-axis")
    failures = [case for case in wrong_suite if case.find("failure") is not None]
    assert len(failures) == int(wrong_suite.get("failures")) > 0
    other_suite = next(
        suite for suite in suites if suite.get("name") == "other-assignment"
    )
    assert other_suite.get("errors") == "1"


@course_folder
def test_a_second_run_keeps_all_twelve(folder, first_run):
    root, _ = folder
    _, out = first_run
    stored = {p: p.stat().st_mtime_ns for p in (out / "results").iterdir()}
    book = (out / "gradebook.csv").read_text()
    again = _grader("grade", root, "-j", "2", "--out", out, *OPTIONS)
    assert again.returncode == 0, again.stderr
    progress = [line for line in again.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == 12
    assert all(line.endswith("(unchanged, kept)") for line in progress)
    assert "12 kept from an earlier run" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in (out / "results").iterdir()} == stored
    assert (out / "gradebook.csv").read_text() == book


@course_folder
def test_a_changed_submission_alone_is_graded_again(folder, first_run, tmp_path):
    root, expected = folder
    _, out = first_run
    copy = tmp_path / "out"
    subprocess.run(["cp", "-r", str(out), str(copy)], check=True)
    changed = tmp_path / "subs"
    subprocess.run(["cp", "-r", str(root), str(changed)], check=True)
    nb = changed / "empty" / "Residual_Networks.ipynb"
    nb.write_text(SOLUTION.read_text(), encoding="utf-8")
    kept = _kept(copy)
    again = _grader("grade", changed, "--out", copy, *OPTIONS)
    assert again.returncode == 0, again.stderr
    # The solution's checks were judged in the first run: read, not written.
    assert _kept(copy) == kept
    fresh = [line for line in again.stderr.splitlines() if line.startswith("[")]
    assert [line for line in fresh if "kept" not in line] == [
        line for line in fresh if "empty: 30/30" in line
    ]
    book = _gradebook(copy)
    assert (book["empty"]["status"], book["empty"]["score"]) == ("graded", "30")
    assert book["correct"]["score"] == str(expected["correct"][1])


#: The submissions the Dask test grades again: two with a kernel (full marks
#: and a wrong answer), the stub (no kernel) and a file that is not a notebook.
ON_DASK = ("correct", "wrong-axis", "stub", "png")


@course_folder
def test_a_dask_cluster_gives_the_same_scores(folder, first_run, tmp_path):
    import distributed

    root, _ = folder
    _, out = first_run
    subset = tmp_path / "submissions"
    for student in ON_DASK:
        shutil.copytree(root / student, subset / student)
    graded = tmp_path / "graded"
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        result = _grader(
            "grade",
            subset,
            "--out",
            graded,
            "--scheduler",
            cluster.scheduler_address,
            *OPTIONS,
        )
    assert result.returncode == 0, result.stderr
    assert "on the Dask cluster at tcp://127.0.0.1:" in result.stderr
    here, there = _gradebook(out), _gradebook(graded)
    assert sorted(there) == sorted(ON_DASK)
    columns = ["status", "score", *_columns(), "sha256"]

    def row(book, student, folder):
        message = book[student]["message"].replace(str(folder), "SUBMISSIONS")
        return [book[student][c] for c in columns] + [message]

    assert {s: row(there, s, subset) for s in ON_DASK} == {
        s: row(here, s, root) for s in ON_DASK
    }


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                    if text.encode() in handle.read():
                        found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_ctrl_c_stops_at_once_and_keeps_what_finished(tmp_path):
    subs = tmp_path / "subs"
    _write(subs / "a-stub.ipynb", nbformat.read(STUDENT, as_version=4))
    _write(subs / "b-loops.ipynb", _with_body("    while True:\n        pass\n"))
    out = tmp_path / "out"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    process = subprocess.Popen(
        as_from_a_terminal(
            [sys.executable, "-m", "grader", "grade", str(subs), "-j", "1"]
            + ["--out", str(out), "--function", "identity_block"]
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmpdir)},
    )
    for line in process.stderr:
        if line.startswith("[1/2]"):
            break
    # The stub starts no kernel: a kernel's folder is the looping notebook's,
    # which then runs with the default 60 s limit.
    wait_for_batch_kernel(process, tmpdir)
    process.send_signal(signal.SIGINT)
    started = time.monotonic()
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(f"still grading after Ctrl-C:\n{stderr}") from None
    assert time.monotonic() - started < 20
    assert process.returncode == 130
    assert "interrupted: 1 of 2 submissions finished" in stderr
    assert list(_gradebook(out)) == ["a-stub"]
    assert [p.name for p in (out / "results").iterdir()] == ["a-stub.json"]
    deadline = time.monotonic() + 10
    # The worker and its kernels name their folders, all under TMPDIR.
    while _processes_mentioning(str(tmpdir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_mentioning(str(tmpdir)) == []


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        (["nowhere"], "no such file or folder"),
        (["*.nothing"], "the pattern matches no file"),
        (["empty"], "no .ipynb files in this folder"),
        (["x/n.ipynb", "y/n.ipynb"], "would share the id 'n'"),
    ],
)
def test_a_batch_that_cannot_start_says_why(tmp_path, monkeypatch, paths, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    _write(tmp_path / "x" / "n.ipynb", "{}")
    _write(tmp_path / "y" / "n.ipynb", "{}")
    with pytest.raises(GraderError, match=message):
        find_submissions(paths)
    result = _grader("grade", *paths, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("grader: error: ")


@course_folder
def test_the_batch_writes_a_report_that_grader_report_writes_again(
    folder, first_run, tmp_path
):
    _, expected = folder
    _, out = first_run
    pages = {p.name: p.read_bytes() for p in (out / "feedback").glob("*.html")}
    assert set(pages) == {f"{student}.html" for student in expected}
    report = (out / "report.html").read_text(encoding="utf-8")
    assert '<div class="card">submissions<b>12</b></div>' in report
    assert '<div class="card">graded<b>8</b></div>' in report
    assert '<div class="card">invalid<b>4</b></div>' in report
    axis = "bn1a_branch2b normalizes axis 1, expected the channels axis (3)"
    assert axis in report and 'href="feedback/wrong-axis.html"' in report
    wrong = pages["wrong-axis.html"].decode()
    assert wrong.count("<svg") == 1 and f"First difference: {axis}." in wrong

    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink()
    for page in (copy / "feedback").glob("*.html"):
        page.unlink()
    again = _grader("report", copy)
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == (
        f"wrote {copy / 'report.html'} (12 submissions)"
    )
    assert (copy / "report.html").read_bytes() == (out / "report.html").read_bytes()
    assert {p.name: p.read_bytes() for p in (copy / "feedback").glob("*.html")} == (
        pages
    )


@course_folder
def test_the_report_and_a_feedback_page_look_right_in_chromium(first_run, tmp_path):
    why = browser.missing()
    if why:
        pytest.skip(why)
    _, out = first_run
    report, wrong = browser.look(
        [
            (out / "report.html", tmp_path / "report.png"),
            (out / "feedback" / "wrong-axis.html", tmp_path / "feedback.png"),
        ]
    )
    for seen in (report, wrong):
        assert seen.errors == [], seen.page
        assert seen.requests == [seen.page.resolve().as_uri()]
        assert seen.broken == [] and seen.links, seen.page
        # Not blank: text, figures and tables in many colours.
        assert seen.colours > 100 and seen.white < 0.95, (seen.colours, seen.white)
        assert all(width > 300 and height > 100 for width, height in seen.svgs)
    feedback = {link for link in report.links if "/feedback/" in link}
    assert len(feedback) == 12
    assert len(report.svgs) == 2 and len(wrong.svgs) == 1
    assert {link.rsplit("#", 1)[1] for link in wrong.links} == {"fn-identity_block"}


class _Meta(HTMLParser):
    """The text in ``<code>`` of a feedback page's ``<p class='meta'>``."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self._meta = self._code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._meta |= tag == "p" and ("class", "meta") in attrs
        self._code = self._meta and tag == "code"
        if self._code:
            self.codes.append("")

    def handle_endtag(self, tag: str) -> None:
        self._meta &= tag != "p"
        self._code &= tag != "code"

    def handle_data(self, data: str) -> None:
        if self._code:
            self.codes[-1] += data


#: The name each page and file gives a notebook: its path below the folder.
NAMES = {
    "wrong-axis": "wrong-axis/Residual_Networks.ipynb",
    "truncated": "truncated/Residual_Networks.ipynb",
    "nested": "nested/work/Residual_Networks.ipynb",
    "loose-file": "loose-file.ipynb",
}


@course_folder
def test_no_page_or_file_of_a_batch_names_where_the_folder_graded_is(folder, first_run):
    """Students see their file's path below the folder graded, never where
    the instructor keeps it; only the stored results (``results/``) keep
    where each notebook was read (the batch's cache, ``.grader-cache/``, is
    the grader's own, named by digests, and shown to nobody)."""
    root, _ = folder
    _, out = first_run
    kept = ("results", cache.BATCH_FOLDER)
    written = [
        path
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.relative_to(out).parts[0] not in kept
    ]
    assert {path.relative_to(out).parts[0] for path in written} == {
        "gradebook.csv",
        "feedback",
        "gradescope",
        "junit.xml",
        "report.html",
        "similarity.html",
        "similarity.csv",
    }
    machine = {str(root.parent), str(root.resolve().parent)}
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert not [where for where in machine if where in text], path
    book = _gradebook(out)
    for student, name in NAMES.items():
        assert book[student]["notebook"] == name
        page = _Meta()
        page.feed((out / "feedback" / f"{student}.html").read_text(encoding="utf-8"))
        assert page.codes == [name]
        markdown = (out / "feedback" / f"{student}.md").read_text(encoding="utf-8")
        assert f"Notebook: `{name}`" in markdown.splitlines()
    assert book["truncated"]["message"].startswith(f"{NAMES['truncated']}: ")
