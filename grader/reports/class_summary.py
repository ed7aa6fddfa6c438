"""The class at a glance: counts, scores, pass rates and common mistakes.

``ClassSummary`` is computed from a batch's results and nothing else, so the
report drawn from it (``grader.reports.html``) is the same whether a batch has
just finished or ``grader report`` reads the stored results again. Every
figure is derived from the results when asked for; none is stored.

Mistakes are grouped by their message once the parts that vary from one
student to the next are normalised (``normalise``, a table of rules): the
stage and block in a layer's name (``res3a_branch2a`` and ``res4a_branch2a``
are one mistake: a stride hard-coded in every convolutional block), Keras'
generated names, printed vectors, numbers and the student's own code. A
check whose message only points at another check of the same function that
failed too ("fix what 'layers and settings' reports first") is a consequence,
not a mistake of its own, and is left out.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from grader.reports.results import ERROR, GRADED, INVALID, CheckResult, SubmissionResult

#: Rules that make two students' messages for one mistake the same text, in
#: the order they apply: each a pattern and what replaces it.
NORMALISE: tuple[tuple[re.Pattern[str], str], ...] = (
    # The student's own line of code, quoted in an exception's message.
    (re.compile(r"`[^`]*`"), "`…`"),
    # A printed vector: [0.09024893 1.2349315  0.4683735 ...].
    (re.compile(r"\[\s*-?\d[^\]]*\s[^\]]*\]"), "[…]"),
    # Stage and block of a name the assignment asks for: res3a_, bn4f_.
    (re.compile(r"\b(res|bn)\d+[a-z]_(?=branch)"), r"\1*_"),
    # A name Keras generates: activation_12, conv2d_3, add.
    (re.compile(r"\b([a-z][a-z0-9]*(?:_[a-z][a-z0-9]*)*)_\d+\b"), r"\1_#"),
    # Any other number standing alone: strides (2, 2), line 32, 23,600,006.
    (
        re.compile(
            r"(?<![\w.#])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e-?\d+)?(?!\w)"
        ),
        "#",
    ),
)


#: How a message names the check whose failure explains it.
FOLLOWS = re.compile(r"fix what '([^']+)' reports first")


def normalise(message: str) -> str:
    """A failed check's message with what varies between students replaced.

    ``res3a_branch2a: strides (1, 1), expected (2, 2)`` becomes
    ``res*_branch2a: strides (#, #), expected (#, #)``.
    """
    for pattern, replacement in NORMALISE:
        message = pattern.sub(replacement, message)
    return message


@dataclass(frozen=True)
class CheckRate:
    """One check over the class: how many were graded on it, how many passed."""

    function: str
    name: str
    max_points: float
    visible: bool
    points: tuple[float, ...]
    #: The edition whose submissions these are (``grader.editions``): a
    #: class folder may hold several, each with its own checks.
    edition: str = "2020"

    @property
    def title(self) -> str:
        """``function: check``, as the gradebook's column is headed."""
        return f"{self.function}: {self.name}"

    @property
    def graded(self) -> int:
        """Submissions graded on this check."""
        return len(self.points)

    @property
    def passed(self) -> int:
        """Submissions that earned all of this check's points."""
        return sum(p >= self.max_points for p in self.points)

    @property
    def rate(self) -> float:
        """The share that passed, 0 to 1 (0 where none was graded)."""
        return self.passed / self.graded if self.graded else 0.0

    @property
    def mean(self) -> float:
        """The mean points earned on this check."""
        return statistics.fmean(self.points) if self.points else 0.0


@dataclass(frozen=True)
class Mistake:
    """One mistake of several students: a failed check's normalised message.

    ``examples`` are the students' own messages in the order of
    ``students``, which are sorted and each listed once.
    """

    function: str
    pattern: str
    checks: tuple[str, ...]
    students: tuple[str, ...]
    examples: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many students made it."""
        return len(self.students)


@dataclass(frozen=True)
class ClassSummary:
    """A batch's results, sorted by student, and what they add up to."""

    results: tuple[SubmissionResult, ...]

    @classmethod
    def of(cls, results: Iterable[SubmissionResult]) -> ClassSummary:
        """The summary of ``results``, in any order (it sorts them by student)."""
        return cls(tuple(sorted(results, key=lambda r: r.student)))

    @property
    def graded(self) -> tuple[SubmissionResult, ...]:
        """The results that hold a report."""
        return tuple(r for r in self.results if r.report is not None)

    def count(self, status: str) -> int:
        """Submissions with ``status`` (``graded``, ``invalid`` or ``error``)."""
        return sum(r.status == status for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        """Submissions per status, every status listed."""
        return {status: self.count(status) for status in (GRADED, INVALID, ERROR)}

    @property
    def scores(self) -> list[float]:
        """The graded submissions' scores, in student order."""
        return [r.score for r in self.graded]

    @property
    def max_score(self) -> float:
        """The points available (the most any report offers)."""
        return max((r.report.max_score for r in self.graded if r.report), default=0.0)

    @property
    def mean(self) -> float | None:
        """The graded submissions' mean score; None where none was graded."""
        return statistics.fmean(self.scores) if self.scores else None

    @property
    def median(self) -> float | None:
        """The graded submissions' median score; None where none was graded."""
        return statistics.median(self.scores) if self.scores else None

    @property
    def seconds(self) -> float:
        """Grading time summed over the submissions (one at a time, that is)."""
        return sum(r.seconds for r in self.results)

    @property
    def longest(self) -> float:
        """The longest grading of one submission, in seconds."""
        return max((r.seconds for r in self.results), default=0.0)

    @property
    def functions(self) -> list[str]:
        """The graded functions, in the order the reports list them."""
        names: dict[str, None] = {}
        for result in self.graded:
            assert result.report is not None
            names.update(dict.fromkeys(c.function for c in result.report.checks))
        return list(names)

    def histogram(self, bins: int = 10) -> list[tuple[float, float, int]]:
        """Scores in ``bins`` equal ranges: ``(low, high, count)`` each.

        A range holds the scores from ``low`` up to but not including
        ``high``; the last one holds full marks too.
        """
        top = self.max_score or 1.0
        width = top / bins
        counts = [0] * bins
        for score in self.scores:
            counts[min(int(score // width), bins - 1)] += 1
        return [(i * width, (i + 1) * width, n) for i, n in enumerate(counts)]

    def pass_rates(self) -> list[CheckRate]:
        """Each check over the graded submissions, in the reports' order.

        Per edition: the same check of two editions is two rates.
        """
        seen: dict[tuple[str, str, str], list[CheckResult]] = {}
        for result in self.graded:
            assert result.report is not None  # graded ones have one
            edition = result.report.edition
            for check in result.report.checks:
                key = (edition, check.function, check.name)
                seen.setdefault(key, []).append(check)
        return [
            CheckRate(
                function=checks[0].function,
                name=checks[0].name,
                max_points=checks[0].max_points,
                visible=checks[0].visible,
                points=tuple(c.points for c in checks),
                edition=edition,
            )
            for (edition, _, _), checks in seen.items()
        ]

    @property
    def editions(self) -> list[str]:
        """The editions of the graded submissions, each once, as first met."""
        return list(
            dict.fromkeys(r.report.edition for r in self.graded if r.report is not None)
        )

    def mistakes(self) -> list[Mistake]:
        """Failed checks grouped by function and normalised message.

        The most common first; ties in the order of the functions, then of
        the messages. A student counts once per mistake, however many of
        their checks report it.
        """
        groups: dict[tuple[str, str], dict[str, tuple[list[str], str]]] = {}
        for result in self.graded:
            assert result.report is not None
            failed = {
                (c.function, c.name) for c in result.report.checks if not c.passed
            }
            for check in result.report.checks:
                if check.passed or _follows(check, failed):
                    continue
                key = (check.function, normalise(check.message))
                students = groups.setdefault(key, {})
                names, example = students.setdefault(result.student, ([], ""))
                names.append(check.name)
                students[result.student] = (names, example or check.message)
        order = {function: i for i, function in enumerate(self.functions)}
        mistakes = [
            Mistake(
                function=function,
                pattern=pattern,
                checks=tuple(
                    dict.fromkeys(n for names, _ in students.values() for n in names)
                ),
                students=tuple(students),
                examples=tuple(example for _, example in students.values()),
            )
            for (function, pattern), students in groups.items()
        ]
        return sorted(mistakes, key=lambda m: (-m.count, order[m.function], m.pattern))


def _follows(check: CheckResult, failed: set[tuple[str, str]]) -> bool:
    """Whether ``check`` failed only because another of its function's did."""
    cause = FOLLOWS.search(check.message)
    return cause is not None and (check.function, cause.group(1)) in failed


def _checks(results: Sequence[SubmissionResult]) -> Iterable[CheckResult]:
    for result in results:
        if result.report is not None:
            yield from result.report.checks
