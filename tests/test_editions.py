# ruff: noqa: E501  (the tables hold whole def lines, as notebooks write them)
"""The assignment's editions: told from the blocks' signatures, each graded by
its own table; the later editions' solutions earn 100 and their stubs 0."""

from __future__ import annotations

import nbformat
import pytest

from grader import editions
from grader.errors import NotAssignmentError, OtherEditionError
from grader.notebooks.read import find_graded_cells
from grader.notebooks.recognise import recognise

IDENTITY = {
    "2020": "def identity_block(X, f, filters, stage, block):",
    "2021": "def identity_block(X, f, filters, training=True, initializer=random_uniform):",
    "2021-initializer-only": "def identity_block(X, f, filters, initializer=random_uniform):",
}
CONVOLUTIONAL = {
    "2020": "def convolutional_block(X, f, filters, stage, block, s=2):",
    "2021": "def convolutional_block(X, f, filters, s=2, training=True, initializer=glorot_uniform):",
    "2021-initializer-only": "def convolutional_block(X, f, filters, s=2, initializer=glorot_uniform):",
}
RESNET50 = "def ResNet50(input_shape=(64, 64, 3), classes=6):"


def _graded(*defs: str) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(line + "\n    return X") for line in defs]
    return find_graded_cells(nb)


# (identity_block's def, convolutional_block's def, ResNet50's def, edition or None for refused)
RECOGNISED = {
    "2020": (IDENTITY["2020"], CONVOLUTIONAL["2020"], RESNET50, "2020"),
    "2021": (IDENTITY["2021"], CONVOLUTIONAL["2021"], RESNET50, "2021"),
    "later-revision": (
        IDENTITY["2021-initializer-only"],
        CONVOLUTIONAL["2021-initializer-only"],
        RESNET50,
        "2021-initializer-only",
    ),
    "2021-with-training-added-to-ResNet50": (
        IDENTITY["2021"],
        CONVOLUTIONAL["2021"],
        "def ResNet50(input_shape=(64, 64, 3), classes=6, training=False):",
        "2021",
    ),
    "later-revision-one-block-only": (
        IDENTITY["2021-initializer-only"],
        "",
        RESNET50,
        "2021-initializer-only",
    ),
    "2020-with-an-initializer-beside-stage-and-block": (
        IDENTITY["2020"],
        "def convolutional_block(X, f, filters, stage, block, s=2, initializer=None):",
        RESNET50,
        "2020",
    ),
    # A course revision in circulation: the convolutional block kept
    # training=True, which the later revision's calls leave at its default.
    "later-revision-with-training-kept-in-the-convolutional-block": (
        IDENTITY["2021-initializer-only"],
        CONVOLUTIONAL["2021"],
        RESNET50,
        "2021-initializer-only",
    ),
    "2021-identity-block-with-later-revision-convolutional-block": (
        IDENTITY["2021"],
        CONVOLUTIONAL["2021-initializer-only"],
        RESNET50,
        "2021-initializer-only",
    ),
    "input-named-otherwise": (
        "def identity_block(A_prev, f, filters, stage, block):",
        CONVOLUTIONAL["2020"],
        RESNET50,
        "2020",
    ),
    "one-block-of-no-edition-the-other-2021": (
        "def identity_block(X, f, filters, training):",
        CONVOLUTIONAL["2021"],
        RESNET50,
        "2021",
    ),
    "ResNet50-alone-fits-every-edition-alike": ("", "", RESNET50, None),
    "2020-block-with-2021-block": (
        IDENTITY["2020"],
        CONVOLUTIONAL["2021"],
        RESNET50,
        None,
    ),
    "blocks-of-no-edition": (
        "def identity_block(X, f):",
        "def convolutional_block(X, f, filters, stage, training):",
        RESNET50,
        None,
    ),
}


@pytest.mark.fast
@pytest.mark.parametrize("case", list(RECOGNISED))
def test_the_edition_is_the_one_the_functions_signatures_fit_best(case):
    *defs, wanted = RECOGNISED[case]
    graded = _graded(*(line for line in defs if line))
    if wanted is None:
        with pytest.raises(OtherEditionError) as raised:
            recognise(graded, "nb.ipynb")
        message = str(raised.value)
        assert message.startswith("nb.ipynb: not graded: ")
        assert "--edition NAME" in message and "\n" not in message
        assert isinstance(raised.value, NotAssignmentError)
        return
    cells = recognise(graded, "nb.ipynb")
    marked = {cell.edition or editions.DEFAULT for cell in cells.values()}
    assert marked == {wanted}


