"""The hand-out: what students get, with no solution in it and no grader needed.

``release(out)`` writes the folder ``out`` and ``out.zip`` (the folder, zipped
under its own name)::

    Residual_Networks.ipynb   the student notebook, stubbed as ``grader assign`` does
    resnets_utils.py          the helpers the notebook imports
    public_tests.py           the public checks the notebook calls
    resnet_checks/            their code: the grader's modules that the visible
                              checks need, copied now with their imports
                              rewritten, except two that are written anew:
                              probes.py keeps only the calls the notebook
                              shows, and reference.py rebuilds the reference
                              models of those calls from their Keras
                              configurations (references.json) instead of
                              building them (grader/reference.py stays home)
    datasets/                 train_signs.h5 and test_signs.h5
    images/                   the sample picture
    requirements.txt          what the notebook needs
    README.md                 for students

Left out: the solution notebook, ``grader/reference.py``, the hidden checks
(``grader/hidden.py``) and the hidden probes' arguments. Nothing is copied
into the repository: the hand-out's code is made from the grader's own
modules each time, so it cannot fall behind them.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import tempfile
import zipfile
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader import errors
from grader.notebook import read_notebook

if TYPE_CHECKING:
    import nbformat

    from grader.editions import Edition

DEFAULT_SOLUTION = (
    Path(__file__).resolve().parent.parent / "solutions" / "Residual_Networks.ipynb"
)
"""The solution notebook the hand-out is made from: the one in the grader's
own checkout, wherever the command runs (``--solution`` names another)."""
SIGNS_FILES = ("train_signs.h5", "test_signs.h5")
SIGNS_SIZES = {"n_train": 1080, "n_test": 120}
"""The synthetic set's size: the original SIGNS set's."""
PACKAGE = "resnet_checks"
"""The hand-out's copy of the checks' code, beside the notebook."""
COPIED = (
    "checks",
    "errors",
    "graph",
    "graph_read",
    "graph_window",
    "judge",
    "kernel_side",
    "models",
    "notebook",
    "protocol",
    "public",
    "render",
    "report",
)
"""Grader modules copied as they are, but for their imports."""
WRITTEN = ("probes", "reference")
"""Grader modules the hand-out gets a version of its own of (see the docstring)."""
EDITION_MODULES = ("__init__", "edition_2020")
"""The modules of ``grader/editions/`` the hand-out ships (its edition's)."""
LEFT_OUT = ("hidden",)
"""Grader modules that copied ones import only where a hidden check runs."""
FIXTURES = ("expected.json", "resnet50_layers.tsv")
NOTEBOOK_NEEDS = ("tensorflow", "numpy", "h5py", "pillow")
"""The distributions the notebook and its helpers import (pillow: ``load_img``)."""
CELL_NEEDS = {"matplotlib": "matplotlib"}
"""Modules only some editions' cells import, and their distributions."""

EXISTS = "{out}: already exists and is not empty; remove it or name another folder"
NO_SIGNS = "--signs {where}: no {name} there (it should hold {files})"
NOT_SHIPPED = (
    "grader/{module}.py imports grader.{name}, which the hand-out does not ship: "
    "add it to COPIED in grader/release.py, or import it where only hidden "
    "checks run"
)
HEADER = (
    "# Written by `grader release` ({version}) from the grader's {source}.\n"
    "# Do not edit: the next release writes it again.\n"
)
IMPORT = re.compile(r"^(\s*(?:from|import)\s+)grader\b", re.MULTILINE)
MODULE_NAME = re.compile(r"""(["'])grader((?:\.\w+)+)\1""")


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
    from grader.assign import assign
    from grader.batch.version import grader_version
    from grader.checks import table
    from grader.render import render_points

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


def write_package(target: Path, version: str, edition: Edition | None = None) -> None:
    """Write the checks' code, ``resnet_checks/``, into ``target``.

    ``edition`` (default 2020) is the one handed out: the package holds its
    visible probes (``probes.py``), its module in ``editions/`` (written
    anew for a later edition, without its hidden probes) and its fixtures.
    """
    from grader.editions import DEFAULT, get

    edition = edition or get(DEFAULT)
    source = resources.files("grader")
    target.mkdir()
    (target / "__init__.py").write_text(
        HEADER.format(version=version, source="modules")
        + '"""The code of the notebook\'s public checks, taken from the grader."""\n',
        encoding="utf-8",
    )
    for module in COPIED:
        text = source.joinpath(f"{module}.py").read_text(encoding="utf-8")
        _check_imports(module, text)
        header = HEADER.format(version=version, source=f"grader/{module}.py")
        if module == "public" and edition.name != DEFAULT:
            # The 2020 edition is the public checks' own (None): copied as is.
            text = released_edition(text, edition)
        (target / f"{module}.py").write_text(header + rewrite(text), encoding="utf-8")
    probes_text = source.joinpath("probes.py").read_text(encoding="utf-8")
    header = HEADER.format(
        version=version,
        source="grader/probes.py, keeping only the calls the notebook shows",
    )
    (target / "probes.py").write_text(
        header + rewrite(visible_probes(probes_text, edition)), encoding="utf-8"
    )
    header = HEADER.format(version=version, source="reference models")
    (target / "reference.py").write_text(header + REFERENCE_MODULE, encoding="utf-8")
    (target / "references.json").write_text(
        json.dumps(reference_configs(edition)), encoding="utf-8"
    )
    # The editions' package, with the 2020 edition's module only: the others
    # hold hidden probes.
    editions = target / "editions"
    editions.mkdir()
    for module in EDITION_MODULES:
        text = (
            source.joinpath("editions")
            .joinpath(f"{module}.py")
            .read_text(encoding="utf-8")
        )
        header = HEADER.format(version=version, source=f"grader/editions/{module}.py")
        (editions / f"{module}.py").write_text(header + rewrite(text), encoding="utf-8")
    if edition.name != DEFAULT:
        module, text = edition_module(edition)
        header = HEADER.format(version=version, source=f"the {edition.name} edition")
        (editions / f"{module}.py").write_text(header + text, encoding="utf-8")
    fixtures = target / "fixtures"
    fixtures.mkdir()
    (fixtures / "__init__.py").write_text(
        '"""The assignment\'s expected values."""\n', encoding="utf-8"
    )
    for name in dict.fromkeys((*FIXTURES, edition.expected, edition.layer_table)):
        data = resources.files("grader.fixtures").joinpath(name).read_bytes()
        (fixtures / name).write_bytes(data)


def rewrite(text: str) -> str:
    """``text`` with its imports of ``grader`` made imports of the hand-out's copy.

    Only import statements and strings that are a module name
    (``"grader.fixtures"``) change; prose that names the grader stays.
    """
    text = IMPORT.sub(lambda m: m.group(1) + PACKAGE, text)
    return MODULE_NAME.sub(
        lambda m: f"{m.group(1)}{PACKAGE}{m.group(2)}{m.group(1)}", text
    )


def _grader_imports(tree: ast.AST) -> set[str]:
    """The ``grader`` modules a module imports, outside ``if TYPE_CHECKING:``."""
    found: set[str] = set()

    def walk(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "grader":
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("grader."):
                found.add(node.module.removeprefix("grader.").split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("grader."):
                    found.add(alias.name.removeprefix("grader.").split(".")[0])
        for child in ast.iter_child_nodes(node):
            walk(child)

    walk(tree)
    return found


def _check_imports(module: str, text: str) -> None:
    """Refuse to release a module that needs a grader module the hand-out lacks."""
    shipped = {*COPIED, *WRITTEN, *LEFT_OUT, "fixtures", "editions"}
    missing = sorted(_grader_imports(ast.parse(text)) - shipped)
    if missing:
        raise errors.GraderError(NOT_SHIPPED.format(module=module, name=missing[0]))


def visible_probes(text: str, edition: Edition | None = None) -> str:
    """``grader/probes.py``'s text with ``PROBES`` cut down to the visible probes.

    They are ``edition``'s (default: the 2020 edition's, the module's own).
    """
    from grader.probes import PROBES

    probes = PROBES if edition is None else edition.probes

    tree = ast.parse(text)
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "PROBES" for t in n.targets)
    )
    lines = text.splitlines(keepends=True)
    kept = "".join(f"    {probe!r},\n" for probe in probes if probe.visible)
    replacement = f"PROBES = (\n{kept})\n"
    end = node.end_lineno or node.lineno
    return "".join([*lines[: node.lineno - 1], replacement, *lines[end:]])


def _config_key(
    function: str, kwargs: object, input_shape: object, options: object
) -> str:
    shape = None if input_shape is None else list(input_shape)  # type: ignore[call-overload]
    return json.dumps([function, kwargs, shape, options], sort_keys=True)


def reference_configs(edition: Edition | None = None) -> dict[str, object]:
    """The reference model of each visible probe, as its Keras configuration.

    For an edition without layer names, also the named twin of each that
    the judge builds to say where a layer sits (``Judge._position_labels``).
    """
    from grader import reference
    from grader.probes import PROBES

    probes = PROBES if edition is None else edition.probes
    calls: list[tuple[str, dict[str, Any], tuple[int, ...] | None, dict[str, Any]]] = []
    for probe in probes:
        if not probe.visible:
            continue
        if edition is None or edition.layer_names:
            calls.append((probe.function, probe.kwargs, probe.input_shape, {}))
            continue
        unnamed = {"layer_names": False}
        calls.append((probe.function, probe.kwargs, probe.input_shape, unnamed))
        twin = probe.kwargs
        if probe.input_shape is not None:  # as Judge._position_labels builds it
            twin = {**probe.kwargs, "stage": 1, "block": "a"}
        calls.append((probe.function, twin, probe.input_shape, {}))
    configs = {}
    for function, kwargs, input_shape, options in calls:
        model = reference.build(function, kwargs, input_shape, **options)
        key = _config_key(function, kwargs, input_shape, options)
        configs[key] = json.loads(model.to_json())
    return configs


def edition_module(edition: Edition) -> tuple[str, str]:
    """A later edition's module for the hand-out: its name and text.

    The edition as data, with the hand-out's visible probes in place of its
    own (which hold hidden ones) and its solution's file name only.
    """
    import importlib

    from grader.editions import MODULES

    module = next(
        m
        for m in MODULES
        if importlib.import_module(f"grader.editions.{m}").EDITION.name == edition.name
    )
    fields = {
        "name": repr(edition.name),
        "description": repr(edition.description),
        "signatures": repr(dict(edition.signatures)),
        "marks": repr(edition.marks),
        "excludes": repr(edition.excludes),
        "probes": "PROBES",
        "checks": "(\n"
        + "".join(f"        {row!r},\n" for row in edition.checks)
        + "    )",
        "expected": repr(edition.expected),
        "layer_table": repr(edition.layer_table),
        "layer_names": repr(edition.layer_names),
        "training": repr(edition.training),
        "initializer": repr(edition.initializer),
        "solution": f"Path({edition.solution.name!r})",
    }
    lines = "".join(f"    {key}={value},\n" for key, value in fields.items())
    text = (
        f'"""The {edition.name} edition, as the hand-out knows it."""\n\n'
        "from pathlib import Path\n\n"
        f"from {PACKAGE}.editions import CheckRow, Edition\n"
        f"from {PACKAGE}.probes import PROBES\n\n"
        f"EDITION = Edition(\n{lines})\n"
    )
    return module, text


def released_edition(text: str, edition: Edition) -> str:
    """``grader/public.py``'s text with ``EDITION`` naming the released one."""
    line = "EDITION: str | None = None\n"
    if line not in text:
        raise errors.GraderError("grader/public.py has no `EDITION = None` line")
    return text.replace(line, f"EDITION: str | None = {edition.name!r}\n", 1)


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


REFERENCE_MODULE = '''"""The reference models of the calls the notebook shows.

The grader builds these itself; the hand-out carries their Keras
configurations instead (references.json, written by `grader release`), from
which they are rebuilt with Keras' built-in layers only. Checks compare your
model's layers with them, and only for the notebook's own example calls.
"""

import json
from functools import cache
from importlib import resources

from resnet_checks import models


@cache
def _configs():
    folder = resources.files("resnet_checks")
    return json.loads(folder.joinpath("references.json").read_text(encoding="utf-8"))


def build(function, kwargs, input_shape, **options):
    """Rebuild the reference model of one of the notebook's example calls."""
    shape = None if input_shape is None else list(input_shape)
    key = json.dumps([function, kwargs, shape, options], sort_keys=True)
    return models.rebuild(json.dumps(_configs()[key]))
'''

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

{points}

Written by `grader release` ({version}).
"""
