"""The result store: one JSON file per student under ``OUT/results/``.

Also the one way the batch writes a file: whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from grader.batch.options import Options
from grader.files import write_atomically
from grader.notebooks.discover import file_name
from grader.reports.results import GRADED, INVALID, SubmissionResult
from grader.version import grader_version


def content_hash(path: Path) -> str:
    """The SHA-256 of a file's bytes, or ``""`` when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


class Store:
    """Results kept under ``OUT/results/``, one JSON file per student."""

    def __init__(self, out: Path) -> None:
        self.folder = out / "results"

    def path(self, student: str) -> Path:
        """Where a student's result lives."""
        return self.folder / f"{file_name(student)}.json"

    def load(self, student: str) -> SubmissionResult | None:
        """The stored result, or None when there is none or it is unreadable."""
        try:
            data = json.loads(self.path(student).read_text(encoding="utf-8"))
            return SubmissionResult.from_dict(data, reused=True)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def stored(self) -> tuple[list[SubmissionResult], list[Path]]:
        """Every stored result, by file name, and the files that would not read."""
        results, unreadable = [], []
        for path in sorted(self.folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                results.append(SubmissionResult.from_dict(data, reused=True))
            except (OSError, ValueError, KeyError, TypeError):
                unreadable.append(path)
        return results, unreadable

    def save(self, result: SubmissionResult) -> None:
        """Write a result whole or not at all."""
        write_atomically(
            self.path(result.student), json.dumps(result.to_dict(), indent=1)
        )

    def reusable(
        self, student: str, sha256: str, options: Options
    ) -> SubmissionResult | None:
        """The stored result if it still holds for this notebook, else None.

        It holds while the notebook's bytes, the grader and the options are
        those it was graded with. Only verdicts on the notebook itself are
        kept: an error (a crash, a kernel that would not start, a time-out of
        the whole grading) is tried again on the next run.
        """
        stored = self.load(student)
        if (
            stored is not None
            and stored.status in (GRADED, INVALID)
            and stored.sha256 == sha256
            and stored.grader == grader_version()
            and stored.options == options.key()
        ):
            return stored
        return None
