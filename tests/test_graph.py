"""Lining up layer graphs by structure, on small hand-made graphs."""

from __future__ import annotations

import json

import pytest

from grader.models.graph import Graph, Layer, NameProblem, compare, name_problems
from grader.models.graph_window import window
from grader.reports.results import CheckResult, GradeReport

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


def _rows(side):
    return [None if box is None else (box.name, box.settings) for box in side]


def test_the_window_of_a_setting_shows_both_layers_in_one_row():
    differences = compare(_block(axis=1), _block())
    window_ = window(_block(axis=1), _block(), differences[0])
    assert window_.text == "bn_a normalizes axis 1, expected the channels axis (3)"
    assert window_.at == 2
    assert _rows(window_.reference)[window_.at] == ("bn_a", "axis 3")
    assert _rows(window_.student)[window_.at] == ("bn_a", "axis 1")
    assert [box.name for box in window_.reference] == [
        "input",
        "conv_a",
        "bn_a",
        "add_3",
        "activation_4",
    ]
    assert window_.reference[1].settings == "4 filters, 1×1, stride 1, valid"
    assert window_.reference[1].shape == "4×4×4"


def test_the_window_of_an_extra_layer_leaves_the_reference_a_gap():
    theirs = _block(extra_relu=True)
    window_ = window(theirs, _block(), compare(theirs, _block())[0])
    at = window_.at
    assert window_.reference[at] is None
    assert window_.student[at].name == "activation_9"
    # After the gap the two line up again, as in a text diff.
    assert [b.name for b in window_.reference[at + 1 :]] == ["add_3", "activation_4"]
    assert [b.name for b in window_.student[at + 1 :]] == ["add_3", "activation_4"]
    assert window_.student[at + 1].inputs == ("activation_9", "input")


def _without_bn():
    return Graph(
        [
            Layer("input", "Input", ()),
            Layer("conv_a", "Conv2D", ("input",), (None, 4, 4, 4), 20, CONV),
            Layer("add_3", "Add", ("conv_a", "input")),
            Layer("activation_4", "ReLU", ("add_3",)),
        ]
    )


def test_the_window_of_a_missing_layer_leaves_the_student_a_gap():
    differences = compare(_without_bn(), _block())
    window_ = window(_without_bn(), _block(), differences[0])
    at = window_.at
    assert (window_.reference[at].name, window_.student[at]) == ("bn_a", None)
    assert [b.name for b in window_.student[:at]] == ["input", "conv_a"]
    assert [b.name for b in window_.student[at + 1 :]] == ["add_3", "activation_4"]


def test_the_window_holds_a_few_layers_either_side():
    differences = compare(_block(axis=1), _block())
    narrow = window(_block(axis=1), _block(), differences[0], around=1)
    assert narrow.at == 1
    assert [b.name for b in narrow.student] == ["conv_a", "bn_a", "add_3"]


def test_a_check_with_a_window_reads_back_from_json():
    differences = compare(_without_bn(), _block())
    check = CheckResult(
        "identity_block",
        "layers and settings",
        8,
        0,
        differences[0].text,
        window=window(_without_bn(), _block(), differences[0]),
    )
    report = GradeReport(notebook="n.ipynb", checks=(check,))
    assert GradeReport.from_dict(json.loads(json.dumps(report.to_dict()))) == report
    # A result stored before there were windows still reads, without one.
    data = report.to_dict()
    del data["checks"][0]["window"]
    assert GradeReport.from_dict(data).checks[0].window is None