# The notebooks refused, each with its one line in full: (defs, error, line).
REFUSED = {
    "mixed": (
        (IDENTITY["2020"], CONVOLUTIONAL["2021"], RESNET50),
        OtherEditionError,
        "nb.ipynb: not graded: the graded functions are of different editions of "
        "the Residual Networks assignment: identity_block takes (X, f, filters, "
        "stage, block) (2020) and convolutional_block takes (X, f, filters, s, "
        "training, initializer) (2021); write every function of one edition (or "
        "grade with --edition NAME)",
    ),
    "tie": (
        (RESNET50,),
        OtherEditionError,
        "nb.ipynb: not graded: its graded functions fit the 2020, 2021 and "
        "2021-initializer-only editions of the Residual Networks assignment "
        "equally well (ResNet50 takes (input_shape, classes)); grade it with "
        "--edition NAME",
    ),
    "none": (
        (
            "def identity_block(X, filters):",
            "def convolutional_block(X, filters):",
            "def ResNet50(shape):",
        ),
        NotAssignmentError,
        "nb.ipynb: not graded: its graded functions fit no edition of the Residual "
        "Networks assignment that this grader knows (2020, 2021, "
        "2021-initializer-only): identity_block takes (X, filters), "
        "convolutional_block takes (X, filters) and ResNet50 takes (shape); grade "
        "it with --edition NAME to be told what each function lacks",
    ),
}


@pytest.mark.fast
@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_notebook_gets_one_line_naming_the_editions(case):
    defs, error, line = REFUSED[case]
    with pytest.raises(error) as raised:
        recognise(_graded(*defs), "nb.ipynb")
    assert type(raised.value) is error
    assert str(raised.value) == line


@pytest.mark.fast
@pytest.mark.parametrize("case", list(RECOGNISED))
def test_the_editions_order_does_not_change_the_one_recognised(case, monkeypatch):
    *defs, wanted = RECOGNISED[case]
    graded = _graded(*(line for line in defs if line))
    editions.names()  # loaded
    reversed_order = dict(reversed(list(editions.EDITIONS.items())))
    monkeypatch.setattr(editions, "EDITIONS", reversed_order)
    assert editions.names()[0] != editions.DEFAULT
    if wanted is None:
        with pytest.raises(NotAssignmentError):
            recognise(graded, "nb.ipynb")
        return
    cells = recognise(graded, "nb.ipynb")
    assert {cell.edition or editions.DEFAULT for cell in cells.values()} == {wanted}


@pytest.mark.fast
def test_edition_forces_one():
    graded = _graded(IDENTITY["2020"], CONVOLUTIONAL["2021"], RESNET50)
    cells = recognise(graded, "nb.ipynb", edition="2021")
    assert {cell.edition for cell in cells.values()} == {"2021"}
    assert cells["identity_block"].signature_problem == (
        "identity_block(X, f, filters, stage, block) does not take the arguments "
        "of identity_block(X, f, filters, training=True, initializer=random_uniform)"
    )


@pytest.mark.fast
@pytest.mark.parametrize("name", editions.names())
def test_every_edition_totals_100_and_has_its_fixtures(name):
    from importlib import resources

    edition = editions.get(name)
    assert edition.points == 100
    folder = resources.files("grader.fixtures")
    assert folder.joinpath(edition.expected).is_file()
    assert folder.joinpath(edition.layer_table).is_file()
    assert edition.solution.is_file()
    keys = {(p.function, p.key) for p in edition.probes}
    assert len(keys) == len(edition.probes)


@pytest.mark.fast
@pytest.mark.parametrize(
    "name", [n for n in editions.names() if editions.get(n).initializer]
)
def test_the_later_editions_hidden_probes_pass_an_initializer_no_notebook_shows(name):
    from grader.editions.probes import INITIALIZER

    shown = {"Constant", "RandomUniform", "GlorotUniform"}
    edition = editions.get(name)
    for probe in edition.probes:
        if probe.function == "ResNet50":
            continue
        given = probe.kwargs["initializer"][INITIALIZER]["class_name"]
        assert (given in shown) == probe.visible, probe
        assert ("training" in probe.kwargs) == edition.training


