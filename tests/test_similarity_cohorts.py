"""Similarity in a class of several editions: each cohort's hand-out is
nobody's evidence.

The classes are the 2020 class of ``test_similarity`` (honest students and
planted copies) with students of the 2021 edition added. Those start from a
course's own 2021 notebook (``course_handout``: the saved W2A1 notebook of
``tests/notebooks`` with prose, locked test cells, nbgrader metadata and the
printed examples a course gives, none of which the grader's own 2021 stub
holds), each with graded cells of ``tests/corpus/editions/2021`` written
another way and a training run of their own. No kernel: notebooks are read,
never run.
"""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path
from typing import Any

import browser
import disguise
import nbformat
import pytest
from conftest import ROOT
from test_corpus import rewritten_solution
from test_similarity import PLANTED, training_output, write_class

from grader.notebooks.discover import find_submissions
from grader.similarity import HANDOUT, Comparison, compare
from grader.similarity.fingerprints import fingerprint, history, imported_names
from grader.similarity.handouts import edition_handouts
from grader.similarity.outputs import PAGE
from grader.similarity.render import render_similarity_html

pytestmark = pytest.mark.fast

VINTAGE = ROOT / "tests" / "notebooks" / "vintage_2021_w2a1.ipynb"
CORPUS = ROOT / "tests" / "corpus" / "editions" / "2021"
#: Each later student's graded cells: corpus files swapped in, in turn, over
#: the saved notebook's own (a later file's cell replaces an earlier one's).
#: Student 1's ResNet50 is one the later revision's corpus holds: nothing
#: runs here, and four students need four ways of writing it.
ANSWERS = (
    (
        "correct/functional-add-and-relu-layer",
        "correct/resnet-stage-table-and-pool-size-int",
    ),
    (
        "correct/helper-and-loop-inside-the-cell",
        "../2021-initializer-only/correct/resnet-loops-and-pool-size-keyword",
    ),
    (
        "correct/positional-arguments-and-shortcut-first-add",
        "correct/tf-keras-spelled-out",
    ),
    ("solution",),
)
#: What two revisions of the course's notebook say between its cells.
PROSE = {
    "v2": [
        "## 2 - Why depth alone does not help\n\n"
        "Stacking more layers should let a network learn richer features.\n"
        "In practice the signal that trains the first layers fades on its way.\n"
        "A residual block adds its input to its output: the signal's short path.",
        "## 3 - The two blocks\n\n"
        "The identity block keeps the shape of its input unchanged.\n"
        "The convolutional block changes it, with a convolution on the shortcut.\n"
        "Both end with the shortcut added back and a ReLU activation.",
        "**Expected output**\n\n"
        "```\nWith training=False\n[[0.       0.       0.      ]\n"
        " [0.96193  0.96193  0.96193 ]]\nWith training=True\n"
        "[[0.40739 0.40739 0.40739 0.40739]]\n```",
    ],
    "v3": [
        "## 2 - The trouble with very deep networks\n\n"
        "A deeper network can, in principle, represent more complex functions.\n"
        "Yet gradients reaching its early layers often shrink towards zero.\n"
        "Skip connections let those gradients bypass the layers in between.",
        "## 3 - Building the blocks\n\n"
        "Two kinds of block are used, depending on whether shapes match.\n"
        "Where they match, the input is added back as it is (identity block).\n"
        "Where they do not, the shortcut gets its own convolution first.",
        "**Expected output**\n\n"
        "```\nWith training=False\n[[0.       0.       0.      ]\n"
        " [1.06193  1.06193  1.06193 ]]\nWith training=True\n"
        "[[0.50739 0.50739 0.50739 0.50739]]\n```",
    ],
}
#: What the course's seeded example prints, the same for each of its students.
EXAMPLE = {
    revision: f"With training=False\n[[0.  0.  0. ]\n [{value}  {value}  {value} ]]\n"
    for revision, value in (("v2", "0.96193"), ("v3", "1.06193"))
}


def _markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _locked(first: str, body: str, grade_id: str) -> dict[str, Any]:
    """A test cell the course locks: nbgrader's metadata, no edits allowed."""
    nbgrader = {"grade": True, "grade_id": grade_id, "locked": True, "points": 10}
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"deletable": False, "editable": False, "nbgrader": nbgrader},
        "outputs": [],
        "source": f"{first}\n\n{body}",
    }


