"""An edition an instructor adds is data: a TOML file beside its solution
notebook, in a folder of their own (``--editions DIR``), with no Python and
no file inside the package. ``grader edition new`` writes it, ``grader
edition check`` proves it, and the grader grades its notebooks: the
solution 100, the stub 0, a wrong notebook below 100 with a message naming
the difference. The editions are the two of ``instructor_editions.py``."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from instructor_editions import shorter_stage_4, with_activation, write

from grader import editions
from grader.commands.cli import main
from grader.editions import data

ACTIVATION_HIDDEN = (
    (
        'key = "hidden"\ninput_shape = [5, 7, 8]\narguments = { ',
        'activation = "tanh", ',
    ),
    (
        'key = "hidden"\ninput_shape = [9, 7, 5]\narguments = { ',
        'activation = "tanh", ',
    ),
)


@pytest.fixture
def editions_folder(tmp_path, monkeypatch):
    """An empty folder of editions; the variable ``--editions`` sets is unset
    when the test ends, and the editions read again."""
    monkeypatch.delenv(editions.FOLDER_VARIABLE, raising=False)
    yield tmp_path / "editions"
    # The commands set it themselves, as for a batch's workers: not through
    # monkeypatch, whose undo would put their value back.
    os.environ.pop(editions.FOLDER_VARIABLE, None)
    editions.reload()


# --- the data file, no kernel ---------------------------------------------------


@pytest.mark.fast
@pytest.mark.parametrize("name", editions.names())
def test_every_shipped_edition_reads_back_the_same_from_its_data_file(name, tmp_path):
    """The data file can say everything an edition is: each shipped one,
    written and read back, is the same edition."""
    edition = editions.get(name)
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(edition.solution, folder / edition.solution.name)
    data.write(edition, folder)
    read = data.load(folder)
    assert read.signatures == edition.signatures
    assert [(p.function, p.key, p.kwargs, p.input_shape) for p in read.probes] == [
        (p.function, p.key, p.kwargs, p.input_shape) for p in edition.probes
    ]
    assert read.checks == edition.checks
    assert (read.expected, read.layer_table) == (edition.expected, edition.layer_table)
    assert (read.layer_names, read.training, read.initializer) == (
        edition.layer_names,
        edition.training,
        edition.initializer,
    )


BAD_FILES = {
    "not-toml": ("name = ", "not a valid TOML file"),
    "unknown-key": ('name = "x"\nsolution = "s.ipynb"\ncolour = 1\n', "unknown key"),
    "no-solution": ('name = "x"\nsolution = "gone.ipynb"\n', "is not beside it"),
    "unknown-check": (
        'name = "x"\nsolution = "s.ipynb"\n[[checks]]\nfunction = "ResNet50"\n'
        'check = "colour"\npoints = 5\nvisible = true\n',
        "ResNet50 has no check 'colour' (its checks: parameter counts,",
    ),
    "argument-as-code": (
        'name = "x"\nsolution = "s.ipynb"\n[[probes]]\nfunction = "identity_block"\n'
        'key = "hidden"\ninput_shape = [4, 4, 3]\narguments = { f = { g = 1 } }\n',
        "a table argument names an initializer",
    ),
}


@pytest.mark.fast
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_wrong_data_file_is_one_line_naming_it(case, tmp_path):
    text, words = BAD_FILES[case]
    folder = tmp_path / "x"
    folder.mkdir()
    shutil.copy(editions.get("2021").solution, folder / "s.ipynb")
    (folder / data.FILE).write_text(text, encoding="utf-8")
    with pytest.raises(data.EditionError) as raised:
        data.load(folder)
    message = str(raised.value)
    assert message.startswith(str(folder)) and "\n" not in message
    assert words in message


@pytest.mark.fast
def test_a_parameter_no_hidden_probe_changes_is_named(tmp_path):
    from grader.distribution.author import unexercised

    solution = write(with_activation(), tmp_path / "solution.ipynb")
    signatures = data.solution_signatures(solution)
    like = editions.get("2021-initializer-only")
    edition = dataclasses.replace(like, signatures=signatures, name="activation")
    assert unexercised(like) == []
    assert unexercised(edition) == [
        "identity_block: activation",
        "convolutional_block: activation",
    ]


@pytest.mark.fast
def test_grader_names_an_unknown_edition_or_folder_in_one_line(
    editions_folder, tmp_path, capsys
):
    assert main(["points", "--edition", "1999"]) == 2
    assert capsys.readouterr().err == (
        "grader: error: no edition '1999' (known: 2020, 2021, 2021-initializer-only)\n"
    )
    assert main(["points", "--editions", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().err == (
        f"grader: error: {tmp_path / 'none'}: no such folder of editions\n"
    )


# --- with a kernel ------------------------------------------------------------------


def _new(name, solution, folder, capsys, *more):
    status = main(
        ["edition", "new", name, "--solution", str(solution), "--editions", str(folder)]
        + list(more)
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"wrote {folder / name / data.FILE}" in out
    return folder / name


def _probe_activation(folder: Path) -> None:
    """Edit the data file as the instructor would: the hidden probes pass
    activation="tanh"."""
    toml = folder / data.FILE
    text = toml.read_text(encoding="utf-8")
    for before, added in ACTIVATION_HIDDEN:
        assert text.count(before) == 1
        text = text.replace(before, before + added)
    toml.write_text(text, encoding="utf-8")


def _check(folder, capsys):
    status = main(["edition", "check", str(folder)])
    return status, capsys.readouterr().out.splitlines()


def test_an_edition_whose_blocks_take_another_parameter_added_as_data(
    editions_folder, tmp_path, capsys
):
    """Blocks that take activation='relu' for two of their layers: written
    with `edition new`, refused by `edition check` until a hidden probe
    changes it, then proved; its notebooks are told from the others by
    their signatures, and one that ignores the parameter loses points on
    the hidden inputs, the message naming it."""
    from grader.grading import grade

    solution = write(with_activation(), tmp_path / "made" / "Residual_Networks.ipynb")
    folder = _new("with-activation", solution, editions_folder, capsys)
    assert sorted(p.name for p in folder.iterdir()) == [
        "Residual_Networks.ipynb",
        data.FILE,
    ]
    status, lines = _check(folder, capsys)
    assert status == 1
    assert lines[1] == (
        "FAIL  no hidden probe changes identity_block: activation; "
        "convolutional_block: activation"
    )
    assert lines[2:] == [
        "ok    the solution earns 100/100",
        "ok    the checks students see pass on the solution (8)",
        "ok    its stub earns 0",
        "ok    the hand-out's public checks pass on the solution",
    ]
    _probe_activation(folder)
    status, lines = _check(folder, capsys)
    assert status == 0, lines
    assert lines[1] == "ok    every parameter is changed by a hidden probe"

    editions.names()  # the folder the command named is still the one read
    wrong = write(with_activation(used=False), tmp_path / "student.ipynb")
    report = grade(wrong, functions=["identity_block", "convolutional_block"])
    assert report.edition == "with-activation"
    failed = {c.title: c.message for c in report.checks if not c.passed}
    assert set(failed) == {
        f"{block}: hidden inputs, {mode}"
        for block in ("identity_block", "convolutional_block")
        for mode in ("inference", "training")
    }
    assert all("activation" in message for message in failed.values())
    assert 0 < report.score < report.max_score


def test_an_edition_with_another_stage_table_added_as_data(
    editions_folder, tmp_path, capsys
):
    """ResNet50 with three identity blocks in stage 4: the signatures are the
    later revision's, so its notebooks are graded with --edition; without
    published numbers, the solution's own layer table and counts are held
    to, and a notebook with the usual five blocks is told where it parts."""
    solution = write(shorter_stage_4(), tmp_path / "made" / "Residual_Networks.ipynb")
    folder = _new(
        "short-stage-4",
        solution,
        editions_folder,
        capsys,
        "--like",
        "2021-initializer-only",
    )
    status, lines = _check(folder, capsys)
    assert status == 0, lines
    wrong = write(shorter_stage_4(blocks=5), tmp_path / "student.ipynb")
    status = main(["grade", str(wrong), "--editions", str(editions_folder)])
    assert status == 2
    assert "fit the 2021-initializer-only and short-stage-4 editions" in (
        capsys.readouterr().err
    )
    status = main(
        [
            "grade",
            str(wrong),
            "--editions",
            str(editions_folder),
            "--edition",
            "short-stage-4",
            "--function",
            "ResNet50",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "Edition: short-stage-4" in out
    assert "parameters: total 23,600,006, expected 21,356,422" in out
    assert "FAIL     0/15  layer table" in out
    assert "Total: 15/40" in out


def test_a_bundle_and_a_hand_out_carry_an_instructors_edition(
    editions_folder, tmp_path, capsys
):
    import zipfile

    solution = write(with_activation(), tmp_path / "made" / "Residual_Networks.ipynb")
    _probe_activation(_new("with-activation", solution, editions_folder, capsys))
    bundle = tmp_path / "autograder.zip"
    assert (
        main(["gradescope", "build", str(bundle), "--editions", str(editions_folder)])
        == 0
    )
    capsys.readouterr()
    with zipfile.ZipFile(bundle) as opened:
        names = set(opened.namelist())
    assert {
        "editions/with-activation/edition.toml",
        "editions/with-activation/Residual_Networks.ipynb",
    } <= names
    status = main(
        [
            "release",
            str(tmp_path / "handout"),
            "--editions",
            str(editions_folder),
            "--edition",
            "with-activation",
        ]
    )
    assert status == 0
    package = tmp_path / "handout" / "resnet_checks" / "editions"
    module = (package / "edition_with_activation.py").read_text(encoding="utf-8")
    assert "activation='relu'" in module and "tanh" not in module


@pytest.mark.fast
def test_edition_new_asks_for_like_where_no_one_edition_fits_best(
    editions_folder, tmp_path, capsys
):
    nb = with_activation()
    from grader.notebooks.read import find_graded_cells

    for function in ("identity_block", "convolutional_block"):
        cell = nb.cells[find_graded_cells(nb)[function].index]
        head, _, rest = cell.source.partition(f"def {function}(")
        cell.source = head + f"def {function}(X, f):" + rest.split(":", 1)[1]
    solution = write(nb, tmp_path / "odd.ipynb")
    status = main(
        [
            "edition",
            "new",
            "odd",
            "--solution",
            str(solution),
            "--editions",
            str(editions_folder),
        ]
    )
    assert status == 2
    assert capsys.readouterr().err == (
        f"grader: error: {solution}: its signatures fit no one edition best; "
        "say which it is like with --like EDITION\n"
    )
    assert not (editions_folder / "odd").exists()
