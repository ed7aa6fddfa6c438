"""What the grader keeps (``grader.judging.cache``): each check's result under what it
reads, and the reference's training run, which a ResNet50 that is the
reference's but for its names takes. The corpora are judged alike with the
cache off, shared and warm; a batch keeps its cache in its output folder."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import keras
import nbformat
import pytest
from conftest import SOLUTION, edited_solution
from corpus.editions import rewritten

from grader import editions
from grader.grading import grade
from grader.judging import cache, check_cache
from grader.judging.checks import Check, table
from grader.judging.judge import Expected, Failure, Judge
from grader.kernel.protocol import AnswerStatus, Frame, KernelRun, ProbeAnswer
from grader.models import rebuild as models
from grader.notebooks.read import find_graded_cells, read_notebook
from grader.notebooks.recognise import recognise
from grader.reports.render import render_gradescope, render_text


def _block(names: str, *, strides: int = 1, initializer: str = "glorot_uniform"):
    x = keras.Input((5, 5, 3), name=f"{names}-in")
    y = keras.layers.Conv2D(
        4, 3, strides=strides, name=f"{names}-conv", kernel_initializer=initializer
    )(x)
    y = keras.layers.BatchNormalization(axis=3, name=f"{names}-bn")(y)
    y = keras.layers.Activation("relu", name=f"{names}-relu")(y)
    return keras.Model(x, y, name=names).to_json()


def test_names_are_left_out_of_the_canonical_form_and_nothing_else():
    first = models.canonical_config(_block("a"))
    assert first is not None
    # Names and initializers (which the grader replaces) do not count.
    assert models.canonical_config(_block("b", initializer="he_normal")) == first
    assert models.canonical_config(_block("a", strides=2)) != first
    # A configuration the grader would refuse to rebuild has none.
    assert models.canonical_config("{}") is None


@pytest.mark.fast
@pytest.mark.parametrize(
    ("setting", "used"),
    [(None, "batch"), ("off", None), ("elsewhere", "elsewhere")],
)
def test_a_batch_keeps_its_cache_in_its_output_folder_unless_told(
    tmp_path, monkeypatch, setting, used
):
    monkeypatch.delenv(cache.CACHE_DIR_VARIABLE, raising=False)
    if setting is not None:
        told = setting if setting == cache.OFF else str(tmp_path / setting)
        monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, told)
    before = cache.folder()
    with cache.for_batch(tmp_path):
        during = cache.folder()
    assert cache.folder() == before  # put back after the batch
    batch = tmp_path / cache.BATCH_FOLDER
    wanted = {"batch": batch, "elsewhere": tmp_path / "elsewhere", None: None}
    assert during == wanted[used]
    if used == "batch":
        assert batch.stat().st_mode & 0o777 == 0o700
    else:
        assert not batch.exists()


def test_a_grading_keeps_each_check_and_the_reference_run(tmp_path, monkeypatch):
    # Judged alike off, cold and warm: the corpora's test below, on kernel runs.
    from grader.judging import solution

    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path))
    monkeypatch.setattr(solution, "_kept", {})  # as in a new process
    text = render_text(grade(SOLUTION, functions=["ResNet50"]))
    assert "same architecture as the reference; its run: loss" in text
    assert "Total: 40/40" in text
    rows = [row for row in editions.get(editions.DEFAULT).checks]
    kept = {path.name.split("-")[0] for path in tmp_path.glob("*.json")}
    assert kept == {"check", "solution", "training"}
    assert len(list(tmp_path.glob("check-*.json"))) == sum(
        row.function == "ResNet50" for row in rows
    )


# --- a check's entry named from answers encoded once per grading -------------


class CountingJudge(Judge):
    """A judge that counts the answers its checks ask it for."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.asked: Counter[tuple[str, str]] = Counter()

    def answer(self, function: str, key: str) -> ProbeAnswer:
        self.asked[(function, key)] += 1
        return super().answer(function, key)


NO_ANSWER = ("convolutional_block", "hidden-s1")
"""The probe ``_answers`` leaves without an answer."""


def _answers(edition: editions.Edition) -> KernelRun:
    """An answer for each of the edition's probes but one: small models, an
    error with its frames, and a probe left without an answer."""
    answers: dict[str, list[ProbeAnswer]] = {}
    for index, spec in enumerate(edition.probes):
        model = _block(f"{spec.function}-{spec.key}", strides=1 + index % 2)
        answer = ProbeAnswer(spec.key, AnswerStatus.OK, model)
        if (spec.function, spec.key) == ("identity_block", "hidden"):
            frames = (Frame("identity_block", "3", "X = Add()([X, X])"), None)
            answer = ProbeAnswer(
                spec.key, AnswerStatus.ERROR, None, None, "ValueError", "ß", frames
            )
        if (spec.function, spec.key) != NO_ANSWER:
            answers.setdefault(spec.function, []).append(answer)
    return KernelRun(cells={}, answers=answers, probe_cells={})


