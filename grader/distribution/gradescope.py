"""Gradescope: the autograder bundle, and what it runs for each submission.

``build_bundle`` writes the zip an instructor uploads. Gradescope unpacks it
into ``/autograder/source``, runs ``setup.sh`` once to build the image, and
runs ``run_autograder`` for every submission, which calls
``grade_gradescope_submission`` (``grader gradescope run``): it finds the
notebook under ``/autograder/submission``, grades it and writes
``/autograder/results/results.json``. ``AUTOGRADER_ROOT`` moves
``/autograder`` elsewhere, for tests and for trying the bundle locally.
A bundle built with a points file (``--points``) carries it as
``points.toml``, and ``run_autograder`` grades with it.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import CONTACT_STAFF, CheckError, GraderError, NotebookError
from grader.notebooks.discover import notebooks_in
from grader.sandbox.cgroup import Group, memory_limit_mb, own_group

if TYPE_CHECKING:
    from grader.reports.points import Policy

SOURCE = "grader-src"
#: The points file in the bundle, beside ``run_autograder``, where one was given.
POINTS_FILE = "points.toml"
EDITIONS_FOLDER = "editions"
"""The instructor's own editions in a bundle (``--editions``), one folder each."""
EDITION_FILE = "edition.txt"
"""The edition a bundle grades, where the instructor chose one."""
ASSIGNMENT_NOTEBOOK = "Residual_Networks.ipynb"
#: The container memory a grading needs, as the container's memory cgroup
#: counts it (``grader.sandbox.cgroup``; ``bench/bench.py`` measures it). With the
#: reference's training run kept (``setup.sh`` computes it), the solution's
#: grading peaked at 607 MB and completed with 640 MB allowed; a model that is
#: not the reference's is trained, which peaked at 749 to 769 MB (1 GB is
#: the size to choose), and a grading killed for memory still says so.
MEMORY_NEEDED_MB = 640
#: What a grading that trains its model needs: it completed with 832 MB
#: allowed and was killed with 768 MB. The advice names the next setting.
MEMORY_TRAINING_MB = 832
TOO_LITTLE_MEMORY = (
    "not graded: this autograder's container has {limit:.0f} MB of memory and "
    "grading a notebook needs about {needed} MB, so it would be killed without "
    "a word. Your work is safe. Instructors: raise the memory to {advice} or more "
    "in the assignment's Autograder Settings on Gradescope, then regrade all "
    "submissions."
)
KILLED_FOR_MEMORY = (
    "not graded: the grading ran out of memory ({limit}) and the system stopped "
    "it before it could finish. Your work is safe; this is not a mistake in "
    "your notebook. Instructors: raise the memory to {advice} or more in the "
    "assignment's Autograder Settings on Gradescope, then regrade this "
    "submission."
)
DIED = (
    "not graded: the autograder stopped before it wrote any results (exit "
    "status {status}). Your work is safe. Instructors: the autograder's log "
    "on Gradescope says why; regrade this submission once it is fixed."
)
#: Gradescope's memory settings are in steps; the advice names the next one.
MEMORY_STEPS_MB = (768, 1024, 1536, 2048, 3072, 4096, 6144)
#: What the bundle carries of this project, relative to its root.
PROJECT_FILES = (
    "pyproject.toml",
    "README.md",
    "grader/*.py",
    # The concepts' folders (docs/contributing.md), each a package.
    "grader/*/*.py",
    # The service is part of the package (pyproject.toml lists it), so the
    # install needs it, though a Gradescope run never serves.
    "grader/service/status.js",
    "grader/service/migrations/*.py",
    "grader/service/migrations/script.py.mako",
    "grader/service/migrations/versions/*.py",
    "grader/py.typed",
    "grader/reports/templates/*.html.j2",
    "fixtures/*.py",
    "fixtures/*.json",
    "fixtures/*.tsv",
    "solutions/*.py",
    "solutions/*.ipynb",
    "solutions/*/*.ipynb",
    "solutions/*.toml",
    "solutions/*/*.toml",
    "assignment/resnets_utils.py",
    "assignment/public_tests.py",
)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
# It installs the grader, from the copy of its source in this bundle, into a
# virtual environment of its own.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="$ROOT/venv"

