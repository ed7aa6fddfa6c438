"""The hand-out: what students get, with no solution in it and no grader needed.

``release(out)`` writes the folder ``out`` and ``out.zip`` (the folder, zipped
under its own name)::

    Residual_Networks.ipynb   the student notebook, stubbed as ``grader assign`` does
    resnets_utils.py          the helpers the notebook imports
    public_tests.py           the public checks the notebook calls, and
                              submit() to a grading service (``grader serve``)
    resnet_checks/            their code: the grader's modules that the visible
                              checks need, copied now with their imports
                              rewritten, except two that are written anew:
                              probes.py keeps only the calls the notebook
                              shows, and reference.py rebuilds the reference
                              models of those calls from their Keras
                              configurations (references.json) instead of
                              building them (grader/judging/reference.py stays home)
    datasets/                 train_signs.h5 and test_signs.h5
    images/                   the sample picture
    requirements.txt          what the notebook needs
    README.md                 for students

Left out: the solution notebook, ``grader/judging/reference.py``, the hidden checks
(``grader/judging/hidden.py``) and the hidden probes' arguments. Nothing is copied
into the repository: the hand-out's code is made from the grader's own
modules each time, so it cannot fall behind them (``grader.distribution.handout_code``
writes ``resnet_checks/``).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from grader import errors
from grader.distribution.handout_code import PACKAGE, write_package
from grader.notebooks.read import read_notebook

if TYPE_CHECKING:
    import nbformat

    from grader.editions import Edition

DEFAULT_SOLUTION = (
    Path(__file__).resolve().parents[2] / "solutions" / "Residual_Networks.ipynb"
)
"""The solution notebook the hand-out is made from: the one in the grader's
own checkout, wherever the command runs (``--solution`` names another)."""
SIGNS_FILES = ("train_signs.h5", "test_signs.h5")
SIGNS_SIZES = {"n_train": 1080, "n_test": 120}
"""The synthetic set's size: the original SIGNS set's."""
NOTEBOOK_NEEDS = ("tensorflow", "numpy", "h5py", "pillow")
"""The distributions the notebook and its helpers import (pillow: ``load_img``)."""
CELL_NEEDS = {"matplotlib": "matplotlib"}
"""Modules only some editions' cells import, and their distributions."""

EXISTS = "{out}: already exists and is not empty; remove it or name another folder"
NO_SIGNS = "--signs {where}: no {name} there (it should hold {files})"


def release(
    out: str | Path,
    *,
    solution: str | Path | None = None,
    signs: str | Path | None = None,
    edition: str | None = None,
) -> list[Path]:
    """Write the hand-out folder ``out`` and ``out.zip``; return both paths.

    ``edition`` (``grader.editions``; default 2020) is the edition handed
    out: its solution notebook (unless ``solution`` names another), its
    visible probes, checks and expected values.

    ``signs`` is a folder with the course's own ``train_signs.h5`` and
    ``test_signs.h5``; without it a synthetic set of the same size is drawn.
    The folder is written next to ``out`` and moved into place when complete,
    so a failed release leaves nothing; an ``out`` that holds anything is
    refused, so no earlier file can ride along.
    """
    from grader.editions import DEFAULT, get

    chosen = get(edition or DEFAULT)
    solution = chosen.solution if solution is None else solution
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise errors.GraderError(EXISTS.format(out=out))
    signs = None if signs is None else Path(signs)
    if signs is not None:
        _check_signs(signs)
    read_notebook(solution)  # a missing or broken solution fails in one line
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp's 0700 would make the hand-out private
    try:
        _write(staging, out.name, Path(solution), signs, chosen)
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    archive = out.parent / f"{out.name}.zip"
    _zip(out, archive)
    return [out, archive]


def _check_signs(where: Path) -> None:
    for name in SIGNS_FILES:
        if not (where / name).is_file():
            raise errors.GraderError(
                NO_SIGNS.format(where=where, name=name, files=" and ".join(SIGNS_FILES))
            )


def _write(
    folder: Path, name: str, solution: Path, signs: Path | None, edition: Edition
) -> None:
    """Write the hand-out into ``folder``, which becomes the folder ``name``."""
    from grader.distribution.assign import assign
    from grader.judging.checks import table
    from grader.reports.render import render_points
    from grader.version import grader_version

    version = grader_version()
    assign(solution, folder)
    datasets = folder / "datasets"
    if signs is None:
        from grader.fixtures.make_signs import write_signs

        write_signs(datasets, **SIGNS_SIZES)
    else:
        datasets.mkdir()
        for file in SIGNS_FILES:
            shutil.copyfile(signs / file, datasets / file)
    write_package(folder / PACKAGE, version, edition)
    notebook = read_notebook(folder / solution.name)
    (folder / "requirements.txt").write_text(requirements(notebook), encoding="utf-8")
    readme = STUDENT_README.format(
        notebook=solution.name,
        folder=name,
        points=render_points(table(edition)),
        **_readme_parts(edition),
        version=version,
    )
    (folder / "README.md").write_text(readme, encoding="utf-8")


def _readme_parts(edition: Edition) -> dict[str, str]:
    """What the students' README says that depends on the edition's data."""
    if edition.layer_names:
        example = SEEDS_README
        later = SEEDS_GRADED_LATER
    else:
        example = (
            "- **seeded output**: what the notebook's examples print, compared\n"
            "  with the expected values as the course's tests compare them:\n"
            "  `identity_block` with `initializer=lambda seed=0: constant(value=1)`\n"
            "  (to within 1e-5), `convolutional_block` with its default\n"
            "  `glorot_uniform` as TensorFlow 2.7+ drew it\n"
            "  (`resnets_utils.StatelessGlorotUniform`; `np.allclose`'s defaults)."
        )
        training = " and both values of `training`" if edition.training else ""
        bn = (
            " and every BatchNormalization for getting `training`"
            if edition.training
            else ""
        )
        later = LATER_GRADED_LATER.format(training=training, bn=bn)
    return {"example": example, "graded_later": later}