LATER = {
    name: editions.get(name)
    for name in editions.names()
    if not editions.get(name).layer_names
}
"""The editions whose layers are not named (the 2020 edition's scenarios and
corpus are tests of their own)."""


@pytest.mark.parametrize("name", list(LATER))
def test_the_later_editions_solution_earns_100_and_its_stub_0(graded, tmp_path, name):
    from grader.distribution.assign import assign

    edition = LATER[name]
    report = graded(f"solution-{name}", edition.solution)
    assert report.edition == name
    assert [
        (c.title, c.points) for c in report.checks if c.points != c.max_points
    ] == []
    assert report.score == report.max_score == 100
    assign(edition.solution, tmp_path)
    stub = graded(f"stub-{name}", tmp_path / edition.solution.name)
    assert stub.edition == name
    assert stub.score == 0


@pytest.mark.parametrize("name", list(LATER))
def test_a_conv_block_whose_shortcut_lacks_its_batchnorm_fails_the_seeded_output(
    graded, name
):
    """The example's whole output, under the kernels the edition's tests
    assume, is held to their np.allclose: a shortcut without its
    BatchNormalization (at most 2.3e-3 off in inference) shows, in the mode
    the message names, at the first position that is off."""
    import re

    from corpus.editions import rewritten, variants

    # In the suite's part of the corpus (wrong) or the rest (more).
    (variant,) = [
        variant
        for variant in variants("wrong") + variants("more")
        if (variant.edition, variant.stem) == (name, "conv-shortcut-without-batchnorm")
    ]
    report = graded(
        f"no-shortcut-bn-{name}",
        rewritten([variant]),
        functions=["convolutional_block"],
        visible_only=True,
    )
    seeded = next(c for c in report.checks if c.name == "seeded output")
    assert not seeded.passed
    at = re.match(r"out\[\d\]\[\d\]\[\d\]( with training=True)? is \[", seeded.message)
    assert at, seeded.message
    assert "], expected [" in seeded.message
    assert "first difference from the reference" in seeded.message


def test_a_folder_of_mixed_editions_grades_each_by_its_own(tmp_path):
    """Three students, three editions, and one notebook mixing two: each is
    graded by its own edition's checks, the mixed one is `invalid` with the
    line, and the gradebook and class report name the editions."""
    import csv
    import shutil

    from grader.batch import Options, grade_many

    folder = tmp_path / "submissions"
    folder.mkdir()
    for student, name in (
        ("s1", "2020"),
        ("s2", "2021"),
        ("s3", "2021-initializer-only"),
    ):
        shutil.copy(editions.get(name).solution, folder / f"{student}.ipynb")
    mixed = nbformat.read(editions.get("2021").solution, as_version=4)
    cell = mixed.cells[find_graded_cells(mixed)["identity_block"].index]
    cell.source = cell.source.replace(
        "def identity_block(X, f, filters, training=True, initializer=random_uniform):",
        "def identity_block(X, f, filters, stage, block):",
    )
    nbformat.write(mixed, folder / "s4.ipynb")
    out = tmp_path / "out"
    options = Options(functions=("identity_block",), visible_only=True)
    results = {r.student: r for r in grade_many([folder], out=out, options=options)}
    graded = {
        s: (r.status, r.report.edition, r.score) for s, r in results.items() if r.report
    }
    assert graded == {
        "s1": ("graded", "2020", 20),
        "s2": ("graded", "2021", 14),
        "s3": ("graded", "2021-initializer-only", 16),
    }
    assert results["s4"].status == "invalid"
    assert "different editions" in results["s4"].message
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert {s: rows[s]["edition"] for s in rows} == {
        "s1": "2020",
        "s2": "2021",
        "s3": "2021-initializer-only",
        "s4": "",
    }
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "(2021 edition)" in report and "(2020 edition)" in report


