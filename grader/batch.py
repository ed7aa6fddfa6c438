"""Grading many submissions, each in its own process, with every result kept.

A result is reused while neither the notebook nor the grader changes.

Each submission is graded by a child process (``python -m grader.batch``)
that runs ``grade`` and writes the report as JSON, so a grader crash, a
kernel that will not die or a notebook that brings TensorFlow down costs that
one submission only. The children run on this machine (``jobs`` at a time) or
on the workers of a Dask cluster (``scheduler``); either way the same
function grades the same bytes.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.report import FAILED, GRADED, INVALID, GradeReport, SubmissionResult
from grader.sandbox import Limits
from grader.tempdirs import temporary_folder

#: Seconds a child may take beyond the submission's own limit: kernel start,
#: the assignment's imports and the checks that run in the grading process.
OVERHEAD_SECONDS = 300
STDERR_TAIL = 2000
SKIPPED_FOLDERS = {".ipynb_checkpoints", "__pycache__", "__MACOSX"}


@dataclass(frozen=True)
class Submission:
    """A notebook to grade and the student it belongs to."""

    student: str
    path: Path


@dataclass(frozen=True)
class Options:
    """Everything besides the notebook that a grading depends on."""

    functions: tuple[str, ...] | None = None
    visible_only: bool = False
    limits: Limits = field(default_factory=Limits)
    require_sandbox: bool = False
    no_sandbox: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-ready data."""
        data = asdict(self)
        data["functions"] = list(self.functions) if self.functions else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Options:
        """Options from ``to_dict``'s data."""
        functions = data.get("functions")
        return cls(
            functions=tuple(functions) if functions else None,
            visible_only=bool(data.get("visible_only", False)),
            limits=Limits(**data.get("limits", {})),
            require_sandbox=bool(data.get("require_sandbox", False)),
            no_sandbox=bool(data.get("no_sandbox", False)),
        )

    def key(self) -> str:
        """A short digest: results graded under other options are not reused."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class Tally:
    """How a batch stands: handed to the progress callback after each result.

    ``done`` counts graded submissions, ``failed`` those that could not be
    graded (not a notebook of this assignment, or grading failed).
    """

    total: int
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    failed: int = 0
    reused: int = 0

    @property
    def remaining(self) -> int:
        """Submissions not finished yet."""
        return self.total - self.done - self.failed

    @property
    def elapsed(self) -> float:
        """Seconds since the batch started."""
        return time.monotonic() - self.started

    def add(self, result: SubmissionResult) -> None:
        """Count one finished submission."""
        if result.status != GRADED:
            self.failed += 1
        else:
            self.done += 1
        self.reused += result.reused


class Interrupted(GraderError):
    """The batch was stopped (Ctrl-C); ``results`` holds what had finished."""

    def __init__(self, results: list[SubmissionResult]) -> None:
        super().__init__("interrupted")
        self.results = results


# --- finding submissions -----------------------------------------------------


def find_submissions(paths: Sequence[str | Path]) -> list[Submission]:
    """The notebooks named by ``paths``, each with its student id.

    A path may be a notebook, a folder (searched recursively for ``*.ipynb``,
    skipping ``.ipynb_checkpoints`` and hidden folders) or a glob pattern
    (``'subs/*/*.ipynb'``, quoted so the shell leaves it alone; ids are then
    taken below the pattern's folder, here ``subs``). Student ids:

    - a notebook named directly, or lying directly in a named folder: its file
      name without ``.ipynb`` (``s1042.ipynb`` is ``s1042``);
    - a notebook inside a subfolder of a named folder: that subfolder's name
      (``subs/s1042/Residual_Networks.ipynb`` is ``s1042``), the layout of
      Gradescope's and most LMS exports;
    - when two notebooks would share an id, each takes its path below the
      named folder instead (``s1042/Residual_Networks``, ``s1042/copy``).

    Raises ``GraderError`` for a path that does not exist, a pattern that
    matches nothing or a folder without notebooks.
    """
    found: list[tuple[str, Path, Path]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            notebooks = sorted(_notebooks_in(path))
            if not notebooks:
                raise GraderError(f"{path}: no .ipynb files in this folder")
            for notebook in notebooks:
                relative = notebook.relative_to(path)
                found.append((_id_for(relative), notebook, relative))
        elif path.exists() or path.is_symlink():
            found.append((path.stem, path, Path(path.name)))
        elif glob.has_magic(str(raw)):
            matches = sorted(Path(p) for p in glob.glob(str(raw), recursive=True))
            matches = [p for p in matches if p.is_file()]
            if not matches:
                raise GraderError(f"{raw}: the pattern matches no file")
            base = _static_prefix(str(raw))
            for match in matches:
                relative = _relative_to(match, base)
                found.append((_id_for(relative), match, relative))
        else:
            raise GraderError(f"{path}: no such file or folder")
    return _unique(found)


def _notebooks_in(folder: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [
            d for d in dirs if d not in SKIPPED_FOLDERS and not d.startswith(".")
        ]
        for name in files:
            if name.endswith(".ipynb") and not name.startswith("."):
                yield Path(root) / name


def _static_prefix(pattern: str) -> Path:
    """The folder a glob pattern starts from: its parts before the first wildcard."""
    parts = []
    for part in Path(pattern).parts[:-1]:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _relative_to(path: Path, base: Path) -> Path:
    try:
        return path.relative_to(base)
    except ValueError:
        return Path(path.name)


def _id_for(relative: Path) -> str:
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _unique(found: list[tuple[str, Path, Path]]) -> list[Submission]:
    seen: dict[Path, None] = {}
    counts: dict[str, int] = {}
    kept = []
    for student, path, relative in found:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen[resolved] = None
        kept.append((student, path, relative))
        counts[student] = counts.get(student, 0) + 1
    submissions = []
    for student, path, relative in kept:
        if counts[student] > 1:
            student = relative.with_suffix("").as_posix()
        submissions.append(Submission(student, path))
    ids = [s.student for s in submissions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise GraderError(
            "two submissions would share the id "
            f"{duplicates[0]!r}; pass their folders separately or rename one"
        )
    return submissions


def file_name(student: str) -> str:
    """A student id made safe as a file name (``s1042/copy`` -> ``s1042--copy``)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", student.replace("/", "--")).strip("._")
    return name or "submission"


# --- versions ----------------------------------------------------------------


@cache
def grader_version() -> str:
    """The grader's version and a digest of its code and expected values.

    The digest changes with any edit to the checks or fixtures, so results
    graded by another grader are never reused, whatever the version number.
    """
    try:
        version = metadata.version("resnet-grader")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256()
    for package in ("grader", "grader.fixtures"):
        root = resources.files(package)
        for item in sorted(root.iterdir(), key=lambda item: item.name):
            if item.is_file() and item.name.endswith((".py", ".json", ".tsv")):
                digest.update(item.name.encode())
                digest.update(item.read_bytes())
    return f"{version}+{digest.hexdigest()[:12]}"


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


# --- grading one submission in a child process ---------------------------------


class _Children:
    """The child processes running now, so that Ctrl-C can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self.stopping = False

    def add(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._running.add(process)
            stopping = self.stopping
        if stopping:
            _kill(process)

    def remove(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._running.discard(process)

    def stop_all(self) -> None:
        with self._lock:
            self.stopping = True
            running = list(self._running)
        for process in running:
            _kill(process)


def _kill(process: subprocess.Popen) -> None:
    # Each child leads its own process group: its kernel launcher goes too.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass


def grade_file(
    path: Path, options: Options, *, children: _Children | None = None
) -> dict[str, Any]:
    """Grade one notebook in a child process.

    Returns ``status``, ``message``, ``report`` (``GradeReport.to_dict``) and
    ``seconds``.

    Never raises for anything the notebook does; a child that crashes or runs
    past the submission's limit plus ``OVERHEAD_SECONDS`` is an ``error``.
    """
    started = time.monotonic()
    outcome = _grade_in_child(path, options, children)
    outcome["seconds"] = round(time.monotonic() - started, 3)
    return outcome


def _grade_in_child(
    path: Path, options: Options, children: _Children | None
) -> dict[str, Any]:
    limit = options.limits.submission_seconds + OVERHEAD_SECONDS
    with temporary_folder("grader-batch-") as tmp:
        answer = tmp / "result.json"
        stderr_path = tmp / "stderr.txt"
        # Everything the child makes lives here, so that it goes with this
        # folder however the child ends (killed, crashed, timed out).
        child_tmp = tmp / "tmp"
        child_tmp.mkdir()
        command = [
            sys.executable,
            "-m",
            "grader.batch",
            str(path),
            str(answer),
            json.dumps(options.to_dict()),
        ]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TMPDIR": str(child_tmp)}
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=env,
                start_new_session=True,
            )
        if children is not None:
            children.add(process)
        try:
            process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.wait()
            return _failure(f"grading ran past {limit:g} s and was stopped")
        finally:
            if children is not None:
                children.remove(process)
        _kill(process)  # anything the child left behind
        if children is not None and children.stopping:
            return _failure("interrupted")
        try:
            data = json.loads(answer.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            tail = _tail(stderr_path)
            return _failure(
                f"the grader crashed (exit status {process.returncode})"
                + (f": {tail}" if tail else "")
            )
    return data


def _failure(message: str) -> dict[str, Any]:
    return {"status": FAILED, "message": message, "report": None}


def _tail(path: Path) -> str:
    try:
        text = path.read_bytes()[-STDERR_TAIL:].decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def grade_bytes(
    name: str, data: bytes, options: dict[str, Any], shown: str
) -> dict[str, Any]:
    """``grade_file`` on a notebook sent as bytes: what a Dask worker runs.

    Messages name the notebook as ``shown`` (its path where it was sent
    from), not as the worker's temporary copy.
    """
    with temporary_folder("grader-remote-") as tmp:
        path = tmp / f"{file_name(name)}.ipynb"
        path.write_bytes(data)
        outcome = grade_file(path, Options.from_dict(options))
    outcome["message"] = outcome.get("message", "").replace(str(path), shown)
    return outcome


def _child(notebook: str, answer: str, options_json: str) -> int:
    """The child process: grade one notebook and write the outcome as JSON."""
    from grader.errors import NotebookError
    from grader.grade import grade
    from grader.sandbox import choose

    options = Options.from_dict(json.loads(options_json))
    try:
        sandbox = choose(
            require=options.require_sandbox,
            disable=options.no_sandbox,
            limits=options.limits,
        )
        report = grade(
            notebook,
            functions=options.functions,
            visible_only=options.visible_only,
            sandbox=sandbox,
        )
        outcome = {"status": GRADED, "message": "", "report": report.to_dict()}
    except NotebookError as exc:
        outcome = {"status": INVALID, "message": str(exc), "report": None}
    except GraderError as exc:
        outcome = {"status": FAILED, "message": str(exc), "report": None}
    partial = Path(answer + ".partial")
    partial.write_text(json.dumps(outcome), encoding="utf-8")
    partial.replace(answer)
    return 0


# --- the batch -----------------------------------------------------------------


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

    def save(self, result: SubmissionResult) -> None:
        """Write a result whole or not at all."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(result.student)
        partial = target.with_suffix(".partial")
        partial.write_text(json.dumps(result.to_dict(), indent=1), encoding="utf-8")
        partial.replace(target)


def _reusable(stored: SubmissionResult | None, sha256: str, options: Options) -> bool:
    # Only verdicts on the notebook itself are kept: an error (a crash, a
    # kernel that would not start, a time-out of the whole grading) is tried
    # again on the next run.
    return (
        stored is not None
        and stored.status in (GRADED, INVALID)
        and stored.sha256 == sha256
        and stored.grader == grader_version()
        and stored.options == options.key()
    )


def _result(
    submission: Submission,
    sha256: str,
    options: Options,
    outcome: dict[str, Any],
) -> SubmissionResult:
    report = outcome.get("report")
    if report is not None:
        report = {**report, "notebook": str(submission.path)}
    return SubmissionResult(
        student=submission.student,
        notebook=str(submission.path),
        sha256=sha256,
        status=outcome.get("status", FAILED),
        message=outcome.get("message", ""),
        report=GradeReport.from_dict(report) if report else None,
        seconds=float(outcome.get("seconds", 0.0)),
        grader=grader_version(),
        options=options.key(),
    )


def grade_batch(
    submissions: Sequence[Submission],
    out: Path,
    options: Options,
    *,
    jobs: int = 1,
    force: bool = False,
    scheduler: str | None = None,
    progress: Callable[[SubmissionResult, Tally], None] | None = None,
) -> list[SubmissionResult]:
    """Grade every submission, keeping each result in ``OUT/results/``.

    A submission whose notebook, grader and options are unchanged since its
    stored result is not graded again (unless ``force``). ``jobs`` children
    grade at once on this machine; with ``scheduler`` (a Dask scheduler's
    address) the cluster's workers grade instead. Results come back in the
    order of ``submissions``. Ctrl-C stops the children and raises
    ``Interrupted`` with the results that had finished, all of them stored.
    """
    store = Store(out)
    tally = Tally(total=len(submissions))
    results: dict[int, SubmissionResult] = {}
    todo: list[tuple[int, Submission, str]] = []

    def finish(index: int, result: SubmissionResult) -> None:
        if not result.reused:
            store.save(result)
        results[index] = result
        tally.add(result)
        if progress is not None:
            progress(result, tally)

    for index, submission in enumerate(submissions):
        sha256 = content_hash(submission.path)
        stored = store.load(submission.student)
        if not force and _reusable(stored, sha256, options):
            finish(index, stored)
        else:
            todo.append((index, submission, sha256))

    try:
        if scheduler:
            _run_on_cluster(todo, options, finish, scheduler)
        else:
            _run_here(todo, options, finish, jobs)
    except KeyboardInterrupt:
        raise Interrupted([results[i] for i in sorted(results)]) from None
    return [results[i] for i in sorted(results)]


def write_outputs(out: Path, results: Sequence[SubmissionResult]) -> list[Path]:
    """Write the gradebook, feedback, Gradescope and JUnit files; return them."""
    from grader.render import (
        render_feedback,
        render_gradebook,
        render_junit,
        result_to_gradescope,
    )

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)

    write(out / "gradebook.csv", render_gradebook(results))
    for result in results:
        name = file_name(result.student)
        write(out / "feedback" / f"{name}.md", render_feedback(result))
        gradescope = json.dumps(result_to_gradescope(result), indent=2) + "\n"
        write(out / "gradescope" / name / "results.json", gradescope)
    write(out / "junit.xml", render_junit(results))
    return [
        out / "gradebook.csv",
        out / "feedback",
        out / "gradescope",
        out / "junit.xml",
    ]


