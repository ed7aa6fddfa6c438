"""Similarity across a class: small classes written here from the solution
notebook, with honest variations and planted copies (``tests/disguise.py``).

No kernel and no TensorFlow: notebooks are read, never run.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import browser
import disguise
import nbformat
import pytest
from conftest import ROOT

from grader.notebooks.discover import Submission, find_submissions
from grader.similarity import Comparison, compare
from grader.similarity.documents import document
from grader.similarity.fingerprints import fingerprint, history
from grader.similarity.outputs import PAGE, TABLE
from grader.similarity.render import CSV_HEADER, render_similarity_html

pytestmark = pytest.mark.fast

SOLUTION = ROOT / "solutions" / "Residual_Networks.ipynb"
HONEST = 10
#: Ways of writing one argument that work the same; each honest student
#: picks one at each place, as students do.
CHOICES = {
    r"strides=\(1, 1\)": [
        "strides=(1, 1)",
        "strides=(1,1)",
        "strides=1",
        "strides = 1",
    ],
    r"kernel_size=\(1, 1\)": [
        "kernel_size=(1, 1)",
        "kernel_size=1",
        "kernel_size = (1,1)",
    ],
    r"axis=3": ["axis=3", "axis=-1", "axis = 3"],
    r"Activation\('relu'\)": [
        "Activation('relu')",
        'Activation("relu")',
        "Activation(activation='relu')",
        "ReLU()",
    ],
}
#: What every run prints the same: the public checks and the evaluation of
#: the course's pretrained weights. No evidence.
SHARED_OUTPUT = "Test loss = 0.5301237\nTest accuracy = 0.8666667\n"


def _solution() -> dict[str, Any]:
    nb: dict[str, Any] = json.loads(SOLUTION.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell["source"] = disguise.source(cell)
    return nb


def _cell(nb: dict[str, Any], starts: str) -> dict[str, Any]:
    return next(c for c in nb["cells"] if c["source"].startswith(starts))


def _stream(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": text}


def training_output(rng: random.Random) -> str:
    """What one training run prints: its own losses and accuracies."""
    lines = []
    for epoch in (1, 2):
        lines.append(f"Epoch {epoch}/2")
        loss, accuracy = rng.uniform(0.5, 3), rng.uniform(0.1, 0.9)
        lines.append(
            f"34/34 [==============================] - 21s 610ms/step - "
            f"loss: {loss:.4f} - accuracy: {accuracy:.4f}"
        )
    return "\n".join(lines) + "\n"


def honest_student(number: int) -> dict[str, Any]:
    """The solution as one student might write it: their own choices at each
    place, their own comments, their own training run's output."""
    rng = random.Random(number)
    nb = _solution()
    for cell in nb["cells"]:
        if not disguise.GRADED.search(cell["source"]):
            continue
        text = cell["source"]
        for pattern, forms in CHOICES.items():
            text = re.sub(pattern, lambda _, forms=forms: rng.choice(forms), text)
        text = text.replace(
            "### END CODE HERE ###",
            f"# checked on day {rng.randrange(1000)}\n    ### END CODE HERE ###",
        )
        cell["source"] = text
    count = 0
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count
    _cell(nb, "history = model.fit")["outputs"] = [_stream(training_output(rng))]
    _cell(nb, "test_loss, test_accuracy")["outputs"] = [_stream(SHARED_OUTPUT)]
    return nb


def _write(folder: Path, name: str, nb: dict[str, Any]) -> Path:
    path = folder / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


#: Planted copies: (id, the honest student copied, how it was disguised).
PLANTED = [
    ("copy-renamed", 1, lambda nb: disguise.rename(nb)),
    ("copy-all-four", 2, disguise.everything),
    ("copy-cleared", 3, lambda nb: disguise.clear_outputs(disguise.reformat(nb))),
    ("copy-all-cleared", 4, lambda nb: disguise.clear_outputs(disguise.everything(nb))),
]


def write_class(folder: Path) -> Path:
    """A class of ``HONEST`` students and the ``PLANTED`` copies under ``folder``."""
    honest = {f"s{n:02d}": honest_student(n) for n in range(HONEST)}
    for name, nb in honest.items():
        _write(folder, name, nb)
    for name, source, change in PLANTED:
        _write(folder, name, change(copy.deepcopy(honest[f"s{source:02d}"])))
    return folder


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    folder = write_class(tmp_path_factory.mktemp("class"))
    return compare(find_submissions([folder]))


def _planted_pairs() -> set[tuple[str, str]]:
    return {(name, f"s{source:02d}") for name, source, _ in PLANTED}


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a.startswith("copy") else (b, a)


def test_every_planted_copy_ranks_above_every_other_pair(klass):
    """Two copies disguised alike share the disguise's lines: those pairs
    are left out, and every other pair ranks below every planted one."""
    planted = _planted_pairs()
    ranked = [
        _key(p.a, p.b)
        for p in klass.pairs
        if not (p.a.startswith("copy") and p.b.startswith("copy"))
    ]
    assert set(ranked[: len(planted)]) == planted, klass.pairs[: len(planted) + 2]


