"""The reference: each edition's solution notebook, run once per machine.

The solution's graded functions run in the sandboxed kernel, as a student's
do, through every probe of the edition (the visible and the hidden ones),
each probe's layers named as in a new process. What they answer (each
probe's model configuration) is kept in the grader's cache (``grader.judging.cache``)
under a digest of the notebook's bytes and the edition's probes, with the
grader's, TensorFlow's and Keras' versions, so that a machine runs each
solution once; judging rebuilds the reference models from it
(``grader.judging.judge.Judge.reference``), and the reference's short training run
is that of the solution's model.

``Solution`` starts the run at once where nothing is kept, on a thread of
its own, so that it overlaps the student's kernel; ``answer`` waits for it.
A solution that does not answer a probe with a model raises
``SolutionError``: inside a check that is the grader's fault, and the
submission gets no score (``grader.errors.CheckError``).
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from typing import TYPE_CHECKING

from grader import errors
from grader.kernel.protocol import AnswerStatus, ProbeAnswer, parse_answers

if TYPE_CHECKING:
    from collections.abc import Callable

    from grader.editions import Edition
    from grader.kernel.protocol import KernelRun
    from grader.kernel.submission import Submission
    from grader.notebooks.notebook import Notebook
    from grader.sandbox.choice import Sandbox

KIND = "solution"
"""The cache's name for a solution's answers."""
NOT_ANSWERED = (
    "the {edition} edition's solution ({path}) gave no model for {function}'s "
    "probe {key!r}: {why}"
)

_kept: dict[str, dict[str, list[ProbeAnswer]]] = {}
"""The answers read or computed in this process, by cache name (for a cache
that is off, and so that each grading does not read the file again)."""
_lock = threading.Lock()


class SolutionError(errors.GraderError, RuntimeError):
    """An edition's solution did not answer one of its probes with a model."""


def entry(edition: Edition, notebook: Notebook) -> str:
    """The cache's name for ``edition``'s solution answers.

    A digest of the solution notebook's bytes (``notebook``, the solution as
    read) and of every probe (with the grader's, TensorFlow's and Keras'
    versions, as every entry's).
    """
    from grader.editions.probes import payload
    from grader.judging import cache

    functions = sorted({probe.function for probe in edition.probes})
    probes = {name: payload(name, table=edition.probes) for name in functions}
    return cache.digest(KIND, notebook.digest, probes)


def kept(
    edition: Edition, notebook: Notebook
) -> dict[str, list[ProbeAnswer]] | None:
    """``edition``'s solution answers if this machine has them, else None."""
    from grader.judging import cache

    name = entry(edition, notebook)
    with _lock:
        if name in _kept:
            return _kept[name]
    stored = cache.load(name)
    if not isinstance(stored, dict):
        return None
    keys = _keys(edition)
    answers = {
        function: parse_answers(stored.get(function), keys[function])
        for function in keys
    }
    if any(len(answers[f]) != len(keys[f]) for f in keys):
        return None  # not what this grader stores: run it again
    with _lock:
        _kept[name] = answers
    return answers


def _keys(edition: Edition) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for probe in edition.probes:
        keys.setdefault(probe.function, set()).add(probe.key)
    return keys


def run(
    edition: Edition,
    notebook: Notebook,
    sandbox: Sandbox,
    started: Callable[[Submission], None] = lambda submission: None,
) -> dict[str, list[ProbeAnswer]]:
    """Run ``edition``'s solution in a kernel of ``sandbox``; keep its answers.

    ``notebook`` is the solution as read
    (``grader.notebooks.notebook.read_solution``).

    Answers that are not all models are returned but not kept: the grading
    that reads them says which is missing, and the next tries again.
    ``started`` is given the run as soon as its kernel is asked for (to stop
    it).
    """
    from grader.judging import cache

    answers = _answers(_kernel_run(notebook, sandbox, started))
    name = entry(edition, notebook)
    if all(a.status == AnswerStatus.OK for found in answers.values() for a in found):
        cache.store(
            name,
            {
                function: [_stored(answer) for answer in found]
                for function, found in answers.items()
            },
        )
        with _lock:
            _kept[name] = answers
    return answers


def _stored(answer: ProbeAnswer) -> dict[str, object]:
    """An answer as the kernel writes it (``grader.kernel.protocol.parse_answers``)."""
    return {key: value for key, value in asdict(answer).items() if value is not None}


def _kernel_run(
    notebook: Notebook, sandbox: Sandbox, started: Callable[[Submission], None]
) -> KernelRun:
    from grader.kernel.submission import start_submission

    submission = start_submission(
        dict(notebook.graded),
        sandbox=sandbox,
        imports=notebook.imports,
        fresh_names=True,
    )
    started(submission)
    try:
        return submission.result()
    except BaseException:
        submission.stop()
        raise


def _answers(kernel_run: KernelRun) -> dict[str, list[ProbeAnswer]]:
    return {function: list(found) for function, found in kernel_run.answers.items()}


class Solution:
    """One edition's solution answers for a grading: kept, or being computed.

    Made at the start of a grading: on a thread of its own, the answers are
    read where this machine keeps them, else the solution starts running in
    its own kernel at once, beside the student's.
    """

    def __init__(self, edition: Edition, sandbox: Sandbox, notebook: Notebook) -> None:
        self.edition = edition
        self.notebook = notebook
        self._answers: dict[str, list[ProbeAnswer]] | None = None
        self._failed: BaseException | None = None
        self._running: Submission | None = None
        self._stopped = False
        self._thread = threading.Thread(
            target=self._compute, args=(sandbox,), daemon=True
        )
        self._thread.start()

    def _compute(self, sandbox: Sandbox) -> None:
        try:
            self._answers = kept(self.edition, self.notebook)
            if self._answers is None and not self._stopped:
                self._answers = run(
                    self.edition, self.notebook, sandbox, self._started
                )
        except BaseException as exc:  # reported where an answer is asked for
            self._failed = exc

    def _started(self, submission: Submission) -> None:
        self._running = submission
        if self._stopped:
            submission.stop()

    def stop(self) -> None:
        """Stop the solution's run, if one is going, and wait for its end."""
        self._stopped = True
        if self._running is not None:
            self._running.stop()
        self._thread.join()

    def wait(self) -> None:
        """Wait until the answers are read or the solution's run has ended."""
        self._thread.join()

    def answer(self, function: str, key: str) -> str:
        """The solution's model configuration for one probe.

        Raises ``SolutionError`` (or what stopped its run) where it has none.
        """
        self.wait()
        if self._failed is not None:
            raise SolutionError(
                f"the {self.edition.name} edition's solution could not be run: "
                f"{self._failed}"
            ) from self._failed
        assert self._answers is not None
        found = [a for a in self._answers.get(function, []) if a.key == key]
        why = "no answer" if not found else _why(found[0])
        if found and found[0].status == AnswerStatus.OK and found[0].model:
            return found[0].model
        raise SolutionError(
            NOT_ANSWERED.format(
                edition=self.edition.name,
                path=self.edition.solution.name,
                function=function,
                key=key,
                why=why,
            )
        )


def _why(answer: ProbeAnswer) -> str:
    if answer.status == AnswerStatus.ERROR:
        return f"it raised {answer.error}: {answer.message}"
    return str(answer.status.value)
