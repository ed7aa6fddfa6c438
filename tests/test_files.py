from __future__ import annotations

import socket
from pathlib import Path

import pytest

from grader.files import (
    SOCKET_NAME,
    SOCKET_PATH_LIMIT,
    SOCKETS_ENV,
    socket_folder,
    sockets_base,
    tail_line,
)

# No kernel and no TensorFlow: the fast tier (pytest -m fast).
pytestmark = pytest.mark.fast


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", ""),
        (b"\n  \n", ""),
        (b"starting\nValueError: no\n", "ValueError: no"),
        (b"first\n  indented last  \n\n \n", "indented last"),
        (b"caf\xe9 \xff\n", "caf\ufffd \ufffd"),
    ],
    ids=["empty", "blank", "last-line", "blank-lines-after", "not-utf8"],
)
def test_tail_line_is_the_last_line_with_words(tmp_path, data, line):
    path = tmp_path / "stderr.txt"
    path.write_bytes(data)
    assert tail_line(path) == line


def test_tail_line_reads_only_the_end_and_no_file_is_no_line(tmp_path):
    path = tmp_path / "stderr.txt"
    path.write_bytes(b"x" * 5000 + b"\nthe end\n")
    assert tail_line(path, limit=4) == "end"
    assert tail_line(tmp_path / "absent.txt") == ""


def _deep(tmp_path):
    """A folder too deep for a socket's path under it."""
    deep = tmp_path / ("d" * 60)
    deep.mkdir()
    return deep


def test_sockets_go_in_the_grading_folder_where_their_paths_fit(tmp_path):
    with socket_folder(tmp_path) as folder:
        assert folder == tmp_path / "ipc" and folder.is_dir()
        assert len(str(folder / SOCKET_NAME)) <= SOCKET_PATH_LIMIT


def test_sockets_of_a_deep_folder_go_in_a_short_one_removed_after(
    tmp_path, monkeypatch
):
    base = tmp_path / "b"
    base.mkdir()
    monkeypatch.setenv(SOCKETS_ENV, str(base))
    with socket_folder(_deep(tmp_path)) as folder:
        assert folder.parent == base and folder.is_dir()
        assert len(str(folder / SOCKET_NAME)) <= SOCKET_PATH_LIMIT
        # A real socket binds there (the limit is the kernel's, not ours).
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(folder / SOCKET_NAME))
    assert list(base.iterdir()) == []


def test_a_batch_child_gets_a_short_base_for_its_sockets(tmp_path):
    with sockets_base(tmp_path) as inside:
        assert inside == tmp_path / "s"
    deep = _deep(tmp_path)
    with sockets_base(deep) as base:
        assert base.parent == Path("/tmp") and base.is_dir()
        made = base / ("grader-ipc-" + "x" * 8) / SOCKET_NAME
        assert len(str(made)) <= SOCKET_PATH_LIMIT
    assert not base.exists()