def test_the_2021_hand_out_runs_its_own_public_checks_without_hidden_ones(tmp_path):
    """`grader release --edition 2021`: the student notebook is made from the
    2021 solution, the package carries the 2021 edition with its visible
    probes only, and its public checks pass the solution's blocks."""
    import subprocess
    import sys

    from grader.distribution.release import release

    edition = editions.get("2021")
    out, _ = release(tmp_path / "handout", edition="2021")
    student = nbformat.read(out / "Residual_Networks.ipynb", as_version=4)
    assert set(find_graded_cells(student)) == {
        "identity_block",
        "convolutional_block",
        "ResNet50",
    }
    assert all(cell.is_stub for cell in find_graded_cells(student).values())
    texts = [
        path.read_text(encoding="utf-8")
        for path in out.rglob("*")
        if path.suffix in {".py", ".json", ".md", ".ipynb", ".tsv"}
    ]
    assert not any("Orthogonal" in text for text in texts), "a hidden probe leaked"
    assert (out / "resnet_checks" / "editions" / "edition_2021.py").is_file()
    solution = nbformat.read(edition.solution, as_version=4)
    cells = find_graded_cells(solution)
    code = "\n\n".join(
        [
            "from keras.layers import *\nfrom keras.models import Model\n"
            "from keras.initializers import random_uniform, glorot_uniform, constant",
            cells["identity_block"].source,
            cells["convolutional_block"].source,
            "from public_tests import identity_block_test, convolutional_block_test",
            "identity_block_test(identity_block)",
            "convolutional_block_test(convolutional_block)",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(out), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("All tests passed.") == 2, done.stdout


def _summary_rows(model) -> list[tuple[str, ...]]:
    """A model's layers as the later editions' ResNet50_summary lists them."""
    rows = []
    for layer in model.layers:
        config = layer.get_config()
        kind = type(layer).__name__
        shape = tuple(layer.output.shape)
        padding = activation = initializer = ""
        if kind == "Conv2D":
            padding, activation = config["padding"], config["activation"]
            initializer = type(layer.kernel_initializer).__name__
        elif kind == "MaxPooling2D":
            padding = config["padding"]
        elif kind == "Dense":
            activation = config["activation"]
        shown = f"[{shape}]" if kind == "InputLayer" else str(shape)
        row = (kind, shown, str(layer.count_params()), padding, activation, initializer)
        rows.append(row)
    return rows


def test_the_later_editions_resnet50_has_every_row_of_their_summary():
    """The 2021 solution's ResNet50, and the grader's reference without its
    initializers, hold every row of ResNet50_summary (one for one; Keras 3
    lists a block's shortcut in another place than Keras 2 did)."""
    import csv
    from collections import Counter
    from importlib import resources

    from grader.judging import reference

    text = resources.files("grader.fixtures").joinpath("resnet50_summary_2021.tsv")
    lines = [line for line in text.read_text().splitlines() if not line.startswith("#")]
    table = [tuple(row.values()) for row in csv.DictReader(lines, delimiter="\t")]
    assert len(table) == 177
    assert sum(int(row[2]) for row in table) == 23_600_006
    solution = nbformat.read(editions.get("2021").solution, as_version=4)
    cells = find_graded_cells(solution)
    namespace: dict = {}
    exec(  # our own solution notebook's cells, to build its model here
        "from keras.layers import *\nfrom keras.models import Model\n"
        "from keras.initializers import random_uniform, glorot_uniform, constant\n"
        + "\n".join(cells[name].source for name in cells),
        namespace,
    )
    model = namespace["ResNet50"](input_shape=(64, 64, 3), classes=6)
    assert Counter(_summary_rows(model)) == Counter(table)
    ours = reference.build("ResNet50", {}, None, layer_names=False)
    assert Counter(row[:5] for row in _summary_rows(ours)) == Counter(
        row[:5] for row in table
    )


@pytest.mark.fast
def test_a_bundle_built_for_one_edition_carries_it(tmp_path):
    import zipfile

    from grader.distribution.gradescope import (
        EDITION_FILE,
        RUN_AUTOGRADER,
        build_bundle,
    )

    entries = build_bundle(tmp_path / "autograder.zip", edition="2021")
    assert EDITION_FILE in entries
    with zipfile.ZipFile(tmp_path / "autograder.zip") as bundle:
        assert bundle.read(EDITION_FILE).decode() == "2021\n"
    assert '--edition "$(cat "$ROOT/source/edition.txt")"' in RUN_AUTOGRADER
    assert EDITION_FILE not in build_bundle(tmp_path / "any.zip")


@pytest.mark.fast
def test_gradescope_gives_another_edition_than_the_bundles_0_with_the_line(tmp_path):
    import json
    import shutil

    from grader.distribution.gradescope import grade_gradescope_submission

    submission = tmp_path / "submission"
    submission.mkdir()
    shutil.copy(editions.get("2020").solution, submission / "Residual_Networks.ipynb")
    results, text = grade_gradescope_submission(
        tmp_path, memory_mb=16000, edition="2021"
    )
    message = (
        "Residual_Networks.ipynb: not graded: this is the 2020 edition of the "
        "Residual Networks assignment (blocks take stage and block, which name "
        "every layer), and this course grades the 2021 edition; submit the "
        "notebook you were handed out"
    )
    assert results == {"score": 0, "output": message, "tests": []}
    assert text == message
    saved = json.loads((tmp_path / "results" / "results.json").read_text())
    assert saved == results


@pytest.mark.fast
@pytest.mark.parametrize("name", editions.names())
def test_each_editions_visible_probes_pass_every_argument_its_hidden_ones_pass(name):
    """What the hand-out's signature check asks is the same as the grader's."""
    from grader.editions.probes import FUNCTIONS, probes_for

    table = editions.get(name).probes
    for function in FUNCTIONS:
        names = [set(p.kwargs) for p in probes_for(function, table=table)]
        shown = [
            set(p.kwargs) for p in probes_for(function, visible_only=True, table=table)
        ]
        assert set().union(*names) == set().union(*shown), function


@pytest.mark.fast
def test_results_json_names_a_later_edition_and_the_2020_one_reads_as_before():
    from grader.reports.render import to_gradescope
    from grader.reports.results import CheckResult, GradeReport

    check = CheckResult("identity_block", "seeded output", 8, 8, "fine", True)
    later = to_gradescope(GradeReport("nb.ipynb", (check,), edition="2021"))
    assert later["extra_data"] == {"edition": "2021"}
    assert later["output"] == "Edition: 2021"
    seeds = to_gradescope(GradeReport("nb.ipynb", (check,)))
    assert set(seeds) == {"score", "max_score", "execution_time", "output", "tests"}


def test_names_a_notebook_imports_in_a_cell_of_its_own_are_there(graded):
    """Public copies import the initializers' classes in their own import
    cell and write them as the blocks' defaults (``initializer=RandomUniform``):
    the graded cells run after the notebook's own imports, so correct code
    is not failed for a name the assignment's imports lack."""
    edition = LATER["2021"]
    nb = nbformat.read(edition.solution, as_version=4)
    cells = find_graded_cells(nb)
    for function, default, own in (
        ("identity_block", "initializer=random_uniform", "initializer=RandomUniform"),
        (
            "convolutional_block",
            "initializer=glorot_uniform",
            "initializer=GlorotUniform",
        ),
    ):
        cell = nb.cells[cells[function].index]
        assert default in cell.source
        cell.source = cell.source.replace(default, own)
    own_imports = (
        "from tensorflow.keras.initializers import RandomUniform, GlorotUniform"
    )
    nb.cells.insert(0, nbformat.v4.new_code_cell(own_imports))
    report = graded(
        "own-import-cell",
        nb,
        functions=["identity_block", "convolutional_block"],
        visible_only=True,
    )
    assert report.score == report.max_score, [
        (c.title, c.message) for c in report.checks if not c.passed
    ]


def test_the_course_revision_with_training_kept_grades_as_the_later_revision(graded):
    """The course revision in circulation whose convolutional block kept the
    2021 edition's `training=True` beside `initializer` (unused, so left at
    its default by the later revision's calls): graded as that edition, and
    in full."""
    edition = editions.get("2021-initializer-only")
    nb = nbformat.read(edition.solution, as_version=4)
    cell = nb.cells[find_graded_cells(nb)["convolutional_block"].index]
    own = "def convolutional_block(X, f, filters, s=2, initializer=glorot_uniform):"
    assert own in cell.source
    cell.source = cell.source.replace(own, CONVOLUTIONAL["2021"])
    report = graded("revision-training-kept", nb, functions=["convolutional_block"])
    assert report.edition == "2021-initializer-only"
    assert report.score == report.max_score == 30, [
        (c.title, c.message) for c in report.checks if not c.passed
    ]


@pytest.mark.fast
def test_the_probes_modules_table_is_the_2020_editions_data():
    """``grader.editions.probes.PROBES`` (the table where no edition is given, and the
    hand-out's copy's) is what the 2020 edition's data file says."""
    from grader.editions.probes import PROBES

    assert editions.get(editions.DEFAULT).probes == PROBES
    assert [p.kwargs for p in editions.get(editions.DEFAULT).probes] == [
        p.kwargs for p in PROBES
    ]