# A virtual environment, with pip in it.
make_venv() {
    rm -rf "$VENV" &&
        python3 -m venv "$VENV" &&
        "$VENV/bin/python" -m pip --version > /dev/null
}

# A venv gets its pip from ensurepip, which Debian and Ubuntu package apart
# from python3: there `python3 -m venv --help` works but making a venv fails.
# So try to make one, and install python3-venv only where that fails.
if ! make_venv; then
    echo "setup.sh: no venv with pip from python3; installing python3-venv" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q python3-venv python3-pip
    make_venv
fi

"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q "$ROOT/source/grader-src"

# The reference (each edition's solution, run through its probes) and its
# short training run, computed once here and kept, so that each
# submission's container starts with them (and needs less memory).
if [ -d "$ROOT/source/editions" ]; then
    export GRADER_EDITIONS="$ROOT/source/editions"
fi
GRADER_CACHE_DIR="$ROOT/cache" TF_CPP_MIN_LOG_LEVEL=3 \
    "$VENV/bin/python" -I -m grader cache warm
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade the notebook found under
# $ROOT/submission and write $ROOT/results/results.json.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
# GRADER_PYTHON: a Python with the grader installed, instead of setup.sh's.
PYTHON="${GRADER_PYTHON:-$ROOT/venv/bin/python}"
export TF_CPP_MIN_LOG_LEVEL=3
# What setup.sh computed once: the reference's training run.
export GRADER_CACHE_DIR="${GRADER_CACHE_DIR:-$ROOT/cache}"
# The points file and the edition the bundle was built with, if any.
POINTS=()
if [ -f "$ROOT/source/points.toml" ]; then
    POINTS=(--points "$ROOT/source/points.toml")
fi
if [ -d "$ROOT/source/editions" ]; then
    POINTS+=(--editions "$ROOT/source/editions")
fi
if [ -f "$ROOT/source/edition.txt" ]; then
    POINTS+=(--edition "$(cat "$ROOT/source/edition.txt")")
fi
# -I (isolated): neither the current directory nor PYTHONPATH goes on
# sys.path, so a folder named grader where this runs cannot stand in for the
# installed package.
# The OOM killer's count so far, to tell a kill during this grading.
KILLS=$("$PYTHON" -I -c \
    'from grader.sandbox.cgroup import oom_kills; print(oom_kills())' \
    2> /dev/null || echo 0)
status=0
"$PYTHON" -I -m grader gradescope run --root "$ROOT" ${POINTS[@]+"${POINTS[@]}"} \
    || status=$?
# A grading killed from outside (the container's OOM killer sends SIGKILL)
# writes nothing: say why in results.json, so that the student never gets
# silence. This step imports no TensorFlow and needs a few MB.
if [ ! -s "$ROOT/results/results.json" ]; then
    # It exits 0 where the student's 0 with its reason is the answer (killed
    # by a signal, or memory ran out), and with the grading's own status
    # where the grader failed (exit 2: a broken points file, no sandbox), so
    # that the autograder fails, for the instructor to see.
    explained=0
    "$PYTHON" -I -m grader gradescope explain --root "$ROOT" --status "$status" \
        --kills-before "$KILLS" || explained=$?
    status=$explained
fi
exit "$status"
"""


def project_root() -> Path:
    """The folder of this grader's source (where ``pyproject.toml`` is)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file() or not (root / "fixtures").is_dir():
        raise GraderError(
            "the bundle is built from the grader's source: run this command from "
            "a clone of the repository, installed with pip install -e ."
        )
    return root