def course_handout(revision: str = "v2") -> dict[str, Any]:
    """The course's 2021 notebook of one revision, as its students get it."""
    nb: dict[str, Any] = json.loads(VINTAGE.read_text(encoding="utf-8"))
    cells = [{**cell, "source": disguise.source(cell)} for cell in nb["cells"]]
    example = next(c for c in cells if c["source"].startswith("np.random.seed(1)\nX1"))
    example["outputs"] = [_stream(EXAMPLE[revision])]
    at = cells.index(example) + 1
    cells[at:at] = [
        _locked(
            "### you cannot edit this cell",
            "public_tests.identity_block_test(identity_block)",
            "cell-identity-test",
        ),
        _markdown(PROSE[revision][2]),
    ]
    cells[1:1] = [_markdown(text) for text in PROSE[revision][:2]]
    revised = _locked(f"### revision {revision}", "import public_tests", "")
    del revised["metadata"]["nbgrader"]  # locked, as the course marks it
    cells.insert(3, revised)
    nb["cells"] = cells
    return nb


def _stream(text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": text}


def later_student(folder: Path, number: int, revision: str = "v2") -> dict[str, Any]:
    """A 2021 student: the course's notebook, answers of their own (``ANSWERS``,
    by ``number``), their own training run."""
    handout = folder / f"handout-{revision}.ipynb"
    if not handout.exists():
        handout.write_text(json.dumps(course_handout(revision)), encoding="utf-8")
    files = tuple(CORPUS / f"{name}.py" for name in ANSWERS[number])
    nb: dict[str, Any] = json.loads(
        nbformat.writes(rewritten_solution(files, solution=handout))
    )
    count = 0
    for cell in nb["cells"]:
        cell["source"] = disguise.source(cell)
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count
            if cell["source"].startswith("model.fit("):
                cell["outputs"] = [_stream(training_output(random.Random(50 + number)))]
    return nb


def _write(folder: Path, name: str, nb: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")


def mixed_class(folder: Path, later: dict[str, dict[str, Any]]) -> list[Any]:
    """The 2020 class of ``test_similarity`` and ``later``'s notebooks."""
    write_class(folder / "class")
    for name, nb in later.items():
        _write(folder / "class", name, nb)
    return find_submissions([folder / "class"])


def _later(tmp: Path, spec: dict[str, tuple[int, str]]) -> dict[str, dict[str, Any]]:
    return {
        name: later_student(tmp, number, revision)
        for name, (number, revision) in spec.items()
    }


def _as_before(submissions: list[Any]) -> Comparison:
    """Every fingerprint counted against the whole class, the 2020 hand-out alone."""
    return compare(submissions, boilerplate=[HANDOUT], by_cohort=False)


def _flagged_among(found: Comparison, names: set[str]) -> list[tuple[str, str, float]]:
    return [(p.a, p.b, round(p.score, 2)) for p in found.flagged if {p.a, p.b} <= names]


def test_later_students_who_share_only_their_hand_out_are_not_flagged(tmp_path):
    later = _later(tmp_path, {"l0": (0, "v2"), "l1": (1, "v2"), "l2": (2, "v2")})
    submissions = mixed_class(tmp_path, later)
    # Counted against the whole class, what the three share flags them all.
    assert len(_flagged_among(_as_before(submissions), set(later))) == 3
    found = compare(submissions)
    assert _flagged_among(found, set(later)) == []
    (cohort,) = [c for c in found.cohorts.found if c.name == "edition 2021"]
    assert cohort.members == ("l0", "l1", "l2") and cohort.tellable
    assert found.cohorts.boilerplate > 0 and found.cohorts.untold == ()


def test_planted_copies_of_later_students_are_found(tmp_path):
    """Each copy ranks above every pair of different authors; one that kept
    its outputs is flagged. (Two copies disguised alike share the disguise:
    pairs of two copies are left out, as ``test_similarity`` leaves them.)"""
    later = _later(tmp_path, {"l0": (0, "v2"), "l1": (1, "v2"), "l2": (2, "v2")})
    author = {"later-copy-kept": "l0", "later-copy-cleared": "l1"}
    later["later-copy-kept"] = disguise.rename(copy.deepcopy(later["l0"]))
    cleared = disguise.clear_outputs(disguise.everything(later["l1"]))
    later["later-copy-cleared"] = cleared
    found = compare(mixed_class(tmp_path, later))
    author |= {name: f"s{source:02d}" for name, source, _ in PLANTED}
    planted, others = [], []
    for pair in found.pairs:
        if pair.a in author and pair.b in author:
            continue
        same = author.get(pair.a, pair.a) == author.get(pair.b, pair.b)
        (planted if same else others).append(pair)
    later_copies = [p for p in planted if {p.a, p.b} & {"l0", "l1"}]
    assert len(later_copies) == 2
    assert min(p.score for p in later_copies) > max(p.score for p in others)
    assert any({p.a, p.b} == {"later-copy-kept", "l0"} for p in found.flagged)
    assert all(p not in found.flagged for p in others)


def test_two_students_of_an_edition_are_too_few_to_tell_and_the_page_says_so(
    tmp_path,
):
    later = _later(tmp_path, {"l0": (0, "v2"), "l1": (1, "v2")})
    submissions = mixed_class(tmp_path, later)
    assert _flagged_among(_as_before(submissions), set(later))
    found = compare(submissions)
    assert _flagged_among(found, set(later)) == []
    (untold,) = found.cohorts.untold
    assert untold.members == ("l0", "l1") and untold.set_aside > 0
    page = render_similarity_html(found)
    section = page.split("id='cohorts'", 1)[1].split("id='ranking'", 1)[0]
    assert "Too few to tell" in section and "l0, l1 (edition 2021)" in section


def test_revisions_of_an_edition_are_found_from_their_cells_metadata(tmp_path):
    """Two revisions of the course's 2021 notebook, two students of each: the
    edition's four can tell what it gave, but each revision's own prose,
    examples and locked cells only its own two hold."""
    spec = {"l0": (0, "v2"), "l1": (1, "v2"), "m2": (2, "v3"), "m3": (3, "v3")}
    submissions = mixed_class(tmp_path, _later(tmp_path, spec))
    assert _flagged_among(_as_before(submissions), set(spec))
    found = compare(submissions)
    assert _flagged_among(found, set(spec)) == []
    revisions = {c.members: c.name for c in found.cohorts.found if c.how == "metadata"}
    assert {("l0", "l1"), ("m2", "m3")} <= set(revisions)
    assert "### revision v3" in revisions[("m2", "m3")]
    assert {u.members for u in found.cohorts.untold} == {("l0", "l1"), ("m2", "m3")}


@pytest.mark.parametrize("edition", ["2020", "2021"])
def test_a_class_of_one_edition_scores_as_it_did(tmp_path, edition):
    """Counting by cohort changes nothing where the whole class is one: every
    pair scores as counting against the class alone scores it."""
    if edition == "2020":
        submissions = find_submissions([write_class(tmp_path / "class")])
    else:
        later = _later(tmp_path, {f"l{n}": (n, "v2") for n in range(4)})
        later["copy"] = disguise.rename(copy.deepcopy(later["l0"]))
        for name, nb in later.items():
            _write(tmp_path / "class", name, nb)
        submissions = find_submissions([tmp_path / "class"])
    by_cohort = compare(submissions)
    by_class = compare(submissions, by_cohort=False)
    assert by_cohort.cohorts.found == () and len(by_cohort.pairs) > 3
    assert [(p.a, p.b) for p in by_cohort.pairs] == [(p.a, p.b) for p in by_class.pairs]
    for new, old in zip(by_cohort.pairs, by_class.pairs, strict=True):
        assert new.score == pytest.approx(old.score, abs=1e-12)
    if edition == "2020":
        alone = _as_before(submissions)
        assert [(p.a, p.b, pytest.approx(p.score, abs=1e-12)) for p in alone.pairs] == [
            (p.a, p.b, p.score) for p in by_cohort.pairs
        ]


def test_each_edition_s_own_stub_counts_for_nobody_in_its_notebooks(tmp_path):
    stubs = {doc.edition: doc for doc in edition_handouts()}
    assert set(stubs) == {"2020", "2021", "2021-initializer-only"}
    stub = stubs["2021"]
    given = {
        kind: set(values)
        for kind, values in fingerprint(stub, imported_names([stub])).by_kind.items()
    }
    later = _later(tmp_path, {"l0": (0, "v2"), "l1": (1, "v2")})
    submissions = mixed_class(tmp_path, later)

    def held(found: Comparison, student: str) -> int:
        kinds = found.fingerprints[student].by_kind
        return sum(len(given[kind] & set(values)) for kind, values in kinds.items())

    default = compare(submissions, by_cohort=False)
    assert held(_as_before(submissions), "l0") > 0 and held(default, "l0") == 0
    # The 2021 stub is a 2020 student's own work: their evidence is as before.
    before = _as_before(submissions)
    assert default.fingerprints["s01"] == before.fingerprints["s01"]


def test_the_page_shows_the_cohorts_in_chromium(tmp_path):
    why = browser.missing()
    if why:
        pytest.skip(why)
    spec = {"l0": (0, "v2"), "l1": (1, "v2"), "m2": (2, "v3"), "m3": (3, "v3")}
    found = compare(mixed_class(tmp_path, _later(tmp_path, spec)))
    page = tmp_path / PAGE
    page.write_text(render_similarity_html(found), encoding="utf-8")
    (seen,) = browser.look([(page, tmp_path / "similarity.png")], height=2000)
    assert seen.errors == [] and seen.broken == []
    assert "Cohorts" in seen.text and "edition 2021" in seen.text
    assert "too few to tell" in seen.text and "m2, m3" in seen.text


#: Another student's spelling of the local names of the edition's answer.
SPELLING = {"X_shortcut": "skip", "F1": "k1", "F2": "k2", "F3": "k3", "X": "A"}


def _stopped(nb: dict[str, Any], counts: list[int]) -> dict[str, Any]:
    """``nb`` run as one session runs it: the code cells' execution counts are
    ``counts`` in turn, and its training cell, stopped, printed nothing."""
    nb = copy.deepcopy(nb)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for cell, count in zip(code, counts, strict=False):
        cell["execution_count"] = count
        if cell["source"].startswith("model.fit("):
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def _respelled(nb: dict[str, Any]) -> dict[str, Any]:
    """``nb`` with its graded cells' local names spelled as ``SPELLING`` says."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        text = disguise.source(cell)
        if cell["cell_type"] == "code" and disguise.GRADED.search(text):
            for name, spelled in SPELLING.items():
                text = re.sub(rf"\b{name}\b", spelled, text)
            cell["source"] = text
    return nb


@pytest.mark.parametrize("others", [1, 0], ids=["two-notebook cohort", "alone"])
def test_a_copy_that_kept_its_outputs_carries_its_execution_counts(tmp_path, others):
    """The copied notebook's answers are its edition's, as another of its
    cohort wrote them but for the names, and its training cell printed
    nothing: its copy, names changed, outputs kept, shares with it nothing
    of its code or outputs that its cohort's other notebook lacks, nor in a
    cohort of its own anything at all, but the counts of the session that
    ran it. They rank the pair above every pair of different authors."""
    spec = {"l0": (3, "v2"), "l1": (3, "v2")}
    later = _later(tmp_path, dict(list(spec.items())[: 1 + others]))
    later["l0"] = _stopped(later["l0"], [53, 54, 55, *range(60, 90)])
    if others:
        later["l1"] = _respelled(_stopped(later["l1"], [1, 2, *range(7, 40)]))
    later["copy"] = disguise.rename(later["l0"])
    found = compare(mixed_class(tmp_path, later))
    (cohort,) = [c for c in found.cohorts.found if c.name == "edition 2021"]
    assert cohort.members == tuple(sorted(later))
    author = {"copy": "l0"} | {name: f"s{source:02d}" for name, source, _ in PLANTED}
    pairs = {frozenset((p.a, p.b)): p for p in found.pairs}
    copied = pairs.get(frozenset(("copy", "l0")))
    assert copied is not None, "the copy shares nothing uncommon with l0"
    others_ = [
        p
        for key, p in pairs.items()
        if not key <= set(author) and len({author.get(n, n) for n in key}) == 2
    ]
    assert copied.score > max(p.score for p in others_)
    assert [e.kind for e in copied.evidence] == ["file"]
    counts = set(history(found.documents["l0"].cells))
    assert counts and counts <= set(found.fingerprints["copy"].by_kind["file"])
    assert all(p not in found.flagged for p in others_)
