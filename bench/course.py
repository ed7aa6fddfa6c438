"""A course folder for the bench: twelve submissions with known mistakes.

``write_course(folder)`` lays out, one per student folder, the solution, the
stub, wrong answers of each graded function taken from the test corpus
(``tests/corpus/wrong.py``), an endless loop in ``identity_block``, a block
that raises and a notebook cut short. They are graded with every check, so
the gradebook they give covers each check's pass, fail and partial credit.

Run as a script, it writes the folder and grades it into ``OUT``, which is
how ``bench/gradebook-before.csv`` was made, on the code before issue 15::

    .venv/bin/python bench/course.py OUT
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.notebooks.read import find_graded_cells  # noqa: E402
from tests.corpus.wrong import WRONG  # noqa: E402

SOLUTION = ROOT / "solutions" / "Residual_Networks.ipynb"
STUDENT = ROOT / "assignment" / "Residual_Networks.ipynb"
BEFORE = Path(__file__).with_name("gradebook-before.csv")
#: Where the folder was when BEFORE was made.
BEFORE_SUBMISSIONS = Path("/tmp/w/before/submissions")
BODY = "    ### START CODE HERE ###\n"
CORPUS = (
    "identity-batchnorm-on-wrong-axis",
    "identity-without-final-relu",
    "identity-name-off-by-one-letter",
    "convolutional-s-ignored",
    "convolutional-shortcut-without-batchnorm",
    "resnet-classes-hard-coded",
    "resnet-stage-4-missing-a-block",
    "resnet-pool-name-off-by-one-letter",
)
#: Columns that may differ between two gradings of the same folder.
VARYING = ("seconds",)


def _edited(edits: list[tuple[str, str, str]]) -> nbformat.NotebookNode:
    nb: nbformat.NotebookNode = nbformat.read(SOLUTION, as_version=4)
    cells = find_graded_cells(nb)
    for function, old, new in edits:
        cell = nb.cells[cells[function].index]
        if cell.source.count(old) != 1:
            raise SystemExit(f"edit does not apply once: {old!r}")
        cell.source = cell.source.replace(old, new)
    return nb


def write_course(folder: Path) -> Path:
    """Write the twelve submissions under ``folder/submissions``; return it."""
    root = folder / "submissions"
    name = "Residual_Networks.ipynb"
    wrong = {case.name: case for case in WRONG}
    notebooks: dict[str, nbformat.NotebookNode | str] = {
        "correct": nbformat.read(SOLUTION, as_version=4),
        "stub": nbformat.read(STUDENT, as_version=4),
        "loops": _edited(
            [("identity_block", BODY, BODY + "    while True:\n        pass\n")]
        ),
        "raises": _edited(
            [("convolutional_block", BODY, BODY + "    raise RuntimeError('oops')\n")]
        ),
        "truncated": SOLUTION.read_text(encoding="utf-8")[:5000],
    }
    for case in CORPUS:
        notebooks[case] = _edited(list(wrong[case].edits))
    for student, content in notebooks.items():
        path = root / student / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            nbformat.write(content, path)
    return root


def gradebook(path: Path, submissions: Path) -> dict[str, dict[str, str]]:
    """A gradebook's rows by student, without the columns in ``VARYING``.

    Paths below ``submissions`` (in ``notebook`` and messages) are written
    relative to it, so that two gradings of copies of the folder compare.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            row["student"]: {
                key: value.replace(str(submissions) + "/", "")
                for key, value in row.items()
                if key not in VARYING
            }
            for row in csv.DictReader(handle)
        }


def grade_course(folder: Path, jobs: int = 2) -> Path:
    """Write the course folder and grade it with ``-j jobs``; return OUT.

    The submissions are in ``folder/submissions``.
    """
    submissions = write_course(folder)
    out = folder / "out"
    subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(submissions)]
        + ["-j", str(jobs), "--out", str(out)],
        check=False,
        capture_output=True,
    )
    if not (out / "gradebook.csv").exists():
        raise SystemExit(f"{out}: the batch wrote no gradebook")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: bench/course.py OUT")
    out = grade_course(Path(sys.argv[1]))
    print(out / "gradebook.csv")