def build_bundle(
    target: Path, *, points: Path | None = None, edition: str | None = None
) -> list[str]:
    """Write Gradescope's autograder zip to ``target``; return its entries.

    ``points``, a points file (checked already: ``grader.reports.points.load_policy``),
    goes in as ``points.toml``, which ``run_autograder`` grades with.
    ``edition`` goes in as ``edition.txt``: the bundle then grades that
    edition only (any other gets 0 and says so); without it, any edition.
    The instructor's editions in use (``--editions``) go in as ``editions/``.
    """
    root = project_root()
    files = sorted({path for pattern in PROJECT_FILES for path in root.glob(pattern)})
    entries = []
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, text in (
                ("setup.sh", SETUP_SH),
                ("run_autograder", RUN_AUTOGRADER),
            ):
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, text)
                entries.append(name)
            for path in files:
                name = f"{SOURCE}/{path.relative_to(root).as_posix()}"
                bundle.write(path, name)
                entries.append(name)
            if points is not None:
                bundle.write(points, POINTS_FILE)
                entries.append(POINTS_FILE)
            if edition is not None:
                bundle.writestr(EDITION_FILE, edition + "\n")
                entries.append(EDITION_FILE)
            for path, name in _instructor_editions():
                bundle.write(path, name)
                entries.append(name)
    except OSError as exc:
        raise GraderError(f"{target}: cannot write the bundle ({exc})") from None
    return entries


def _instructor_editions() -> list[tuple[Path, str]]:
    """The files of the instructor's editions in use, as the bundle names them.

    Each edition's folder goes in as ``editions/NAME/``: its data file, its
    solution and its published files.
    """
    from grader.editions import EDITIONS, data_digest

    data_digest()  # the editions read
    files = []
    for edition in EDITIONS.values():
        if not edition.digest:
            continue
        folder = edition.solution.parent
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in (".toml", ".ipynb", ".json", ".tsv"):
                files.append((path, f"{EDITIONS_FOLDER}/{edition.name}/{path.name}"))
    return files


def find_notebook(submission: Path) -> tuple[Path | None, list[str]]:
    """The notebook to grade in a Gradescope submission folder, and notes.

    ``Residual_Networks.ipynb`` wins where there are several notebooks;
    otherwise the first by name, with a note naming the others.
    """
    notebooks = sorted(notebooks_in(submission))
    if not notebooks:
        return None, []
    named = [path for path in notebooks if path.name == ASSIGNMENT_NOTEBOOK]
    chosen = (named or notebooks)[0]
    others = [p.relative_to(submission).as_posix() for p in notebooks if p != chosen]
    notes = (
        [
            f"graded {chosen.relative_to(submission).as_posix()}; also submitted, "
            f"not graded: {', '.join(others)}"
        ]
        if others
        else []
    )
    return chosen, notes


def memory_advice(needed_mb: float = MEMORY_TRAINING_MB) -> str:
    """The smallest of Gradescope's memory settings of at least ``needed_mb``."""
    size = next((step for step in MEMORY_STEPS_MB if step >= needed_mb), needed_mb)
    return f"{size / 1024:g} GB" if size >= 1024 else f"{size:.0f} MB"


def _memory_mb() -> float | None:
    """The container's memory: ``GRADER_MEMORY_MB`` where set, else its cgroup's.

    The variable is the instructor's way round a limit read wrongly: a number
    of MB, or ``unlimited`` to grade whatever the limit.
    """
    setting = os.environ.get("GRADER_MEMORY_MB", "").strip()
    if setting == "unlimited":
        return None
    try:
        return float(setting) if setting else memory_limit_mb()
    except ValueError:
        raise GraderError(
            f"GRADER_MEMORY_MB={setting!r}: say a number of MB, or unlimited"
        ) from None


def explain_missing_results(
    root: Path, status: int, *, kills_before: int = 0
) -> tuple[dict[str, Any], int]:
    """Write the results of a grading that ended without writing its own.

    ``status`` is what the grading exited with (137: killed by SIGKILL).
    Where this process's memory cgroup saw its OOM killer strike since
    ``kills_before`` (its count before the grading started), the results
    say that memory ran out and how much to give the container; otherwise
    they give the exit status. Returns them with the status ``run_autograder``
    should exit with: 0 where the student's 0 with its reason is the answer
    (memory, or a signal), the grading's own where the grader failed, so that
    the instructor sees a failed autograder. Imports nothing heavy: it runs
    where memory has just run out.
    """
    from grader.reports.render import gradescope_not_graded

    group = own_group()
    if group is not None and group.oom_kills() > kills_before:
        message, exit_status = _killed_for_memory(group), 0
    else:
        message = DIED.format(status=status)
        exit_status = 0 if status >= 128 or status < 0 else status
    results = gradescope_not_graded(message)
    _write_results(root / "results" / "results.json", results)
    return results, exit_status


