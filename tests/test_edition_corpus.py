"""The later editions' corpora: each wrong variant loses points on the right
function with the message it promises, each correct rewrite earns full marks.

A corpus is files under ``tests/corpus/editions/<edition>/``: ``wrong/*.py``
and ``correct/*.py``, each holding one or more whole graded cells (from their
``# GRADED FUNCTION: name`` line), swapped into that edition's solution
notebook. A wrong variant's comment lines before its first cell say what it
breaks::

    # fails: training argument, hidden inputs, training
    # says: do not get `training`

``fails`` lists, exactly, the checks of its function that fail; ``says``,
words the first of them prints. A variant whose failing checks are all
visible is graded on the visible checks only (cheaper), one cell's function
at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_corpus import rewritten_solution

from grader import editions
from grader.notebook import MARKER

ROOT = Path(__file__).parent / "corpus" / "editions"
HEADER = re.compile(r"^#\s*(fails|says):\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Variant:
    """One file of an edition's corpus, read."""

    edition: str
    path: Path
    functions: tuple[str, ...]
    fails: tuple[str, ...]
    says: str

    @property
    def name(self) -> str:
        """``edition/kind/stem``, the test's id."""
        return f"{self.edition}/{self.path.parent.name}/{self.path.stem}"


def read_variant(edition: str, path: Path) -> Variant:
    """Read a corpus file: its cells' functions and, for a wrong one, its verdict."""
    text = path.read_text(encoding="utf-8")
    first = MARKER.search(text)
    assert first is not None, f"{path}: no `# GRADED FUNCTION:` line"
    fields = dict(HEADER.findall(text[: first.start()]))
    fails = tuple(
        part.strip() for part in fields.get("fails", "").split(",") if part.strip()
    )
    functions = tuple(dict.fromkeys(m.group(1) for m in MARKER.finditer(text)))
    return Variant(edition, path, functions, fails, fields.get("says", ""))


def _variants(kind: str) -> list[Variant]:
    found = []
    for edition in editions.names():
        for path in sorted((ROOT / edition / kind).glob("*.py")):
            found.append(read_variant(edition, path))
    return found


WRONG = _variants("wrong")
CORRECT = _variants("correct")


@pytest.mark.fast
def test_a_variants_header_is_read():
    text = (
        "# A BatchNormalization without `training`.\n"
        "# fails: training argument, hidden inputs, training\n"
        "# says: do not get `training`\n\n"
        "# GRADED FUNCTION: identity_block\n\ndef identity_block(X): pass\n"
    )
    path = Path("/nonexistent/wrong/bn-without-training.py")
    fields = dict(HEADER.findall(text[: MARKER.search(text).start()]))
    assert fields == {
        "fails": "training argument, hidden inputs, training",
        "says": "do not get `training`",
    }
    assert path.stem == "bn-without-training"


@pytest.mark.parametrize("variant", WRONG, ids=lambda v: v.name)
def test_a_wrong_variant_loses_points_on_its_function(graded, variant):
    edition = editions.get(variant.edition)
    assert variant.fails, f"{variant.path}: no `# fails:` line"
    (function,) = variant.functions  # a wrong variant breaks one function
    rows = {row.name: row for row in edition.checks if row.function == function}
    assert set(variant.fails) <= set(rows), set(variant.fails) - set(rows)
    visible_only = all(rows[name].visible for name in variant.fails)
    report = graded(
        variant.name.replace("/", "-"),
        rewritten_solution(variant.path, edition.solution),
        functions=[function],
        visible_only=visible_only,
    )
    assert report.edition == variant.edition
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert sorted(failed) == sorted(variant.fails), failed
    assert variant.says in failed[variant.fails[0]], failed[variant.fails[0]]
    assert all("Traceback" not in m and "grader/" not in m for m in failed.values())


@pytest.mark.parametrize("variant", CORRECT, ids=lambda v: v.name)
def test_a_correct_rewrite_earns_full_marks(graded, variant):
    edition = editions.get(variant.edition)
    functions = None if "ResNet50" in variant.functions else list(variant.functions)
    report = graded(
        variant.name.replace("/", "-"),
        rewritten_solution(variant.path, edition.solution),
        functions=functions,
    )
    assert report.edition == variant.edition
    assert {c.title: c.message for c in report.checks if not c.passed} == {}
    assert report.score == report.max_score
