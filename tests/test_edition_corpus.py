"""The later editions' corpora: each wrong variant loses points on the right
function with the message it promises, each correct rewrite earns full marks.

A corpus is ``tests/corpus/editions/<edition>/`` (``corpus.editions``): its
``correct/*.py`` files hold whole graded cells, and ``corpus/editions/wrong.py``
writes each wrong variant as edits of the edition's ``solution.py`` cells,
with its verdict: ``fails``, exactly the checks of its function that fail,
in the report's order, and ``says``, words the first of them prints. Each
variant's cells are swapped into that edition's solution notebook. A
variant whose failing checks are all visible is graded on the visible checks
only (cheaper). A wrong identity_block and a wrong convolutional_block of one
edition are graded together, in one notebook (``pairs``): each block's checks
build and run that block alone, so each test judges its own function's checks.

The ``more`` variants are the ones the suite leaves out:
``bench/editions/grade_corpus.py`` grades every variant with every check."""

from __future__ import annotations

import ast

import pytest
from corpus.editions import Variant, rewritten, solution_cells, variants
from corpus.editions.wrong import WRONG as ROWS

from grader import editions

WRONG = variants("wrong")
MORE = variants("more")
CORRECT = variants("correct")
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
    graded alike (visible checks only, or all) are paired in name order;
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
@pytest.mark.parametrize("variant", WRONG + MORE, ids=lambda v: v.name)
def test_a_wrong_variant_edits_one_function_and_names_its_checks(variant):
    (row,) = [row for row in ROWS[variant.edition] if row.name == variant.stem]
    assert variant.functions == (row.function,)
    ((function, source),) = variant.cells
    assert source != solution_cells(variant.edition)[function]
    ast.parse(source)
    checks = editions.get(variant.edition).checks
    order = [check.name for check in checks if check.function == function]
    assert variant.fails and variant.says
    assert list(variant.fails) == [name for name in order if name in variant.fails]
    assert set(variant.fails) <= set(order)


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
    assert variant.fails, f"{variant.name}: no failing check"
    (function,) = variant.functions  # a wrong variant breaks one function
    rows = {row.name: row for row in edition.checks if row.function == function}
    assert set(variant.fails) <= set(rows), set(variant.fails) - set(rows)
    together = PAIRS[variant.name]
    report = graded(
        "+".join(v.name for v in together).replace("/", "-"),
        rewritten(together),
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
    functions = None if "ResNet50" in variant.functions else list(variant.functions)
    report = graded(
        variant.name.replace("/", "-"),
        rewritten([variant]),
        functions=functions,
    )
    assert report.edition == variant.edition
    assert {c.title: c.message for c in report.checks if not c.passed} == {}
    assert report.score == report.max_score