def requirements(notebook: nbformat.NotebookNode) -> str:
    """``requirements.txt``: what the notebook needs, pinned as the grader pins it."""
    pins = {
        _distribution(line): line
        for line in metadata.requires("resnet-grader") or []
        if ";" not in line  # extras ("matplotlib; extra == 'jupyter'") are not pins
    }
    wanted = list(NOTEBOOK_NEEDS)
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    for module, distribution in CELL_NEEDS.items():
        if any(_imports(source, module) for source in sources):
            wanted.append(distribution)
    return "".join(f"{pins.get(name, name)}\n" for name in wanted)


def _distribution(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    return match.group(0).lower() if match else requirement


def _imports(source: str, module: str) -> bool:
    """Whether a cell's code imports ``module`` (magics and shell lines aside)."""
    pattern = rf"^\s*(?:import|from)\s+{re.escape(module)}\b"
    return re.search(pattern, source, re.MULTILINE) is not None


def _zip(folder: Path, archive: Path) -> None:
    """Zip ``folder`` under its own name, the same bytes for the same files."""
    partial = archive.with_name(archive.name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                name = f"{folder.name}/{path.relative_to(folder).as_posix()}"
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                bundle.writestr(info, path.read_bytes())
    partial.replace(archive)


SEEDS_README = """\
- **seeded output**: the vector the notebook prints, compared (to within
  1e-5) with the assignment's expected output. Every convolution's weights are
  set the way `glorot_uniform(seed=0)` sets them, whatever your code passed.
- **layer names**: every layer name the instructions ask for (`res2a_branch2a`,
  `bn_conv1`, `avg_pool`, `fc6`, ...)."""
"""The README's lines on the 2020 edition's example and names checks."""

SEEDS_GRADED_LATER = """\
Your notebook is graded by running the three functions again, with the same
checks and hidden ones: the functions are also called with other arguments
than the notebook's (other input shapes, filters, `f`, `s`, `stage` and
`block`; another `input_shape` and number of `classes` for `ResNet50`), their
outputs compared with the reference's in inference and in training mode, and
`ResNet50` takes a few training steps, in which the loss must fall. Nothing
hard-coded for the example survives those. Only the graded functions run:
training and your own picture do not count."""
LATER_GRADED_LATER = """\
Your notebook is graded by running the three functions again, with the same
checks and hidden ones: the functions are also called with other arguments
than the notebook's (other input shapes, filters, `f`, `s`, another
`initializer`{training}; another `input_shape` and number of `classes` for
`ResNet50`), their outputs compared with the reference's in inference and in
training mode, every convolution checked for using `initializer`{bn}, and
`ResNet50` takes a few training steps, in which the loss must fall. Nothing
hard-coded for the example survives those. Only the graded functions run:
training and your own picture do not count."""
"""The README's paragraph on the hidden checks, for each kind of edition."""

STUDENT_README = """# Residual Networks: ResNet-50 in Keras

In this assignment you build ResNet-50 from its two blocks. Open
`{notebook}` and fill in the three functions marked `# GRADED FUNCTION:`
(`identity_block`, `convolutional_block`, `ResNet50`), writing your code
between `### START CODE HERE ###` and `### END CODE HERE ###`.

## Getting started

Keep the files of this folder together: the notebook finds its helpers
(`resnets_utils.py`, `public_tests.py`, `resnet_checks/`), the data
(`datasets/`) and the sample picture (`images/`) in its own folder.

- **Jupyter, on your own machine**: in a virtual environment with Python 3.10
  or later, `pip install -r requirements.txt jupyter`, then `jupyter lab` (or
  `jupyter notebook`) in this folder and open the notebook.
- **Google Colab**: open the notebook (File > Upload notebook), upload
  `{folder}.zip` in the Files panel on the left, and run, in a new cell at the
  top, `!unzip -q {folder}.zip` and then `%cd {folder}`. Colab already has
  everything in `requirements.txt`.

## The checks under each function

The cell under each graded function runs its public checks, on the calls the
notebook itself shows. They are the grader's own checks with the grader's own
messages, and print one line per check:

{example}
- **layers and settings**: your layers compared, one by one, with the
  reference's: kinds, connections, kernel sizes, strides, padding, filters,
  the batch normalization axis, pooling, units and activations. The message
  names the first place where they part.
- **parameter counts**, **softmax output** and **layer table** (`ResNet50`):
  23,600,006 parameters, probabilities as output, and every layer's type,
  output shape and parameter count as in the assignment's `model.summary()`.

A check that fails prints the reason under its name and stops the cell with
an `AssertionError`; when all pass, the cell prints `All tests passed.`.

## What is graded later

{graded_later}

## Submitting to your course's grading service

Where your course runs a grading service, your instructor gives you its
address and a token of your own. Save the notebook, then run in a new cell:

```python
from public_tests import submit
submit(server="https://...", token="...")
```

It sends the saved notebook, waits for the grade and prints the score and the
address of the feedback page (sign in there with the same token); anything
that goes wrong is said in one line. The token is yours alone, and a token
written in a cell is saved in the notebook: to keep it out, start Jupyter
with the environment variables set (`GRADER_SERVER=https://...
GRADER_TOKEN=... jupyter lab`) and call `submit()` alone. The service's own
page takes the file as well.

{points}

Written by `grader release` ({version}).
"""
