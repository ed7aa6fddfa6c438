"""The later editions' corpora: each wrong variant loses points on the right
function with the message it promises, each correct rewrite earns full marks.

A corpus is files under ``tests/corpus/editions/<edition>/``: ``wrong/*.py``
and ``correct/*.py``, each holding one or more whole graded cells (from their
``# GRADED FUNCTION: name`` line), swapped into that edition's solution
notebook. A wrong variant's comment lines before its first cell say what it
breaks::

    # fails: training argument, hidden inputs, training
    # says: do not get `training`

``fails`` lists, exactly, the checks of its function that fail, in the
report's order; ``says``, words the first of them prints. A variant whose
failing checks are all visible is graded on the visible checks only
(cheaper). A wrong identity_block and a wrong convolutional_block of one
edition are graded together, in one notebook (``pairs``): each block's checks
build and run that block alone, so each test judges its own function's checks.

``more/`` holds the variants the suite leaves out, with the same headers:
``bench/editions/grade_corpus.py`` grades every file of ``wrong/``, ``more/``
and ``correct/`` with every check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_corpus import rewritten_solution

from grader import editions
from grader.notebooks.read import MARKER

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


def failing_checks(edition: str, line: str) -> tuple[str, ...]:
    """A ``fails`` line's checks. Some names hold a comma ("hidden inputs,
    inference"), so the line is read against the edition's check names; a
    part that names no check is kept as it is written, to fail the test."""
    names = sorted(
        {row.name for row in editions.get(edition).checks}, key=len, reverse=True
    )
    part = re.compile(rf"\s*({'|'.join(map(re.escape, names))}|[^,]+)\s*(?:,|$)")
    return tuple(m.group(1).strip() for m in part.finditer(line) if m.group(1).strip())


def read_variant(edition: str, path: Path) -> Variant:
    """Read a corpus file: its cells' functions and, for a wrong one, its verdict."""
    text = path.read_text(encoding="utf-8")
    first = MARKER.search(text)
    assert first is not None, f"{path}: no `# GRADED FUNCTION:` line"
    fields = dict(HEADER.findall(text[: first.start()]))
    fails = failing_checks(edition, fields.get("fails", ""))
    functions = tuple(dict.fromkeys(m.group(1) for m in MARKER.finditer(text)))
    return Variant(edition, path, functions, fails, fields.get("says", ""))


def _variants(kind: str) -> list[Variant]:
    found = []
    for edition in editions.names():
        for path in sorted((ROOT / edition / kind).glob("*.py")):
            found.append(read_variant(edition, path))
    return found


WRONG = _variants("wrong")
MORE = _variants("more")
CORRECT = _variants("correct")
BLOCKS = ("identity_block", "convolutional_block")


def _visible_only(variant: Variant) -> bool:
    rows = {
        row.name: row
        for row in editions.get(variant.edition).checks
        if row.function in variant.functions
    }
    return all(name in rows and rows[name].visible for name in variant.fails)


def pairs(variants: list[Variant]) -> dict[str, tuple[Variant, ...]]:
    """Each wrong variant's grading: the variants graded in one notebook with it.

    Within an edition, identity_block variants and convolutional_block ones
    graded alike (visible checks only, or all) are paired in file order;
    ResNet50's, and a block left over, are graded alone.
    """
    graded: dict[str, tuple[Variant, ...]] = {}
    groups: dict[tuple[str, bool], dict[str, list[Variant]]] = {}
    for variant in variants:
        if variant.functions[0] in BLOCKS:
            group = groups.setdefault((variant.edition, _visible_only(variant)), {})
            group.setdefault(variant.functions[0], []).append(variant)
        else:
            graded[variant.name] = (variant,)
    for group in groups.values():
        identity, conv = (group.get(name, []) for name in BLOCKS)
        for index in range(max(len(identity), len(conv))):
            together = tuple(v[index] for v in (identity, conv) if index < len(v))
            for variant in together:
                graded[variant.name] = together
    return graded


PAIRS = pairs(WRONG)


