"""Bad notebook files: one line saying what is wrong, or a clean report.

Never a traceback, never a hang, and the file is left as it was. Files that
cannot be graded go through the command line (``grader.commands.cli.main``); those that
would start a kernel (old formats, duplicate or edited markers) are checked on
the functions that decide what the kernel would run, so no kernel starts here.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
import time

import nbformat
import pytest
from conftest import SOLUTION

from grader.commands.cli import main
from grader.errors import NotAssignmentError
from grader.notebooks.read import NOTEBOOK_LIMIT, find_graded_cells, read_notebook
from grader.notebooks.recognise import check_assignment, notebook_notes

SOLUTION_BYTES = SOLUTION.read_bytes()
CLEAR_OUTPUTS = (
    "saved outputs make most of a notebook this large: clear them (Edit > Clear "
    "Outputs of All Cells, or jupyter nbconvert --clear-output --inplace "
    "{name}) and save it again"
)


def _digest(path):
    """SHA-256 of a file, read in pieces (the large one is 200 MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while piece := file.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def _solution():
    return nbformat.read(SOLUTION, as_version=4)


def _grader(capsys, command, path):
    """Run ``grader COMMAND PATH``; return (status, stdout, stderr lines)."""
    status = main([command, str(path)])
    out, err = capsys.readouterr()
    return status, out, err.splitlines()


# Each bad file: (how to make it in a folder, the message after "PATH: ").
# ``make`` returns the path to grade; a message that depends on the file is a
# function of its path.


def _bytes(name, data):
    """A maker of the file ``name`` holding ``data``."""

    def make(folder):
        path = folder / name
        path.write_bytes(data)
        return path

    return make


_not_json = _bytes("notes.ipynb", b"These are my notes, not a notebook.\n")
_truncated = _bytes("cut.ipynb", SOLUTION_BYTES[: len(SOLUTION_BYTES) // 2])
_empty_file = _bytes("empty.ipynb", b"")


def _truncated_message(path):
    try:
        json.loads(path.read_bytes().decode("utf-8"))
    except json.JSONDecodeError as exc:
        reason = str(exc)
    return (
        f"not a Jupyter notebook (not valid JSON: {reason}): the file stops "
        "part-way, as if cut off while being saved, uploaded or copied; submit a "
        "complete copy"
    )


def _no_cells(folder):
    path = folder / "blank.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    return path


def _too_large(folder):
    """The solution, then zeros up to 200 MB: sparse, so made at once."""
    path = folder / "huge.ipynb"
    path.write_bytes(SOLUTION_BYTES)
    with open(path, "r+b") as file:
        file.truncate(200 * 1024 * 1024)
    return path


def _latin1(folder):
    """The solution with a comment saved as Latin-1 by some other editor."""
    nb = _solution()
    cell = nb.cells[find_graded_cells(nb)["identity_block"].index]
    cell.source = cell.source.replace("\n", "\n# résumé: add the shortcut\n", 1)
    text = nbformat.writes(nb).encode("utf-8")
    path = folder / "latin1.ipynb"
    path.write_bytes(text.replace("résumé".encode(), "résumé".encode("latin-1")))
    return path


def _latin1_message(path):
    data = path.read_bytes()
    line = data[: data.index(b"\xe9")].count(b"\n") + 1
    return (
        f"not a Jupyter notebook: byte 0xe9 on line {line} is not UTF-8 text, which "
        "Jupyter always saves; if another editor changed the file, save it from "
        "that editor as UTF-8"
    )


CANNOT_GRADE = {
    "not JSON": (
        _not_json,
        "not a Jupyter notebook (not valid JSON: Expecting value: line 1 column 1 "
        "(char 0))",
    ),
    "truncated JSON": (_truncated, _truncated_message),
    "empty file": (
        _empty_file,
        "the file is empty (0 bytes), not a notebook; save the notebook in Jupyter "
        "and submit that file",
    ),
    "notebook without cells": (
        _no_cells,
        "the notebook has no cells; submit the Residual Networks notebook with "
        "your work in it",
    ),
    "200 MB": (
        _too_large,
        lambda path: (
            "200 MB is too large to grade (the limit is 64 MB); "
            + CLEAR_OUTPUTS.format(name=path.name)
        ),
    ),
    "Latin-1 bytes": (_latin1, _latin1_message),
    "no such file": (lambda folder: folder / "missing.ipynb", "no such file"),
    "a directory": (
        lambda folder: folder / "submission",
        "is a directory, not a notebook file",
    ),
}


@pytest.mark.parametrize("command", ["check", "grade"])
@pytest.mark.parametrize("case", list(CANNOT_GRADE))
def test_a_file_that_cannot_be_graded_is_one_line_and_exit_2(
    tmp_path, capsys, case, command
):
    (tmp_path / "submission").mkdir()
    make, message = CANNOT_GRADE[case]
    path = make(tmp_path)
    if callable(message):
        message = message(path)
    if case == "a directory" and command == "grade":
        # `grader grade` takes a folder as a batch of the notebooks inside.
        message = "no .ipynb files in this folder"
    before = _digest(path) if path.is_file() else None
    started = time.monotonic()
    status, out, err = _grader(capsys, command, path)
    assert time.monotonic() - started < 5
    assert status == 2
    assert out == ""
    assert err == [f"grader: error: {path}: {message}"]
    if before is not None:
        assert _digest(path) == before
    assert path.exists() == (case != "no such file")


def test_the_size_limit_is_checked_before_reading(tmp_path, monkeypatch):
    path = _too_large(tmp_path)
    assert path.stat().st_size > NOTEBOOK_LIMIT == 64 * 1024 * 1024

    def no_reading(*args, **kwargs):
        raise AssertionError("a file over the limit was opened")

    monkeypatch.setattr("pathlib.Path.open", no_reading)
    monkeypatch.setattr("pathlib.Path.read_bytes", no_reading)
    monkeypatch.setattr("pathlib.Path.read_text", no_reading)
    with pytest.raises(ValueError, match="200 MB is too large to grade"):
        read_notebook(path)


def test_a_file_of_exactly_the_limit_is_read(tmp_path, monkeypatch):
    path = tmp_path / "sub.ipynb"
    path.write_bytes(SOLUTION_BYTES)
    monkeypatch.setattr("grader.notebooks.read.NOTEBOOK_LIMIT", len(SOLUTION_BYTES))
    assert read_notebook(path).cells
    monkeypatch.setattr("grader.notebooks.read.NOTEBOOK_LIMIT", len(SOLUTION_BYTES) - 1)
    with pytest.raises(ValueError, match="is too large to grade"):
        read_notebook(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path, capsys):
    path = tmp_path / "pipe.ipynb"
    os.mkfifo(path)

    def unblock():  # should the grader ever wait on the pipe, let it go on
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # no reader: nothing waits

    timer = threading.Timer(5, unblock)
    timer.daemon = True
    timer.start()
    try:
        status, out, err = _grader(capsys, "check", path)
    finally:
        timer.cancel()
    assert (status, out) == (2, "")
    assert err == [
        f"grader: error: {path}: not a regular file (a device, pipe or socket), "
        "not a notebook"
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 100_000, "not valid JSON: maximum recursion depth exceeded"),
        (
            '{"nbformat": 4, "nbformat_minor": "5", "metadata": {}, "cells": []}',
            'its nbformat_minor is "5", not a number',
        ),
        (
            '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {}}',
            "its cells are not a list",
        ),
        (
            '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": '
            '[{"cell_type": "code", "source": 5, "metadata": {}, "outputs": []}]}',
            "code cell 1 has no source text",
        ),
        (
            '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": '
            '[{"cell_type": "code", "source": "", "metadata": {}, "outputs": 5}]}',
            "",  # nbformat's own words
        ),
    ],
)
def test_malformed_notebooks_say_so_in_one_line(tmp_path, capsys, text, reason):
    path = tmp_path / "odd.ipynb"
    path.write_text(text, encoding="utf-8")
    status, out, err = _grader(capsys, "check", path)
    assert (status, out, len(err)) == (2, "", 1)
    assert err[0].startswith(f"grader: error: {path}: not a Jupyter notebook ({reason}")
    assert path.read_text(encoding="utf-8") == text


def test_a_byte_order_mark_is_read_past(tmp_path):
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + SOLUTION_BYTES)
    assert sorted(find_graded_cells(read_notebook(path))) == sorted(
        find_graded_cells(_solution())
    )


