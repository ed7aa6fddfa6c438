"""``grader release``: the hand-out holds no solution, and its checks run
without the grader, saying what the grader says."""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import sysconfig
import zipfile
from pathlib import Path

import h5py
import nbformat
import pytest
from conftest import ROOT, SOLUTION, STUDENT, edited_solution, printed_vector, seeded
from nbclient import NotebookClient

from grader.commands.cli import main
from grader.distribution.assign import student_notebook
from grader.distribution.release import release
from grader.editions.probes import PROBES
from grader.notebooks.read import END, START, code_regions, find_graded_cells

HANDOUT_FILES = [
    "README.md",
    "Residual_Networks.ipynb",
    "datasets/test_signs.h5",
    "datasets/train_signs.h5",
    "images/my_hand.png",
    "public_tests.py",
    "requirements.txt",
    "resnet_checks/__init__.py",
    "resnet_checks/distribution/__init__.py",
    "resnet_checks/distribution/public.py",
    "resnet_checks/distribution/submit.py",
    "resnet_checks/editions/__init__.py",
    "resnet_checks/editions/edition_2020.py",
    "resnet_checks/editions/model.py",
    "resnet_checks/editions/probes.py",
    "resnet_checks/errors.py",
    "resnet_checks/fixtures/__init__.py",
    "resnet_checks/fixtures/expected.json",
    "resnet_checks/fixtures/resnet50_layers.tsv",
    "resnet_checks/judging/__init__.py",
    "resnet_checks/judging/checks.py",
    "resnet_checks/judging/judge.py",
    "resnet_checks/judging/reference.py",
    "resnet_checks/kernel/__init__.py",
    "resnet_checks/kernel/kernel_side.py",
    "resnet_checks/kernel/protocol.py",
    "resnet_checks/models/__init__.py",
    "resnet_checks/models/graph.py",
    "resnet_checks/models/graph_read.py",
    "resnet_checks/models/graph_window.py",
    "resnet_checks/models/rebuild.py",
    "resnet_checks/notebooks/__init__.py",
    "resnet_checks/notebooks/read.py",
    "resnet_checks/references.json",
    "resnet_checks/reports/__init__.py",
    "resnet_checks/reports/render.py",
    "resnet_checks/reports/results.py",
    "resnets_utils.py",
]
TEST_CELLS = {
    "identity_block": ("identity-block", "identity-block-test"),
    "convolutional_block": ("convolutional-block", "convolutional-block-test"),
    "ResNet50": ("resnet50", "build-model"),
}
MISTAKES = (
    "identity-without-the-middle-batchnorm",
    "convolutional-shortcut-without-batchnorm",
    "resnet-stage-5-blocks-named-c-and-d",
)
NO_GRADER_CELL = (
    "import sys\n"
    "sys.modules['nbformat'] = None  # requirements.txt has no nbformat\n"
    "try:\n"
    "    import grader\n"
    "except ImportError as exc:\n"
    "    print('no grader:', type(exc).__name__)\n"
    "import public_tests, resnet_checks\n"
    "print(public_tests.__file__)\n"
    "print(resnet_checks.__file__)\n"
)


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "handout"
    assert release(out, solution=SOLUTION) == [out, out.parent / "handout.zip"]
    return out


