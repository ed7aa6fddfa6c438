"""The reference's side kept once per machine (``grader.cache``): a ResNet50
that is the reference's but for its names takes the reference's training
run, and a grading says the same with the cache off, cold and warm."""

from __future__ import annotations

import json
import re

import keras
from conftest import SOLUTION

from grader import cache, models
from grader.grading import grade
from grader.render import render_gradescope, render_text


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


def _without_times(report) -> tuple[str, str]:
    text = re.sub(r"\(\d+\.\d s\)", "(time)", render_text(report))
    results = json.loads(render_gradescope(report))
    results.pop("execution_time", None)
    return text, json.dumps(results, sort_keys=True)


def test_a_grading_says_the_same_with_the_cache_off_cold_and_warm(
    tmp_path, monkeypatch
):
    seen = {}
    for label, setting in (
        ("off", cache.OFF),
        ("cold", str(tmp_path / "cache")),
        ("warm", str(tmp_path / "cache")),
    ):
        monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, setting)
        seen[label] = _without_times(grade(SOLUTION, functions=["ResNet50"]))
        kept = sorted(p.name for p in (tmp_path / "cache").glob("training-*.json"))
        assert len(kept) == (0 if label == "off" else 1), (label, kept)
    assert seen["off"] == seen["cold"] == seen["warm"]
    text = seen["warm"][0]
    assert "same architecture as the reference; its run: loss" in text
    assert "Total: 40/40" in text


def test_a_truncated_entry_is_computed_again(tmp_path, monkeypatch):
    from grader.hidden import TRAINING_STEPS, warm_cache

    monkeypatch.setenv(cache.CACHE_DIR_VARIABLE, str(tmp_path))
    runs = warm_cache()
    assert set(runs) == {"2020", "2021", "2021-initializer-only"}
    for losses in runs.values():
        assert len(losses) == TRAINING_STEPS and losses[-1] < losses[0]
    kept = sorted(tmp_path.glob("training-*.json"))
    assert 1 <= len(kept) <= len(runs)
    before = {path: json.loads(path.read_text()) for path in kept}
    kept[0].write_text(kept[0].read_text()[:-3])  # as a full disk would leave it
    assert warm_cache() == runs
    assert {path: json.loads(path.read_text()) for path in kept} == before
