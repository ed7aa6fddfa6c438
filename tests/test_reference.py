"""The grader's reference model against the original assignment's layer table."""

from __future__ import annotations

import pytest

from grader.judging import reference
from grader.judging.judge import Expected
from grader.models import graph, graph_read


@pytest.fixture(scope="module")
def expected():
    return Expected.load()


def test_table_holds_all_177_layers_and_the_printed_totals(expected):
    layers = expected.table.layers.values()
    assert len(layers) == 177
    assert sum(layer.params for layer in layers) == expected.params[0] == 23_600_006


def test_reference_resnet50_matches_the_assignment_table(expected):
    model = reference.resnet50()
    ours = graph_read.from_model(model)
    differences = graph.compare(
        ours, expected.table, shapes=True, params=True, settings=False
    )
    assert differences == []
    assert model.count_params() == 23_600_006


def test_a_changed_layer_is_reported_against_the_table(expected):
    rows = [
        dict(
            name=layer.name,
            type=layer.kind,
            output_shape=str(layer.shape),
            params=str(layer.params),
            inputs=",".join(layer.inputs),
        )
        for layer in expected.table.layers.values()
    ]
    for row in rows:
        if row["name"] == "res3a_branch2b":
            row["params"] = "1"
    for row in rows:
        row["type"] = {"Input": "InputLayer", "ReLU": "Activation"}.get(
            row["type"], row["type"]
        )
    changed = graph_read.from_table(rows)
    differences = graph.compare(
        graph_read.from_model(reference.resnet50()),
        changed,
        params=True,
        settings=False,
    )
    assert [d.text for d in differences] == [
        "res3a_branch2b: 147,584 parameters, expected 1"
    ]