def _judge(name: str, digest: str = "", kind: type[Judge] = Judge) -> Judge:
    """A new judge (a grading) of ``_answers`` for the edition ``name``."""
    edition = dataclasses.replace(editions.get(name), digest=digest)
    graded = recognise(find_graded_cells(read_notebook(edition.solution)), "n")
    return kind(_answers(edition), graded, Expected.load(edition), edition)


def _key_as_before(judge: Judge, check: Check) -> str | None:
    """The entry's name as ``check_cache`` made it before answers were encoded
    once: the whole of what the check reads encoded for each check."""
    import tensorflow as tf

    from grader.version import grader_version

    assert check.depends_on is not None
    try:
        reads = check.depends_on(judge)
    except Failure:
        return None
    edition: object = judge.edition.name if judge.edition is not None else None
    if judge.edition is not None and judge.edition.digest:
        edition = [edition, judge.edition.digest]
    text = json.dumps(
        [grader_version(), tf.__version__, keras.__version__]
        + [edition, check.function, check.name, reads],
        sort_keys=True,
        separators=(",", ":"),
    )
    return f"check-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


@pytest.mark.fast
@pytest.mark.parametrize(
    ("name", "digest"),
    [(editions.DEFAULT, ""), ("2021", ""), ("2021-initializer-only", "0123abcd")],
)
def test_a_checks_entry_keeps_its_name_with_answers_encoded_once(
    name, digest, tmp_path, monkeypatch
):
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path))
    judge = _judge(name, digest)
    checks = [check for check in table(judge.edition) if check.depends_on]
    named = [check_cache._entry(judge, check) for check in checks]
    assert named == [_key_as_before(judge, check) for check in checks]
    # The probe without an answer keeps its checks from being kept, alone.
    assert None in named and len(set(named) - {None}) > len(checks) // 2


@pytest.mark.fast
def test_each_answer_is_read_and_encoded_once_per_grading(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path))
    judge = _judge(editions.DEFAULT, kind=CountingJudge)
    checks = [check for check in table(judge.edition) if check.depends_on]
    first = [check_cache._entry(judge, check) for check in checks]
    asked = dict(judge.asked)
    # Each answer once, however many checks read it (ResNet50's: seven);
    # where there is none, each check that reads it asks (two), as before.
    assert asked.pop(NO_ANSWER) == 2
    assert set(asked.values()) == {1}
    assert len(asked) == len(editions.get(editions.DEFAULT).probes) - 1
    # As a grading asks: one check at a time; again, the answers are not.
    assert [check_cache._entry(judge, check) for check in checks] == first
    assert judge.asked == asked | {NO_ANSWER: 4}
    # Encoded once per way it is read: with its names, or canonical.
    read = check_cache._read[judge]
    assert sorted(read[("ResNet50", "default")].texts) == [False, True]
    # A new grading reads them again; and its judge gone, its answers go too.
    again = _judge(editions.DEFAULT, kind=CountingJudge)
    assert [check_cache._entry(again, check) for check in checks] == first
    assert again.asked == asked | {NO_ANSWER: 2}
    judges = len(check_cache._read)
    del judge, again, read
    gc.collect()
    assert len(check_cache._read) == judges - 2


def test_a_truncated_entry_is_computed_again(tmp_path, monkeypatch):
    from grader.grading import warm_cache
    from grader.judging.hidden import TRAINING_STEPS

    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path))
    runs = warm_cache()
    assert set(runs) == set(editions.names())
    for losses in runs.values():
        assert len(losses) == TRAINING_STEPS and losses[-1] < losses[0]
    kept = sorted(tmp_path.glob("training-*.json"))
    assert 1 <= len(kept) <= len(runs)
    before = {path: json.loads(path.read_text()) for path in kept}
    kept[0].write_text(kept[0].read_text()[:-3])  # as a full disk would leave it
    assert warm_cache() == runs
    assert {path: json.loads(path.read_text()) for path in kept} == before


# --- the corpora judged with the cache off, shared and warm -----------------
#
# Each notebook's kernel runs once; its run is judged three times, each by a
# new Judge: with the cache off (what running every check says), in a folder
# the other notebooks of this worker have filled (an entry some other answer
# left must never stand for this one's), then again in that folder (every
# check kept is read back). The three reports must be the same to the byte.


@dataclass(frozen=True)
class Packed:
    """One notebook of the equality test: corpus variants of distinct functions."""

    edition: str
    names: tuple[str, ...]
    functions: tuple[str, ...]
    notebook: Callable[[], nbformat.NotebookNode]


def _pack(edition: str, variants: list[tuple[str, tuple[str, ...], Any]], make):
    """Variants (name, functions, what ``make`` swaps in) into few notebooks."""
    packs: list[list[tuple[str, tuple[str, ...], Any]]] = []
    for variant in variants:
        free = (p for p in packs if not {f for v in p for f in v[1]} & set(variant[1]))
        pack = next(free, None)
        if pack is None:
            packs.append(pack := [])
        pack.append(variant)
    return [
        Packed(
            edition,
            tuple(v[0] for v in pack),
            tuple(sorted({f for v in pack for f in v[1]})),
            partial(make, [v[2] for v in pack]),
        )
        for pack in packs
    ]


