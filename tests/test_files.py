from __future__ import annotations

import pytest

from grader.files import tail_line

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