def test_the_threshold_flags_the_copies_that_kept_outputs_and_no_honest_pair(klass):
    flagged = {_key(p.a, p.b) for p in klass.flagged}
    kept = {("copy-renamed", "s01"), ("copy-all-four", "s02")}
    assert kept <= flagged
    assert all(pair[0].startswith("copy") for pair in flagged), flagged


@pytest.mark.parametrize(
    ("copy_id", "kinds"),
    [
        ("copy-renamed", {"run", "file"}),  # outputs kept: one run's numbers
        ("copy-all-cleared", {"code"}),  # only the code is left to tell
    ],
)
def test_a_copy_s_evidence_says_what_it_shares(klass, copy_id, kinds):
    original = dict(_planted_pairs())[copy_id]
    pair = next(p for p in klass.pairs if {p.a, p.b} == {copy_id, original})
    assert kinds <= {e.kind for e in pair.evidence if e.weight > 0.1}


def test_outputs_every_run_prints_are_no_evidence(klass):
    for pair in klass.pairs:
        if _key(pair.a, pair.b) in _planted_pairs():
            continue
        assert "run" not in {e.kind for e in pair.evidence}, pair


def test_a_rare_mistake_shared_is_evidence_and_a_common_one_is_not(tmp_path):
    folder = write_class(tmp_path / "class")
    submissions = find_submissions([folder])
    common = "identity_block|layer graph|bn2a_branch2a normalizes axis 1"
    rare = "ResNet50|layer graph|the average pool has pool size 3"
    mistakes = {s.student: frozenset({common}) for s in submissions}
    mistakes["s05"] = frozenset({common, rare})
    mistakes["s06"] = frozenset({common, rare})
    found = compare(submissions, mistakes=mistakes)
    pair = next(p for p in found.pairs if {p.a, p.b} == {"s05", "s06"})
    assert [(e.kind, e.shared) for e in pair.evidence if e.kind == "mistake"] == [
        ("mistake", 1)
    ]
    others = [p for p in found.pairs if {p.a, p.b} != {"s05", "s06"}]
    assert all("mistake" not in {e.kind for e in p.evidence} for p in others)


def test_known_work_is_compared_with_each_submission_only(tmp_path):
    folder = write_class(tmp_path / "class")
    known = tmp_path / "known"
    _write(known, "last-year-a", honest_student(3))
    _write(known, "last-year-b", honest_student(99))
    found = compare(find_submissions([folder]), find_submissions([known]))
    top = found.pairs[0]
    assert top.known and top.b == "known:last-year-a"
    assert {"s03", "copy-cleared"} >= {top.a} or top.a in {"s03", "copy-cleared"}
    assert not any(p.a.startswith("known:") for p in found.pairs)
    assert found.class_size == HONEST + len(PLANTED) and found.known == 2


def test_the_handout_is_a_parameter(tmp_path):
    """With student 1's notebook as the hand-out, what it holds is no one's."""
    folder = write_class(tmp_path / "class")
    handout = _write(tmp_path, "handout", honest_student(1))
    found = compare(find_submissions([folder]), boilerplate=[handout])
    pair = [p for p in found.pairs if {p.a, p.b} == {"copy-renamed", "s01"}]
    assert all(
        p.score < found.threshold and "run" not in {e.kind for e in p.evidence}
        for p in pair
    )
    before = compare(find_submissions([folder]))
    assert any({p.a, p.b} == {"copy-renamed", "s01"} for p in before.flagged)


