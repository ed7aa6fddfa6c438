"""What the kernel tells the judge: how each cell ended, and the probes' answers.

Plain records and their parsing, standard library only, so that the judge and
``grader.distribution.public`` (which runs in the student's own kernel) read a
kernel's run without importing the nbclient executor that produced it.

The answers are untrusted: the student's code runs in the kernel that writes
them. ``read_answers`` takes an answer file only if it is small and carries
the nonce of its probe, and keeps the answers that have the expected shape;
``parse_answers`` applies the same schema to answers made in process.

``grader.kernel.kernel_side`` writes the answers, but it runs inside the student's
kernel as text, where ``grader`` cannot be imported (the sandbox hides it), so
it cannot import ``AnswerStatus``. It keeps the statuses as literal strings,
and ``tests/test_protocol.py`` reads its source and asserts that the statuses
it writes are exactly ``AnswerStatus``'s values and the keys it writes are
``ProbeAnswer``'s fields. Sending a generated block of constants ahead of it
would make the code the kernel runs differ from the file a reader opens, for a
safety the test gives as well.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

ANSWER_LIMIT = 32 * 1024 * 1024
"""The largest answer file read, in bytes; a larger one counts as no answer."""
TEXT_FIELDS = ("model", "type", "error", "message")


@dataclass(frozen=True)
class CellOutcome:
    """How one cell ended: ``ok``, ``error``, ``timeout`` or ``died``.

    For ``died``, ``evalue`` says why when the grader knows (a limit it
    enforced, or a signal).
    """

    status: str
    ename: str = ""
    evalue: str = ""

    @property
    def ok(self) -> bool:
        """Whether the cell ran to the end."""
        return self.status == "ok"


class AnswerStatus(str, Enum):
    """What came of one probe's call, as the kernel reports it."""

    OK = "ok"
    """The call built a model; ``ProbeAnswer.model`` holds its configuration."""
    MISSING = "missing"
    """The function is not defined after its cell ran."""
    RETURNED_NONE = "returned-none"
    """A block returned None instead of its output tensor."""
    NOT_A_TENSOR = "not-a-tensor"
    """A block returned something else than a Keras tensor (``type`` says what)."""
    NOT_A_MODEL = "not-a-model"
    """``ResNet50`` returned something else than a Keras model (``type``)."""
    ERROR = "error"
    """The call raised: ``error``, ``message`` and ``where`` say what and where."""
    TIMEOUT = "timeout"
    """The call did not finish in time, or was not made because an earlier
    probe of the same function did not. ``message`` names the graded function
    it was stuck in when that is another one: a function whose own probes ran
    out of time is given a short limit per call for the probes after them
    (``grader.kernel.kernel_side._grader_bound``)."""


_STATUS_VALUES = frozenset(status.value for status in AnswerStatus)


@dataclass(frozen=True)
class Frame:
    """A place in the student's code that an exception went through.

    Each field is the kernel's value as text (``str(None)`` where it sent
    none); the judge shortens ``text`` when it shows it.
    """

    function: str
    line: str
    text: str


@dataclass(frozen=True)
class ProbeAnswer:
    """The kernel's answer for one probe of a graded function.

    A text field is None where the kernel did not send it.
    """

    key: str
    status: AnswerStatus
    model: str | None = None
    """The model's JSON configuration (status ``ok``)."""
    type: str | None = None
    """The name of the type returned instead (``not-a-tensor``, ``not-a-model``)."""
    error: str | None = None
    """The exception's class name (status ``error``)."""
    message: str | None = None
    """The exception's text, shortened (status ``error``)."""
    where: tuple[Frame | None, ...] = ()
    """The outermost and deepest frame of the student's own code; None for an
    entry that is not a frame."""


@dataclass(frozen=True)
class KernelRun:
    """What the kernel produced: per graded function, its cell and its answers.

    ``probe_cells`` holds how the cell that ran a function's probes ended;
    ``output_cut`` the functions whose cells printed past the output limit.
    """

    cells: dict[str, CellOutcome]
    answers: dict[str, list[ProbeAnswer]]
    probe_cells: dict[str, CellOutcome]
    output_cut: tuple[str, ...] = ()
    peak_rss_mb: float = 0.0


def read_answers(path: Path, nonce: str, keys: Collection[str]) -> list[ProbeAnswer]:
    """Read the kernel's answer file as untrusted data.

    The file must be small, carry this probe's ``nonce``, and hold one answer
    per probe key in the expected shape; anything else counts as no answer.
    """
    try:
        if path.stat().st_size > ANSWER_LIMIT:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("nonce") != nonce:
        return []
    return parse_answers(data.get("answers"), keys)


def parse_answers(items: object, keys: Collection[str]) -> list[ProbeAnswer]:
    """The well-formed answers among ``items`` (a list of dicts), in order.

    An answer must name one of ``keys``, have a known status, text where text
    belongs and a list of frames; others are left out.
    """
    if not isinstance(items, list):
        return []
    answers = (_answer(item, keys) for item in items)
    return [answer for answer in answers if answer is not None]


def _answer(item: object, keys: Collection[str]) -> ProbeAnswer | None:
    if not isinstance(item, dict):
        return None
    # Text before membership: a list or dict here (a forged file) is unhashable.
    key, status = item.get("key"), item.get("status")
    if not isinstance(key, str) or key not in keys:
        return None
    if not isinstance(status, str) or status not in _STATUS_VALUES:
        return None
    if any(not isinstance(item.get(field, ""), str) for field in TEXT_FIELDS):
        return None
    where = item.get("where", [])
    if not isinstance(where, list):
        return None
    return ProbeAnswer(
        key=item["key"],
        status=AnswerStatus(item["status"]),
        model=item.get("model"),
        type=item.get("type"),
        error=item.get("error"),
        message=item.get("message"),
        where=tuple(_frame(entry) for entry in where),
    )


def _frame(entry: object) -> Frame | None:
    if not isinstance(entry, dict):
        return None
    return Frame(
        function=str(entry.get("function")),
        line=str(entry.get("line")),
        text=str(entry.get("text") or ""),
    )