Finish = Callable[[int, SubmissionResult], None]


def _run_here(
    todo: list[tuple[int, Submission, str]], options: Options, finish: Finish, jobs: int
) -> None:
    children = _Children()

    def one(submission: Submission, sha256: str) -> SubmissionResult:
        outcome = grade_file(submission.path, options, children=children)
        return _result(submission, sha256, options, outcome)

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    pending: dict[Future, int] = {
        pool.submit(one, submission, sha256): index
        for index, submission, sha256 in todo
    }
    try:
        while pending:
            # A short wait, so that Ctrl-C reaches this thread promptly.
            finished, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(pending.pop(future), future.result())
    except BaseException:
        children.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_on_cluster(
    todo: list[tuple[int, Submission, str]],
    options: Options,
    finish: Finish,
    scheduler: str,
) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise GraderError(
            "--scheduler needs Dask's distributed package: "
            "pip install 'resnet-grader[dask]'"
        ) from None
    try:
        client = Client(scheduler, timeout="15s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise GraderError(
            f"{scheduler}: cannot reach the Dask scheduler ({exc})"
        ) from None
    with client:
        futures = {}
        for index, submission, sha256 in todo:
            data = submission.path.read_bytes()
            future = client.submit(
                grade_bytes,
                submission.student,
                data,
                options.to_dict(),
                str(submission.path),
                pure=False,
                key=f"grade-{file_name(submission.student)}-{index}",
            )
            futures[future] = (index, submission, sha256)
        try:
            for future in as_completed(futures):
                index, submission, sha256 = futures[future]
                try:
                    outcome = future.result()
                except Exception as exc:  # a worker died or the task failed
                    outcome = _failure(f"the Dask task failed: {exc}")
                finish(index, _result(submission, sha256, options, outcome))
        except BaseException:
            client.cancel(list(futures))
            raise


if __name__ == "__main__":
    raise SystemExit(_child(*sys.argv[1:4]))