def _run_cli(*args: str | Path, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run(
        [sys.executable, "-m", "grader", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_grader_similar_writes_one_csv_row_per_pair_the_same_in_every_process(
    tmp_path,
):
    folder = write_class(tmp_path / "class")
    first = _run_cli("similar", folder, "--out", tmp_path / "one", seed="1")
    assert first.returncode == 0, first.stderr
    assert f"wrote {tmp_path / 'one' / PAGE}" in first.stdout
    second = _run_cli("similar", folder, "--out", tmp_path / "two", seed="2")
    assert second.returncode == 0, second.stderr
    for name in (PAGE, TABLE):
        assert (tmp_path / "one" / name).read_bytes() == (
            tmp_path / "two" / name
        ).read_bytes()
    rows = list(csv.reader(io.StringIO((tmp_path / "one" / TABLE).read_text())))
    assert tuple(rows[0]) == CSV_HEADER
    size = HONEST + len(PLANTED)
    assert len(rows) - 1 == size * (size - 1) // 2
    scores = [float(row[2]) for row in rows[1:]]
    assert scores == sorted(scores, reverse=True)
    flagged = {_key(row[0], row[1]) for row in rows[1:] if row[3] == "yes"}
    assert {("copy-renamed", "s01"), ("copy-all-four", "s02")} <= flagged


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["similar", "{tmp}/nowhere"], "no such file or folder"),
        (["similar", "{tmp}/empty"], "no .ipynb files in this folder"),
        (["similar", "{tmp}/class", "--results", "{tmp}/empty"], "no results/ folder"),
        (
            ["similar", "{tmp}/class", "--handout", "{tmp}/nowhere.ipynb"],
            "no such file",
        ),
    ],
)
def test_grader_similar_says_what_is_wrong_in_one_line(tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    _write(tmp_path / "class", "s1", honest_student(1))
    result = _run_cli(*(a.format(tmp=tmp_path) for a in args))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grader: error: "), result.stderr
    assert message in lines[0] and "Traceback" not in result.stderr


def test_a_notebook_that_is_not_one_is_skipped_and_named(tmp_path):
    folder = write_class(tmp_path / "class")
    (folder / "broken.ipynb").write_text("{ half a file", encoding="utf-8")
    result = _run_cli("similar", folder, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "grader: skipped" in result.stderr and "broken.ipynb" in result.stderr


def test_the_page_escapes_what_students_wrote(tmp_path):
    nb = honest_student(1)
    _cell(nb, "history = model.fit")["outputs"] = [
        _stream("<script>alert(1)</script> loss: 1.2345\n")
    ]
    folder = tmp_path / "class"
    # A batch's ids are file names (find_submissions), but the service names
    # a student by the login they were given: an id is escaped too.
    class_ = [
        Submission("<b>one", _write(folder, "one", nb)),
        Submission("two", _write(folder, "two", copy.deepcopy(nb))),
    ]
    page = render_similarity_html(compare(class_))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>one" not in page and "&lt;b&gt;one" in page


def test_the_page_looks_right_in_chromium(tmp_path, klass):
    why = browser.missing()
    if why:
        pytest.skip(why)
    page = tmp_path / PAGE
    page.write_text(render_similarity_html(klass), encoding="utf-8")
    (seen,) = browser.look([(page, tmp_path / "similarity.png")], height=3000)
    assert seen.errors == []
    assert seen.requests == [page.resolve().as_uri()]
    assert seen.broken == [] and seen.links
    assert seen.colours > 50 and seen.white < 0.97, (seen.colours, seen.white)
    html = page.read_text(encoding="utf-8")
    # Each pair shown side by side has what it shares marked on both sides.
    assert html.count("<mark>") >= 2 * len(klass.flagged)


@pytest.mark.parametrize(
    ("flagged", "expected"),
    [
        ((), ["0 of 45 pairs", 'href="similarity.html"']),
        (
            (("s<1>", "s2", 0.91),),
            ["1 of 45 pairs", 'href="feedback/s&lt;1&gt;.html"', "score 0.91"],
        ),
    ],
)
def test_the_class_report_names_flagged_pairs_and_links_the_page(flagged, expected):
    from grader.reports.html import SimilarPairs, render_report_html

    similar = SimilarPairs(flagged=flagged, compared=45, page=PAGE)
    page = render_report_html(
        [], feedback=lambda s: f"feedback/{s}.html", similar=similar
    )
    section = page.split('<h2 id="similar">', 1)[1]
    assert all(words in section for words in expected), section
    assert "cheat" not in page
    without = render_report_html([], feedback=lambda s: f"feedback/{s}.html")
    assert 'id="similar"' not in without


def test_a_batch_s_outputs_carry_the_similarity_page(tmp_path):
    """``write_report`` (a batch's, and ``grader report``'s) compares the
    notebooks the results name and writes the page beside the report."""
    from grader.batch.outputs import write_report
    from grader.reports.results import SubmissionResult

    folder = write_class(tmp_path / "class")
    results = [
        SubmissionResult(s.student, str(s.path), "", "invalid", message="x")
        for s in find_submissions([folder])
    ]
    write_report(tmp_path / "out", results)
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'href="similarity.html"' in report and "copy-renamed" in report
    assert (tmp_path / "out" / PAGE).is_file() and (tmp_path / "out" / TABLE).is_file()


@pytest.mark.parametrize(
    ("counts", "own"),
    [
        (list(range(1, 30)), False),  # one run top to bottom
        (list(range(4, 40)), False),  # ... after three other runs
        ([1, 2, *range(5, 40)], False),  # ... with one cell run again
        ([4, 5, *range(9, 40)], True),  # after other runs, and a cell again
        ([1, 2, 9, 10, *range(16, 40)], True),  # two cells run again
    ],
)
def test_execution_counts_of_a_session_of_its_own_are_a_fingerprint(counts, own):
    """All of a notebook's counts together are a ``file`` fingerprint where
    they depart twice from one run top to bottom: moving cells keeps it,
    clearing the outputs loses it."""
    nb = honest_student(0)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for cell, count in zip(code, counts, strict=False):
        cell["execution_count"] = count

    def counted(notebook: dict[str, Any]) -> set[int]:
        node = nbformat.reads(json.dumps(notebook), as_version=4)
        doc = document("s", Path("s.ipynb"), node)
        found = set(history(doc.cells))
        assert found <= set(fingerprint(doc).by_kind["file"])
        return found

    session = counted(nb)
    assert len(session) == own
    assert counted(disguise.reorder(disguise.rename(nb))) >= session
    assert counted(disguise.clear_outputs(nb)) == set()
