from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from grader.kernel import kernel_side, protocol
from grader.kernel.protocol import (
    AnswerStatus,
    Frame,
    ProbeAnswer,
    parse_answers,
    read_answers,
)

# No kernel and no TensorFlow (but the last test): the fast tier (pytest -m fast).
fast = pytest.mark.fast

KEYS = {"seeded", "hidden"}
NONCE = "n0nce"
GOOD = {"key": "seeded", "status": "ok", "model": "{}"}
OK = ProbeAnswer("seeded", AnswerStatus.OK, "{}")
FRAME = {"function": "identity_block", "line": 7, "text": "  X = Add()([X])  "}


def _answers_written_by_kernel_side() -> list[ast.Dict]:
    tree = ast.parse(Path(kernel_side.__file__).read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and any(isinstance(k, ast.Constant) and k.value == "status" for k in node.keys)
    ]


@fast
def test_kernel_side_writes_exactly_the_protocols_statuses():
    # kernel_side runs in the kernel, where grader cannot be imported: its
    # statuses are literals, and this is what keeps them the protocol's.
    written = {
        value.value
        for answer in _answers_written_by_kernel_side()
        for key, value in zip(answer.keys, answer.values, strict=True)
        if isinstance(key, ast.Constant) and key.value == "status"
    }
    assert written == {status.value for status in AnswerStatus}


@fast
def test_kernel_side_writes_the_fields_of_a_probe_answer():
    tree = ast.parse(Path(kernel_side.__file__).read_text(encoding="utf-8"))
    written = {
        key.value
        for answer in _answers_written_by_kernel_side()
        for key in answer.keys
        if isinstance(key, ast.Constant)
    }
    # ``answer["key"] = probe["key"]``: the key is added to every answer.
    written |= {
        node.targets[0].slice.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Subscript)
        and isinstance(node.targets[0].value, ast.Name)
        and node.targets[0].value.id == "answer"
    }
    assert written == {field.name for field in fields(ProbeAnswer)}


@fast
def test_the_protocol_needs_only_the_standard_library():
    code = (
        "import sys, grader.kernel.protocol; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'tensorflow', 'keras', 'nbclient', 'jupyter_client', 'numpy'}))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "[]"


def _file(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


@fast
@pytest.mark.parametrize(
    "data",
    [
        "not json",
        [GOOD],
        {"nonce": "other", "answers": [GOOD]},
        {"answers": [GOOD]},
        {"nonce": NONCE, "answers": {"seeded": GOOD}},
    ],
    ids=["not-json", "not-a-dict", "other-nonce", "no-nonce", "answers-not-a-list"],
)
def test_an_answer_file_of_another_shape_is_no_answer(tmp_path, data):
    assert read_answers(_file(tmp_path, data), NONCE, KEYS) == []


@fast
def test_a_missing_or_too_large_answer_file_is_no_answer(tmp_path, monkeypatch):
    assert read_answers(tmp_path / "absent.json", NONCE, KEYS) == []
    path = _file(tmp_path, {"nonce": NONCE, "answers": [GOOD]})
    assert read_answers(path, NONCE, KEYS) == [OK]
    monkeypatch.setattr(protocol, "ANSWER_LIMIT", path.stat().st_size - 1)
    assert read_answers(path, NONCE, KEYS) == []


@fast
@pytest.mark.parametrize(
    "answer",
    [
        "ok",
        {"status": "ok", "model": "{}"},
        {**GOOD, "key": "other"},
        {**GOOD, "status": "fine"},
        {**GOOD, "model": None},
        {**GOOD, "type": 3},
        {"key": "seeded", "status": "error", "error": "E", "message": ["m"]},
        {"key": "seeded", "status": "error", "where": {"function": "f"}},
        {**GOOD, "key": ["seeded"]},
        {**GOOD, "status": {"ok": 1}},
    ],
    ids=[
        "not-a-dict",
        "no-key",
        "unknown-key",
        "unknown-status",
        "model-not-text",
        "type-not-text",
        "message-not-text",
        "where-not-a-list",
        "key-unhashable",
        "status-unhashable",
    ],
)
def test_a_malformed_answer_is_left_out_and_the_others_kept(answer):
    assert parse_answers([answer, GOOD], KEYS) == [OK]


@fast
def test_an_answer_keeps_what_the_kernel_sent_and_none_where_it_sent_nothing():
    raw = {
        "key": "hidden",
        "status": "error",
        "error": "NameError",
        "where": [FRAME, "not a frame", {}],
    }
    assert parse_answers([raw], KEYS) == [
        ProbeAnswer(
            "hidden",
            AnswerStatus.ERROR,
            error="NameError",
            where=(
                Frame("identity_block", "7", "  X = Add()([X])  "),
                None,
                Frame("None", "None", ""),
            ),
        )
    ]


def test_the_kernel_sides_answers_made_in_process_pass_the_same_schema():
    def raises(X, **kwargs):
        raise ValueError("no")

    probes = [{"key": "seeded", "kwargs": {}, "input_shape": [2, 2, 1]}]
    assert parse_answers(kernel_side.probe_answers(None, probes), KEYS) == [
        ProbeAnswer("seeded", AnswerStatus.MISSING)
    ]
    assert parse_answers(kernel_side.probe_answers(raises, probes), KEYS) == [
        ProbeAnswer("seeded", AnswerStatus.ERROR, error="ValueError", message="no")
    ]