def _files(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_release_writes_the_folder_and_its_zip(handout):
    assert _files(handout) == HANDOUT_FILES
    with zipfile.ZipFile(handout.parent / "handout.zip") as bundle:
        names = bundle.namelist()
        assert names == [f"handout/{name}" for name in HANDOUT_FILES]
        for name in HANDOUT_FILES:
            assert bundle.read(f"handout/{name}") == (handout / name).read_bytes()
    assert (handout / "requirements.txt").read_text() == (
        "tensorflow>=2.16\nnumpy\nh5py\npillow\n"
    )
    for name, key, count in (
        ("train_signs.h5", "train_set_x", 1080),
        ("test_signs.h5", "test_set_x", 120),
    ):
        with h5py.File(handout / "datasets" / name) as data:
            assert data[key].shape == (count, 64, 64, 3)
    readme = (handout / "README.md").read_text()
    for words in ("Colab", "!unzip -q handout.zip", "%cd handout", "hidden"):
        assert words in readme


def test_the_hand_out_is_what_the_solution_and_the_grader_make_now(handout):
    """Nothing in the hand-out is stale: the notebook is the solution stubbed
    (and the committed assignment/), the helpers and pictures are the
    course's, the checks' code is the grader's modules as they are, and the
    shipped reference models are the grader's reference, layer for layer."""
    from grader.distribution.handout_code import COPIED, rewrite
    from grader.judging import reference
    from grader.models import graph as graphs
    from grader.models import graph_read

    stubbed = student_notebook(nbformat.read(SOLUTION, as_version=4))
    shipped = nbformat.read(handout / "Residual_Networks.ipynb", as_version=4)
    assert shipped == stubbed == nbformat.read(STUDENT, as_version=4)
    for name in ("public_tests.py", "resnets_utils.py", "images/my_hand.png"):
        assert (handout / name).read_bytes() == (STUDENT.parent / name).read_bytes()
    for module in COPIED:
        text = (handout / "resnet_checks" / f"{module}.py").read_text()
        source = (ROOT / "grader" / f"{module}.py").read_text()
        assert text.endswith(rewrite(source)), module
    sys.path.insert(0, str(handout))
    try:
        from resnet_checks.judging import reference as shipped_reference
        from resnet_checks.models import rebuild as shipped_models
    finally:
        sys.path.remove(str(handout))
    shipped_file = handout / "resnet_checks" / "models" / "rebuild.py"
    assert shipped_models.__file__ == str(shipped_file)
    for probe in PROBES:
        if not probe.visible:
            continue
        call = (probe.function, probe.kwargs, probe.input_shape)
        ours, theirs = reference.build(*call), shipped_reference.build(*call)
        ours, theirs = graph_read.from_model(ours), graph_read.from_model(theirs)
        assert len(ours.layers) == len(theirs.layers)
        assert graphs.compare(theirs, ours, shapes=True, params=True) == []


@pytest.mark.fast
def test_the_visible_probes_pass_every_argument_the_hidden_ones_pass():
    """The hand-out's probes.py has the visible probes only, and
    ``signature_problem`` asks whether a ``def`` takes the probes' arguments:
    it says the same in the hand-out as in the grader while the visible
    probes name every argument the hidden ones do."""
    from grader.editions.probes import FUNCTIONS, probes_for

    for function in FUNCTIONS:
        names = [set(p.kwargs) for p in probes_for(function)]
        shown = [set(p.kwargs) for p in probes_for(function, visible_only=True)]
        assert set().union(*names) == set().union(*shown), function


def test_requirements_cover_every_import_of_the_hand_out(handout):
    """Every module the notebook's cells and the hand-out's Python files
    import is the standard library's, the hand-out's own, Jupyter's (IPython)
    or a distribution in requirements.txt, or one these depend on; but for
    nbformat, which only ``read_notebook`` imports, and the public checks never
    read a notebook file (the kernel test runs them with nbformat blocked)."""
    from importlib import metadata

    wanted = [
        line.split(">")[0].split("=")[0].strip()
        for line in (handout / "requirements.txt").read_text().splitlines()
    ]
    provided: set[str] = set()
    todo = list(wanted)
    while todo:  # the distributions and what they depend on, unconditionally
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in provided:
            continue
        provided.add(name)
        for line in metadata.requires(name) or []:
            if ";" not in line:
                todo.append(re.match(r"[A-Za-z0-9_.-]+", line).group(0))
    owners = metadata.packages_distributions()
    own = {"resnets_utils", "public_tests", "resnet_checks"}
    sources = [p.read_text() for p in handout.rglob("*.py")]
    nb = nbformat.read(handout / "Residual_Networks.ipynb", as_version=4)
    sources += [c.source for c in nb.cells if c.cell_type == "code"]
    for source in sources:
        tree = ast.parse(source)
        for node in ast.walk(tree):  # what only type checkers import is no need
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                node.body = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in own:
                    continue
                if top in ("IPython", "nbformat"):
                    continue
                distributions = {
                    re.sub(r"[-_.]+", "-", d).lower() for d in owners.get(top, [])
                }
                assert distributions & provided, (name, distributions)


def _scanned(handout: Path) -> dict[str, str]:
    """Every file of the hand-out and every member of its zip, as text; a
    notebook also as its cells' sources, one after the other."""
    blobs: dict[str, bytes] = {
        str(p): p.read_bytes() for p in handout.parent.rglob("*") if p.is_file()
    }
    for path in list(blobs):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as bundle:
                for name in bundle.namelist():
                    blobs[f"{path}:{name}"] = bundle.read(name)
    texts = {name: data.decode("utf-8", "replace") for name, data in blobs.items()}
    for name, data in blobs.items():
        if name.endswith(".ipynb"):
            cells = nbformat.reads(data.decode(), as_version=4).cells
            texts[name + " (cells)"] = "\n".join(c.source for c in cells)
    return texts


def _solution_lines() -> set[str]:
    """The solution's statement lines inside START/END of the graded cells,
    less any line the notebook also has outside them (given to students)."""
    nb = nbformat.read(SOLUTION, as_version=4)
    inside, outside = set(), set()
    for cell in nb.cells:
        lines = cell.source.splitlines()
        regions = code_regions(lines)
        for number, line in enumerate(lines):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            within = any(start < number < end for start, end in regions)
            (inside if within else outside).add(text)
    graded = "\n".join(c.source for c in find_graded_cells(nb).values())
    assert START in graded and END in graded
    return {line for line in inside - outside if line in graded}


def _reference_lines() -> set[str]:
    """Distinctive lines of grader/judging/reference.py: 20 characters or more, no
    import, no closing bracket alone, no bare opening line (``def
    convolutional_block(``, which every notebook's stub has too)."""
    lines = (ROOT / "grader" / "judging" / "reference.py").read_text().splitlines()
    return {
        line.strip()
        for line in lines
        if len(line.strip()) >= 20
        and not line.strip().startswith(("import ", "from "))
        and not line.rstrip().endswith("(")
    }


def _hidden_probe_texts(probes=PROBES) -> set[str]:
    """The hidden probes' arguments as Python, JSON or a call would show them."""
    texts = set()
    for probe in probes:
        if probe.visible:
            continue
        kwargs = probe.kwargs
        texts |= {repr(probe), repr(kwargs), json.dumps(kwargs)}
        texts.add(", ".join(f"{k}={v!r}" for k, v in kwargs.items()))
        texts.add(", ".join(f'"{k}": {json.dumps(v)}' for k, v in kwargs.items()))
        for value in (*kwargs.values(), probe.input_shape):
            if isinstance(value, list | tuple) and len(value) > 1:
                texts |= {repr(value), json.dumps(value), repr(tuple(value))}
                texts.add(", ".join(str(v) for v in value))
    return texts


def test_no_solution_in_the_hand_out(handout):
    """No line of the grader's reference model, no line of the solution's
    graded code and no hidden probe's arguments in any file of the hand-out or
    member of its zip.

    The scan looks for exact text, so it misses what is not written the same
    way: the solution reformatted (other spacing, names or line breaks),
    encoded (base64, a pickle, an archive other than zip, compressed HDF5),
    or lines shorter than the thresholds. It also cannot see what is allowed
    in on purpose: the reference's layer configurations for the notebook's
    example calls (resnet_checks/references.json) spell out the architecture
    of those calls, layer by layer, as the instructions do.
    """
    texts = _scanned(handout)
    assert len(texts) > 2 * len(HANDOUT_FILES)  # the folder and the zip's members
    forbidden = {
        "reference model": _reference_lines(),
        "solution": _solution_lines(),
        "hidden probe": _hidden_probe_texts(),
    }
    assert all(len(needles) >= 5 for needles in forbidden.values())
    found = [
        (what, needle, name)
        for what, needles in forbidden.items()
        for needle in needles
        for name, text in texts.items()
        if needle in text
    ]
    assert found == []
    leaked = [name for name in texts if re.search(r"solution|hidden\.py", name)]
    assert leaked == []


@pytest.mark.fast
def test_the_scan_finds_the_solution_where_it_is():
    """The scan's texts are written as the sources write them: it finds every
    solution line in the solution notebook, every reference line in
    grader/judging/reference.py, and each hidden probe in grader/editions/probes.py."""
    cells = "\n".join(c.source for c in nbformat.read(SOLUTION, as_version=4).cells)
    assert all(line in cells for line in _solution_lines())
    reference = (ROOT / "grader" / "judging" / "reference.py").read_text()
    assert all(line in reference for line in _reference_lines())
    probes = (ROOT / "grader" / "editions" / "probes.py").read_text()
    for probe in PROBES:
        if not probe.visible:
            texts = _hidden_probe_texts({probe})
            assert any(text in probes for text in texts), probe


def _kernel(tmp_path: Path, monkeypatch) -> str:
    """A kernel that cannot import the installed grader.

    The grader is installed in this virtual environment in editable mode: its
    ``.pth`` file runs a finder at start-up that maps ``grader``,
    ``resnets_utils`` and ``public_tests`` to the repository. The kernel runs
    this environment's Python with ``-S`` (no ``site``, so no ``.pth`` file
    runs) and the environment's site-packages on ``PYTHONPATH``: it sees the
    installed libraries, TensorFlow included, but not the grader, and the
    test's first cell shows ``import grader`` fail in it. What it does not
    prove is that requirements.txt alone is enough (this environment has more
    installed); ``test_requirements_cover_every_import_of_the_hand_out``
    covers that. Set ``HANDOUT_PYTHON`` to the Python of a virtual
    environment made from the hand-out's requirements.txt (plus ipykernel
    and nbclient) to run the kernel there instead: making one installs
    TensorFlow, minutes even from pip's cache.
    """
    python = os.environ.get("HANDOUT_PYTHON")
    if python:
        spec = {"argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    else:
        spec = {
            "argv": [
                sys.executable,
                "-S",
                "-m",
                "ipykernel_launcher",
                "-f",
                "{connection_file}",
            ],
            "env": {"PYTHONPATH": sysconfig.get_paths()["purelib"]},
        }
    spec.update(display_name="hand-out", language="python")
    folder = tmp_path / "jupyter" / "kernels" / "handout"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    return "handout"


def _stream(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _errors(cell) -> list[tuple[str, str]]:
    return [(o.ename, o.evalue) for o in cell.outputs if o.output_type == "error"]


def test_public_checks_run_without_the_grader_and_say_what_it_says(
    handout, tmp_path, monkeypatch, graded
):
    """The hand-out's notebook, in a kernel without the grader: with the
    solution's code each check passes and prints the seeds' vector; with a
    mistake it prints, line for line, what a `grader check` of the same code
    reports, and raises."""
    from corpus.wrong import WRONG

    from grader.reports.render import render_checks

    solution = nbformat.read(SOLUTION, as_version=4)
    by_id = {cell.get("id"): cell for cell in solution.cells}
    wrong = edited_solution(
        [edit for case in WRONG if case.name in MISTAKES for edit in case.edits]
    )
    wrong_by_id = {cell.get("id"): cell for cell in wrong.cells}
    path = tmp_path / "mistakes.ipynb"
    nbformat.write(wrong, path)
    report = graded("release-mistakes-checked", path, visible_only=True)

    nb = nbformat.read(handout / "Residual_Networks.ipynb", as_version=4)
    cells = [nbformat.v4.new_code_cell(NO_GRADER_CELL), by_id["imports"]]
    for defining, testing in TEST_CELLS.values():
        cells += [by_id[defining], by_id[testing]]
    for defining, testing in TEST_CELLS.values():
        cells += [wrong_by_id[defining], by_id[testing]]
    nb.cells = [nbformat.v4.new_code_cell(cell.source) for cell in cells]
    NotebookClient(
        nb,
        timeout=600,
        kernel_name=_kernel(tmp_path, monkeypatch),
        allow_errors=True,
        resources={"metadata": {"path": str(handout)}},
    ).execute()

    first = _stream(nb.cells[0]).splitlines()
    assert first == [
        "no grader: ModuleNotFoundError",
        str(handout / "public_tests.py"),
        str(handout / "resnet_checks" / "__init__.py"),
    ]
    assert _errors(nb.cells[1]) == []
    right = nb.cells[2:8]
    for index, function in enumerate(TEST_CELLS):
        cell = right[2 * index + 1]
        assert _errors(cell) == [], function
        text = _stream(cell)
        assert text.count("All tests passed.") == 1
        if function != "ResNet50":
            out = printed_vector(text, "out = ")
            assert abs(out - seeded(function)).max() <= 1e-5
    mistaken = nb.cells[8:]
    for index, function in enumerate(TEST_CELLS):
        cell = mistaken[2 * index + 1]
        lines = render_checks(report.for_function(function))
        assert _stream(cell).splitlines() == [function, *lines]
        failed = next(c for c in report.for_function(function) if not c.passed)
        assert _errors(cell) == [
            ("AssertionError", f"{failed.title}: {failed.message}")
        ]


def test_the_hand_out_notebook_as_it_is_scores_0(handout, graded):
    report = graded("release-stub", handout / "Residual_Networks.ipynb")
    assert report.max_score == 100
    assert report.score == 0


@pytest.mark.fast
def test_release_refuses_a_folder_in_use_and_missing_signs(tmp_path, capsys):
    used = tmp_path / "used"
    used.mkdir()
    (used / "old.txt").write_text("an earlier file")
    assert main(["release", str(used)]) == 2
    assert capsys.readouterr().err == (
        f"grader: error: {used}: already exists and is not empty; remove it or "
        "name another folder\n"
    )
    course = tmp_path / "course"
    course.mkdir()
    (course / "train_signs.h5").write_bytes(b"")
    out = tmp_path / "out"
    assert main(["release", str(out), "--signs", str(course)]) == 2
    assert capsys.readouterr().err == (
        f"grader: error: --signs {course}: no test_signs.h5 there (it should hold "
        "train_signs.h5 and test_signs.h5)\n"
    )
    assert main(["release", str(out), "--solution", str(tmp_path / "no.ipynb")]) == 2
    assert capsys.readouterr().err.startswith("grader: error: ")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "used"]


def test_release_ships_the_courses_own_signs(tmp_path, capsys):
    from grader.fixtures.make_signs import write_signs

    course = tmp_path / "course"
    write_signs(course, n_train=6, n_test=3, seed=5)
    out = tmp_path / "handout"
    command = ["release", str(out), "--signs", str(course), "--solution", str(SOLUTION)]
    assert main(command) == 0
    assert capsys.readouterr().out == f"wrote {out}\nwrote {out}.zip\n"
    for name in ("train_signs.h5", "test_signs.h5"):
        assert (out / "datasets" / name).read_bytes() == (course / name).read_bytes()
    assert nbformat.read(out / "Residual_Networks.ipynb", 4) == nbformat.read(
        STUDENT, 4
    )
    assert nbformat.read(STUDENT, 4) == student_notebook(nbformat.read(SOLUTION, 4))


@pytest.mark.fast
def test_copies_import_the_hand_outs_package_and_no_more_than_it_ships():
    from grader import GraderError
    from grader.distribution.handout_code import _check_imports, rewrite

    source = (
        '"""Uses grader.judging.judge, as ``grader check`` does."""\n'
        "from grader.models import graph\n"
        "from grader.judging.judge import Judge\n"
        'FOLDER = resources.files("grader.fixtures")\n'
    )
    assert rewrite(source) == (
        '"""Uses grader.judging.judge, as ``grader check`` does."""\n'
        "from resnet_checks.models import graph\n"
        "from resnet_checks.judging.judge import Judge\n"
        'FOLDER = resources.files("resnet_checks.fixtures")\n'
    )
    hidden = "def f():\n    from grader.judging import hidden\n"
    _check_imports("judging/checks", source + hidden)
    message = "grader/judging/checks.py imports grader.sandbox.choice"
    with pytest.raises(GraderError, match=message):
        _check_imports(
            "judging/checks", source + "from grader.sandbox.choice import Limits\n"
        )


def test_release_from_any_folder_makes_the_hand_out_of_the_graders_solution(
    tmp_path, monkeypatch, capsys
):
    """Tried as a new user would: ``grader release handout`` from a course
    folder, not from the grader's checkout."""
    monkeypatch.chdir(tmp_path)
    assert main(["release", "handout"]) == 0, capsys.readouterr().err
    shipped = nbformat.read(tmp_path / "handout" / "Residual_Networks.ipynb", 4)
    assert shipped == nbformat.read(STUDENT, as_version=4)
    assert (tmp_path / "handout.zip").is_file()