def _representative(variants, fails, seen):
    """The first variants, in order, that fail a check (function, name) none
    before them fails (``seen``, added to), and the first that fails none (a
    correct rewrite)."""
    chosen, correct = [], False
    for variant in variants:
        new = {(f, name) for f in variant[1] for name in fails(variant)} - seen
        if new or not (fails(variant) or correct):
            chosen.append(variant)
            seen |= new
            correct = correct or not fails(variant)
    return chosen


def _corpora() -> list[Packed]:
    """The sample: each check seen failing once, whichever edition's corpus
    fails it first, and each later edition's first correct rewrite."""
    from corpus.wrong import WRONG
    from test_edition_corpus import CORRECT as EDITION_CORRECT
    from test_edition_corpus import WRONG as EDITION_WRONG

    seen: set[tuple[str, str]] = set()
    wrong = [(case.name, (case.function,), case) for case in WRONG]
    picked = _representative(wrong, lambda v: v[2].fails, seen)
    packed = _pack(
        editions.DEFAULT,
        picked,
        lambda cases: edited_solution([edit for c in cases for edit in c.edits]),
    )
    for name in editions.names():
        if name == editions.DEFAULT:
            continue
        ones = [
            (v.name, v.functions, v)
            for v in EDITION_WRONG + EDITION_CORRECT
            if v.edition == name
        ]
        fails = {v.name: v.fails for v in EDITION_WRONG}
        picked = _representative(ones, lambda v, f=fails: f.get(v[0], ()), seen)
        packed += _pack(name, picked, rewritten)
    return packed


CORPORA = _corpora()


@pytest.fixture(scope="module")
def shared_cache(tmp_path_factory):
    """One folder for every notebook this worker judges in this module."""
    return tmp_path_factory.mktemp("shared-cache")


def _kernel_run(path: Path, functions: tuple[str, ...]) -> tuple[dict, Any, Any]:
    """Run a notebook's graded cells and the probes of ``functions`` once:
    (cells, edition, run)."""
    from grader.kernel.submission import start_submission
    from grader.notebooks.read import find_graded_cells, own_imports, read_notebook
    from grader.notebooks.recognise import recognise
    from grader.sandbox.choice import choose

    nb = read_notebook(path)
    graded = recognise(find_graded_cells(nb), str(path))
    known = editions.get(next(iter(graded.values())).edition or editions.DEFAULT)
    submission = start_submission(
        {name: cell for name, cell in graded.items() if not cell.is_stub},
        sandbox=choose(),
        probed=functions,
        imports=own_imports(nb),
    )
    return graded, known, submission.result()


def _judged(graded, known, run, functions) -> tuple[list, str, str]:
    """The run judged by a new Judge: its results and both renderings."""
    from grader.judging.checks import select
    from grader.judging.judge import Expected, Judge
    from grader.reports.results import GradeReport

    judge = Judge(run, graded, Expected.load(known), known)
    results = check_cache.run_checks(judge, select(functions, edition=known))
    report = GradeReport("n.ipynb", tuple(results), edition=known.name)
    return results, render_text(report), render_gradescope(report)


@pytest.mark.parametrize(
    "packed", CORPORA, ids=lambda p: f"{p.edition}:{'+'.join(p.names)}"
)
def test_the_corpora_are_judged_alike_with_the_cache_off_shared_and_warm(
    packed, shared_cache, tmp_path, monkeypatch
):
    path = tmp_path / "corpus.ipynb"
    nbformat.write(packed.notebook(), path)
    graded, known, run = _kernel_run(path, packed.functions)
    assert known.name == packed.edition
    seen = {}
    for label, setting in (
        ("off", cache.OFF),
        ("shared", str(shared_cache)),
        ("warm", str(shared_cache)),
    ):
        monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, setting)
        before = dict(check_cache.tally)
        seen[label] = _judged(graded, known, run, packed.functions)
        counted = {
            k: check_cache.tally[k] - before.get(k, 0) for k in check_cache.tally
        }
        if label == "warm":  # every check kept is read back, none run again
            assert counted.get("computed", 0) == 0 < counted.get("loaded", 0), counted
    assert seen["off"] == seen["shared"] == seen["warm"]
    wrong = any("/correct/" not in name for name in packed.names)
    assert wrong == any(not result.passed for result in seen["off"][0])


def test_the_sample_sees_every_check_the_corpora_see_fail():
    from corpus.wrong import WRONG
    from test_edition_corpus import WRONG as EDITION_WRONG

    declared = {case.name: (case.function, tuple(case.fails)) for case in WRONG}
    declared |= {v.name: (v.functions[0], v.fails) for v in EDITION_WRONG}

    def failing(names):
        return {
            (declared[n][0], c) for n in names if n in declared for c in declared[n][1]
        }

    sampled = [name for packed in CORPORA for name in packed.names]
    assert failing(sampled) == failing(declared)
    assert {p.edition for p in CORPORA} == set(editions.names())
    # Fewer kernels than variants: that is what keeps it cheap.
    assert len(CORPORA) < len(sampled)
