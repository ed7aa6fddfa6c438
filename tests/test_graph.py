"""Lining up layer graphs by structure, on small hand-made graphs."""

from __future__ import annotations

import pytest

from grader.graph import Graph, Layer, NameProblem, compare, name_problems

# No kernel and no TensorFlow: the fast tier (pytest -m fast).
pytestmark = pytest.mark.fast

CONV = {"filters": 4, "kernel_size": (1, 1), "strides": (1, 1), "padding": "valid"}


def _block(*, bn_name="bn_a", add_order=("bn_a", "input"), axis=3, extra_relu=False):
    """input -> conv_a -> bn -> [relu] -> add(bn, input) -> relu."""
    layers = [
        Layer("input", "Input", ()),
        Layer("conv_a", "Conv2D", ("input",), (None, 4, 4, 4), 20, CONV),
        Layer(
            bn_name,
            "BatchNormalization",
            ("conv_a",),
            (None, 4, 4, 4),
            16,
            {"axis": axis},
        ),
    ]
    last = bn_name
    if extra_relu:
        layers.append(Layer("activation_9", "ReLU", (bn_name,)))
        last = "activation_9"
    order = tuple(last if name == "bn_a" else name for name in add_order)
    layers.append(Layer("add_3", "Add", order))
    layers.append(Layer("activation_4", "ReLU", ("add_3",)))
    return Graph(layers)


def test_the_same_block_written_another_way_has_no_differences():
    assert compare(_block(add_order=("input", "bn_a")), _block()) == []


def test_a_misnamed_layer_costs_the_names_only():
    theirs = _block(bn_name="bn_b")
    assert compare(theirs, _block(), shapes=True, params=True) == []
    assert name_problems(theirs, _block()) == [
        NameProblem("the layer in bn_a's place is named bn_b")
    ]


def test_an_extra_relu_is_shown_from_both_sides():
    differences = compare(_block(extra_relu=True), _block())
    assert [d.text for d in differences][0] == (
        "after bn_a yours applies a ReLU; the reference adds the shortcut"
    )


def test_a_missing_layer_is_shown_from_both_sides():
    theirs = Graph(
        [
            Layer("input", "Input", ()),
            Layer("conv_a", "Conv2D", ("input",), (None, 4, 4, 4), 20, CONV),
            Layer("add_3", "Add", ("conv_a", "input")),
            Layer("activation_4", "ReLU", ("add_3",)),
        ]
    )
    texts = [d.text for d in compare(theirs, _block())]
    assert texts[0] == (
        "after conv_a the reference applies BatchNormalization (bn_a); "
        "yours adds the shortcut"
    )
    assert name_problems(theirs, _block()) == [
        NameProblem("no layer named bn_a", missing=True)
    ]


def test_the_batchnorm_axis_is_named_with_the_channels_axis():
    texts = [d.text for d in compare(_block(axis=1), _block())]
    assert texts == ["bn_a normalizes axis 1, expected the channels axis (3)"]