# Files that grade: what the kernel would be given, and the notes that say so.


def _saved(tmp_path, nb, name="sub.ipynb"):
    path = tmp_path / name
    nbformat.write(nb, path)
    return path, path.read_bytes()


def _v3(nb):
    """The notebook as IPython 2 saved it: format 3, one worksheet, ``input``."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            cells.append(
                {
                    "cell_type": "code",
                    "collapsed": False,
                    "input": cell.source.splitlines(keepends=True),
                    "language": "python",
                    "metadata": {},
                    "outputs": [],
                }
            )
        else:
            cells.append(
                {"cell_type": cell.cell_type, "metadata": {}, "source": cell.source}
            )
    return {
        "metadata": {"name": ""},
        "nbformat": 3,
        "nbformat_minor": 0,
        "worksheets": [{"cells": cells, "metadata": {}}],
    }


def test_a_format_3_notebook_is_converted_and_its_cells_found(tmp_path):
    solution = _solution()
    path = tmp_path / "ipython2.ipynb"
    path.write_text(json.dumps(_v3(solution), indent=1), encoding="utf-8")
    before = path.read_bytes()

    nb = read_notebook(path)
    graded = find_graded_cells(nb)
    expected = find_graded_cells(solution)
    assert nb.nbformat == 4
    assert {name: (c.index, c.source, c.marked) for name, c in graded.items()} == {
        name: (c.index, c.source, c.marked) for name, c in expected.items()
    }
    check_assignment(graded, str(path))
    assert notebook_notes(nb, graded)[0] == (
        "saved in notebook format 3 (IPython 2 or older); converted to format 4 "
        "to be read, as Jupyter does when it opens it"
    )
    assert path.read_bytes() == before


def test_two_cells_marked_for_one_function_grade_the_last(tmp_path):
    nb = _solution()
    first = find_graded_cells(nb)["identity_block"].index
    again = copy.deepcopy(nb.cells[first])
    again.id = "identity-block-again"
    nb.cells.insert(9, again)
    path, before = _saved(tmp_path, nb)

    read = read_notebook(path)
    graded = find_graded_cells(read)
    assert (first, graded["identity_block"].index) == (4, 9)
    assert graded["identity_block"].marked
    check_assignment(graded, str(path))
    assert notebook_notes(read, graded) == [
        "cells 5 and 10 are both marked identity_block; cell 10 is graded, as it "
        "would run last"
    ]
    assert path.read_bytes() == before


def _cells(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


MARKED = "# GRADED FUNCTION: ResNet50\ndef ResNet50(input_shape, classes):\n    pass"
PLAIN = "def ResNet50(input_shape, classes):\n    pass"


@pytest.mark.parametrize(
    ("sources", "graded", "note"),
    [
        (
            [MARKED, "x = 1", MARKED, MARKED],
            3,
            "cells 1, 3 and 4 are all marked ResNet50; cell 4 is graded, as it "
            "would run last",
        ),
        (
            [PLAIN, PLAIN],
            1,
            "cells 1 and 2 both define ResNet50; cell 2 is graded, as it would run "
            "last",
        ),
        (
            [PLAIN, MARKED, PLAIN],
            1,
            "cells 1 and 3 also define ResNet50, without the marker line; cell 2, "
            "the marked one, is graded",
        ),
    ],
)
def test_every_passed_over_definition_is_noted(sources, graded, note):
    nb = _cells(*sources)
    found = find_graded_cells(nb)
    assert list(found) == ["ResNet50"] and found["ResNet50"].index == graded
    assert notebook_notes(nb, found) == [note]


@pytest.mark.parametrize(
    ("marker", "marked", "note"),
    [
        (
            "# GRADED FUNCTION: identity_blok",
            False,
            "cell 5 is marked as graded function identity_blok, which this "
            "assignment does not have (its graded functions are identity_block, "
            "convolutional_block and ResNet50); check the spelling",
        ),
        ("# graded function: identity_block", False, None),
        ("# GRADED FUNCTION:", False, None),
        ("#GRADED FUNCTION:identity_block", True, None),
    ],
)
def test_an_edited_marker_line_still_finds_the_cell(tmp_path, marker, marked, note):
    nb = _solution()
    index = find_graded_cells(nb)["identity_block"].index
    cell = nb.cells[index]
    cell.source = cell.source.replace("# GRADED FUNCTION: identity_block", marker)
    path, before = _saved(tmp_path, nb)

    read = read_notebook(path)
    graded = find_graded_cells(read)
    assert graded["identity_block"].index == index == 4
    assert graded["identity_block"].marked is marked
    assert not graded["identity_block"].is_stub
    check_assignment(graded, str(path))
    assert notebook_notes(read, graded) == ([note] if note else [])
    assert path.read_bytes() == before


def test_a_marker_for_another_assignments_function_does_not_count():
    nb = _cells(
        "# GRADED FUNCTION: HappyModel\ndef HappyModel(input_shape):\n    pass",
        MARKED,
    )
    graded = find_graded_cells(nb)
    assert list(graded) == ["ResNet50"] and graded["ResNet50"].index == 1
    assert notebook_notes(nb, graded) == [
        "cell 1 is marked as graded function HappyModel, which this assignment "
        "does not have (its graded functions are identity_block, "
        "convolutional_block and ResNet50); check the spelling"
    ]
    only_other = _cells("# GRADED FUNCTION: HappyModel\ndef HappyModel(x): pass")
    with pytest.raises(NotAssignmentError, match="not the Residual Networks"):
        check_assignment(find_graded_cells(only_other), "happy.ipynb")


def test_code_too_deeply_nested_to_parse_is_left_to_the_kernel():
    nb = _cells(PLAIN, "x = " + "-" * 1_000_000 + "1", "y = " + "+".join("1" * 99_999))
    found = find_graded_cells(nb)
    assert list(found) == ["ResNet50"]
    assert notebook_notes(nb, found) == []