def _param(variant: Variant) -> object:
    # Both tests of a pair on one worker, so the notebook is graded once.
    group = "+".join(v.name for v in PAIRS[variant.name])
    return pytest.param(
        variant, id=variant.name, marks=pytest.mark.xdist_group(f"corpus-{group}")
    )


@pytest.mark.fast
@pytest.mark.parametrize(
    ("line", "checks"),
    [
        (
            "training argument, hidden inputs, training",
            ("training argument", "hidden inputs, training"),
        ),
        (
            "seeded output, hidden inputs, inference, hidden inputs, training",
            ("seeded output", "hidden inputs, inference", "hidden inputs, training"),
        ),
        ("layer table", ("layer table",)),
        ("layer table, no such check", ("layer table", "no such check")),
        ("", ()),
    ],
)
def test_a_fails_line_is_read_against_the_check_names(line, checks):
    assert failing_checks("2021", line) == checks


@pytest.mark.fast
def test_a_variants_header_is_read(tmp_path):
    path = tmp_path / "wrong" / "bn-without-training.py"
    path.parent.mkdir()
    path.write_text(
        "# A BatchNormalization without `training`.\n"
        "# fails: training argument, hidden inputs, training\n"
        "# says: do not get `training`\n\n"
        "# GRADED FUNCTION: identity_block\n\ndef identity_block(X): pass\n"
    )
    variant = read_variant("2021", path)
    assert variant.fails == ("training argument", "hidden inputs, training")
    assert variant.says == "do not get `training`"
    assert variant.functions == ("identity_block",)
    assert variant.name == "2021/wrong/bn-without-training"


@pytest.mark.fast
def test_the_suite_keeps_enough_of_each_corpus():
    for name in (n for n in editions.names() if n != editions.DEFAULT):
        edition = editions.get(name)
        kept = [v for v in WRONG if v.edition == name]
        assert len(kept) >= 12, name
        assert {v.functions[0] for v in kept} == {*BLOCKS, "ResNet50"}, name
        failing = {check for v in kept for check in v.fails}
        wanted = {"initializer argument"} | (
            {"training argument"} if edition.training else set()
        )
        assert wanted <= failing, (name, wanted - failing)
        assert [v for v in CORRECT if v.edition == name], name
    # The left-out variants carry headers too: the bench script checks them.
    for variant in MORE:
        assert variant.fails and variant.says, variant.path
        assert len(variant.functions) == 1, variant.path
    assert len(MORE) + len(WRONG) == len({v.name for v in MORE + WRONG})


@pytest.mark.fast
def test_wrong_blocks_are_paired_within_an_edition_and_a_grading():
    for name, together in PAIRS.items():
        assert name in {v.name for v in together}
        assert len({(v.edition, _visible_only(v)) for v in together}) == 1
        assert len({v.functions for v in together}) == len(together)


@pytest.mark.parametrize("variant", [_param(v) for v in WRONG])
def test_a_wrong_variant_loses_points_on_its_function(graded, variant):
    edition = editions.get(variant.edition)
    assert variant.fails, f"{variant.path}: no `# fails:` line"
    (function,) = variant.functions  # a wrong variant breaks one function
    rows = {row.name: row for row in edition.checks if row.function == function}
    assert set(variant.fails) <= set(rows), set(variant.fails) - set(rows)
    together = PAIRS[variant.name]
    report = graded(
        "+".join(v.name for v in together).replace("/", "-"),
        rewritten_solution(tuple(v.path for v in together), edition.solution),
        functions=[v.functions[0] for v in together],
        visible_only=_visible_only(variant),
    )
    assert report.edition == variant.edition
    mine = [c for c in report.checks if c.function == function]
    assert mine, report.checks
    failed = {c.name: c.message for c in mine if not c.passed}
    assert [c.name for c in mine if not c.passed] == list(variant.fails), failed
    assert variant.says in failed[variant.fails[0]], failed[variant.fails[0]]
    assert all("Traceback" not in m and "grader/" not in m for m in failed.values())
    assert all("_grader" not in m for m in failed.values())


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
