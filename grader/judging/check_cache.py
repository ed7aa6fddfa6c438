"""Each check judged once: its result kept under a digest of what it reads.

``run_checks`` runs the checks table's checks (``grader.judging.checks``) through
the cache's folder (``grader.judging.cache``): a check whose entry is kept is not
run again. It sits above both, so that the cache itself, which the hidden
checks use for the reference's training run, imports no check.

Many checks read the same answer (seven read ResNet50's): each grading,
that is each ``Judge``, reads an answer and encodes it for the digest once,
and every check's digest takes the text as it is (``_encoded_reads``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from grader.judging import checks as table
from grader.judging.cache import (
    digest_encoded,
    encoded,
    encoded_list,
    folder,
    load,
    store,
)
from grader.judging.checks import Check, Reads, answer_data, result_of
from grader.judging.judge import Judge
from grader.kernel.protocol import ProbeAnswer
from grader.reports.results import CheckResult, GraphWindow

tally: Counter[str] = Counter()
"""Checks run in this process by ``run_checks``: ``loaded`` from the cache,
``computed`` and kept, ``not kept`` (the cache off, a check that keeps
nothing, or a probe without an answer)."""


def run_checks(judge: Judge, checks: tuple[Check, ...]) -> list[CheckResult]:
    """``grader.judging.checks.run_checks``, each result kept under what it reads.

    A check whose entry is kept is not run: its result is the one kept. A
    check the grader could not run is not kept (it may run another time).
    """
    results = []
    for check in checks:
        name = _entry(judge, check)
        kept = None if name is None else load(name)
        restored = None if kept is None else _restored(check, kept)
        if restored is not None:
            tally["loaded"] += 1
            results.append(restored)
            continue
        (result,) = table.run_checks(judge, (check,))
        if name is None or table.could_not_run(result):
            tally["not kept"] += 1
        else:
            tally["computed"] += 1
            store(
                name,
                {
                    "message": result.message,
                    "credit": result.credit,
                    "window": None if result.window is None else asdict(result.window),
                },
            )
        results.append(result)
    return results


def _entry(judge: Judge, check: Check) -> str | None:
    """The name ``check``'s result is kept under for ``judge``, or None."""
    if check.depends_on is None or folder() is None:
        return None
    try:
        reads = _encoded_reads(judge, check.depends_on)
    except Exception:
        # No answer to read (a ``Failure``): the check fails at once, saying
        # why, as it should; anything else, the check runs into it too.
        return None
    edition: object = None
    if judge.edition is not None:
        # An instructor's edition: its data and solution, which the grader's
        # version does not cover.
        edition = judge.edition.name
        if judge.edition.digest:
            edition = [edition, judge.edition.digest]
    named = map(encoded, (edition, check.function, check.name))
    return digest_encoded("check", *named, reads)


@dataclass
class _Read:
    """One probe's answer as a grading's checks have read it so far."""

    answer: ProbeAnswer
    #: ``encoded(answer_data(answer, names))``, for each ``names`` read.
    texts: dict[bool, str] = field(default_factory=dict)


_read: WeakKeyDictionary[Judge, dict[tuple[str, str], _Read]] = WeakKeyDictionary()
"""Per judge, the answers its checks have read, by function and probe key;
gone with the judge. An answer, once in, stays as it is for the grading
(``grader.kernel.submission``): no check can see another than the first."""


def _encoded_reads(judge: Judge, depends_on: Callable[[Judge], Any]) -> str:
    """``encoded(depends_on(judge))``, each answer read and encoded once per judge.

    Raises what ``depends_on(judge)`` raises where a probe has no answer.
    """
    if not isinstance(depends_on, Reads):
        return encoded(depends_on(judge))
    seen = _read.setdefault(judge, {})
    texts = []
    for key in sorted(depends_on.keys(judge)):
        read = seen.get((depends_on.function, key))
        if read is None:
            read = _Read(judge.answer(depends_on.function, key))
            seen[(depends_on.function, key)] = read
        if depends_on.names not in read.texts:
            data = answer_data(read.answer, depends_on.names)
            read.texts[depends_on.names] = encoded(data)
        texts.append(read.texts[depends_on.names])
    return encoded_list(texts)


def _restored(check: Check, kept: Any) -> CheckResult | None:
    """The result kept in ``kept``, or None where it is not one."""
    try:
        window = kept["window"]
        return result_of(
            check,
            str(kept["message"]),
            float(kept["credit"]),
            None if window is None else GraphWindow.from_dict(window),
        )
    except (TypeError, KeyError, ValueError):
        return None