def _killed_for_memory(group: Group) -> str:
    limit = group.limit_bytes()
    shown = f"{limit / 2**20:.0f} MB" if limit else "its limit"
    return KILLED_FOR_MEMORY.format(limit=shown, advice=memory_advice())


def _write_results(path: Path, results: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise GraderError(f"{path}: cannot write ({exc})") from None


def grade_gradescope_submission(
    root: Path,
    *,
    points: Policy | None = None,
    memory_mb: float | None = None,
    edition: str | None = None,
) -> tuple[dict[str, Any], str]:
    """Grade the submission under ``root`` as Gradescope lays it out.

    Scores follow ``points`` (default: the checks table's own); with
    ``edition`` a notebook of another edition scores 0 and says so.
    ``memory_mb`` is the container's memory (default: ``GRADER_MEMORY_MB``
    or the limit of this process's memory cgroup, ``grader.sandbox.cgroup``); under
    ``MEMORY_NEEDED_MB`` nothing is graded and the results say why, for the
    instructor to raise it.

    Writes ``root/results/results.json`` and returns it with the text report.
    A folder without a notebook, or a file that is not one, gets a score of 0
    and a message the student can act on; a check the grader could not run
    (``CheckError``), one that tells the student to contact the staff, for
    the submission to be regraded once the grader is fixed. Raises
    ``GraderError`` only where the grader itself cannot run (no kernel, no
    sandbox), so that Gradescope shows the instructor a failed autograder
    instead of a wrong 0.
    """
    from grader.reports.render import gradescope_not_graded

    submission = root / "submission"
    results_path = root / "results" / "results.json"
    notebook, notes = find_notebook(submission)
    if memory_mb is None:
        memory_mb = _memory_mb()
    if memory_mb is not None and memory_mb < MEMORY_NEEDED_MB:
        message = TOO_LITTLE_MEMORY.format(
            limit=memory_mb, needed=MEMORY_NEEDED_MB, advice=memory_advice()
        )
        results, text = gradescope_not_graded(message), message
    elif notebook is None:
        message = (
            "no .ipynb file in the submission: upload your "
            f"{ASSIGNMENT_NOTEBOOK} (File > Download in Jupyter)"
        )
        results, text = gradescope_not_graded(message), message
    else:
        results, text = _graded(notebook, submission, points, edition, notes)
    _write_results(results_path, results)
    return results, text


def _graded(
    notebook: Path,
    submission: Path,
    points: Policy | None,
    edition: str | None,
    notes: list[str],
) -> tuple[dict[str, Any], str]:
    """Grade ``notebook``: Gradescope's results (``notes`` first) and the text.

    A grading the container's memory cut short says so; a notebook that is
    not one, why; a check the grader could not run, to contact the staff.
    """
    from grader.grading import grade
    from grader.reports.render import gradescope_not_graded, render_text, to_gradescope

    # The container's OOM killer may take the kernel instead of this
    # process: a grading it cut short says so, not what the kernel's
    # death made of each function (nor "the kernel would not start").
    group = own_group()
    kills = group.oom_kills() if group is not None else 0

    def ran_out() -> bool:
        return group is not None and group.oom_kills() > kills

    try:
        report = grade(notebook, only=edition)
    except NotebookError as exc:
        message = str(exc).replace(str(submission) + os.sep, "")
        return gradescope_not_graded(message), message
    except GraderError as exc:
        if group is not None and ran_out():
            message = _killed_for_memory(group)
            return gradescope_not_graded(message), message
        if not isinstance(exc, CheckError):
            raise
        # The grader's own fault: the student is told to ask the staff, the
        # autograder's log (the text) says what failed.
        return gradescope_not_graded(CONTACT_STAFF), f"{CONTACT_STAFF}\n{exc}"
    if group is not None and ran_out():
        message = _killed_for_memory(group)
        return gradescope_not_graded(message), message
    if points is not None and points.settings:
        from grader.editions import get
        from grader.judging.checks import table
        from grader.reports.points import rescore

        report = rescore(report, points.apply(table(get(report.edition))))
    results = to_gradescope(report)
    if notes:
        results["output"] = "\n".join([*notes, results["output"]])
    return results, render_text(report)
