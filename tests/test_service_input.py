"""Bad files and fields sent to the grading service, over real HTTP.

One real ``grader serve`` for the module. Each kind of bad input gets its
status, its one line (JSON ``{"detail": LINE}`` from the API, the refusal
page's line from a form) and leaves nothing stored: neither a row in the
database nor an entry in the student's list. Refused uploads never reach
a kernel; the few that are taken (odd file names, a notebook that prints
megabytes) are graded in the background, and only the last is waited for.
Who may do what, and how often, is ``test_service_access``.
"""

from __future__ import annotations

import html
import re
import select

import nbformat
import pytest

from grader.service import intake
from grader.service.app import MAX_BODY
from grader.service.context import BAD_TOKEN
from tests.conftest import STUDENT, edited_solution
from tests.service import json_line
from tests.service_client import (
    OPEN,
    browser,
    detail,
    form_field,
    no_token_written,
    notebook,
    nothing_stored,
    page_line,
    post_head,
    raw_upload,
    read_answer,
    service_fixtures,
)

pytestmark = pytest.mark.xdist_group("service_input")

STUDENTS = ["flo", "eve", "bea", "sid", "ula"]
#: A notebook of the course that is not this assignment.
OTHER = nbformat.v4.new_notebook(
    cells=[
        nbformat.v4.new_markdown_cell("# Logistic regression"),
        nbformat.v4.new_code_cell("def sigmoid(z):\n    return 1 / (1 + np.exp(-z))"),
    ]
)


server, store = service_fixtures("service-input", STUDENTS)


@pytest.fixture(scope="module")
def flood(server):
    """A solution whose cells print megabytes, submitted first of all."""
    nb = edited_solution(
        [
            (
                "identity_block",
                "def identity_block(",
                "print('x' * 4_000_000)\ndef identity_block(",
            ),
            (
                "convolutional_block",
                "def convolutional_block(",
                "for _ in range(3000):\n    print('y' * 1000)\n"
                "def convolutional_block(",
            ),
        ]
    )
    answer = server.submit(server.tokens["flo"], nbformat.writes(nb).encode())
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def test_a_notebook_that_prints_megabytes_is_taken(flood):
    assert flood >= 1


@pytest.mark.parametrize("data", [b"", b" \n\t\n"], ids=["empty", "blank"])
def test_an_empty_file(server, store, data):
    token = server.tokens["eve"]
    with nothing_stored(server, store, token):
        answer = server.submit(token, data)
    assert answer.status_code == 400
    assert json_line(answer) == intake.EMPTY
    with nothing_stored(server, store, token), browser(server, token) as student:
        form = form_field(student.get("/").text)
        page = student.post(
            "/upload", data={"form": form}, files={"notebook": ("nb.ipynb", data)}
        )
    assert page.status_code == 400
    assert page_line(page) == intake.EMPTY


def test_a_file_over_the_limit_is_refused_before_it_is_read(server, store):
    token = server.tokens["eve"]
    with nothing_stored(server, store, token):
        # Its head says 100 MB and none of its body is sent: the answer comes.
        with post_head(server, token, "Content-Length: 100000000") as sock:
            status, headers, body = read_answer(sock)
    assert status == 413
    assert detail(body) == intake.too_large(100_000_000)
    assert "default-src 'none'" in headers["content-security-policy"]


def test_a_file_sent_without_its_length_is_cut_at_the_limit(server, store):
    token = server.tokens["eve"]
    total = 64 * 1024 * 1024
    with nothing_stored(server, store, token):
        with post_head(server, token, "Transfer-Encoding: chunked") as sock:
            sent = _send_chunks(sock, total)
            status, _, body = read_answer(sock)
    assert status == 413
    assert detail(body) == intake.too_large(MAX_BODY, over=True)
    assert sent < total / 2  # the rest was never read


def _send_chunks(sock, total: int) -> int:
    """Send a chunked multipart body of ``total`` bytes, or less if the
    server answers first; how many bytes were sent."""
    sock.setblocking(False)
    head = b'--b0\r\nContent-Disposition: form-data; name="notebook"; '
    head += b'filename="big.ipynb"\r\n\r\n'
    piece = b"x" * 65536
    pending = b"%x\r\n%s\r\n" % (len(head), head)
    sent = 0
    while pending or sent < total:
        readable, writable, _ = select.select([sock], [sock], [], 60)
        if readable:
            break
        assert writable, "the server neither read nor answered in 60 s"
        if not pending:
            pending = b"%x\r\n%s\r\n" % (len(piece), piece)
            if sent + len(pending) >= total:  # the last piece ends the body
                pending += b"a\r\n\r\n--b0--\r\n\r\n0\r\n\r\n"
        try:
            count = sock.send(pending)
        except BlockingIOError:
            continue
        pending = pending[count:]
        sent += count
    sock.settimeout(60)
    return sent


def test_a_file_just_over_the_limit_says_its_size(server, store):
    token = server.tokens["eve"]
    size = intake.MAX_BYTES + 1000
    with nothing_stored(server, store, token):
        answer = server.submit(token, b"{" + b" " * (size - 2) + b"}")
    assert answer.status_code == 413
    assert json_line(answer) == intake.too_large(size)


BINARY = bytes([*range(128, 256), *range(128)]) * 64
NOT_NOTEBOOKS = {
    "binary": (BINARY, "not a Jupyter notebook: byte 0x80 on line 1 is not UTF-8"),
    "png": (b"\x89PNG\r\n\x1a\n" + BINARY, "byte 0x89 on line 1 is not UTF-8"),
    "json object": (b'{"a": 1}', "not a Jupyter notebook (no cells)"),
    "json list": (b"[1, 2, 3]", "not a Jupyter notebook"),
    "json text": (b'"cells"', "not a Jupyter notebook"),
    "cells not a list": (b'{"cells": 5, "nbformat": 4}', "not a Jupyter notebook"),
    "no cells": (
        b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        "the notebook has no cells",
    ),
    "cut short": (STUDENT.read_bytes()[:5000], "the file stops part-way"),
    "another assignment": (
        nbformat.writes(OTHER).encode(),
        "this is not the Residual Networks assignment",
    ),
}


@pytest.mark.parametrize("kind", sorted(NOT_NOTEBOOKS))
def test_a_file_that_is_not_a_notebook_of_the_assignment(server, store, kind):
    data, words = NOT_NOTEBOOKS[kind]
    token = server.tokens["bea"]
    with nothing_stored(server, store, token):
        answer = server.submit(token, data, "Mine.ipynb")
    assert answer.status_code == 422
    line = json_line(answer)
    assert line.startswith("Mine.ipynb: ") and words in line, line
    assert "/tmp" not in line and "submitted.ipynb" not in line


ODD_NAMES = {
    "path traversal": (b"../../../../etc/passwd.ipynb", "passwd.ipynb"),
    "windows path": (b"C:\\Users\\ada\\..\\nb.ipynb", "nb.ipynb"),
    "control characters": (b"a\x01b\x07c\x1b[31m\x7fd.ipynb", "abc[31md.ipynb"),
    "right-to-left override": ("x\u202ebnpi.exe".encode(), "xbnpi.exe"),
    "very long": (b"n" * 250 + b".ipynb", "n" * 114 + ".ipynb"),
    "non-ascii": ("Résumé ノート.ipynb".encode(), "Résumé ノート.ipynb"),
    "markup": (
        b"<img src=x onerror=alert(1)>&'.ipynb",
        "<img src=x onerror=alert(1)>&'.ipynb",
    ),
    "nothing left": (b"/../ . /", "notebook.ipynb"),
}


@pytest.mark.parametrize("kind", sorted(ODD_NAMES))
def test_an_odd_file_name_is_kept_clean_and_escaped(server, store, kind):
    sent, kept = ODD_NAMES[kind]
    token = server.tokens["sid"]
    answer = raw_upload(server, token, sent, notebook(STUDENT, f"name {kind}"))
    assert answer.status_code == 202, answer.text
    id_ = answer.json()["id"]
    view = server.get(f"/api/submissions/{id_}", token).json()
    assert view["filename"] == kept
    assert store.submission(id_)["filename"] == kept
    with browser(server, token) as student:
        pages = {p: student.get(p) for p in ("/", f"/submissions/{id_}")}
        feedback = f"/submissions/{id_}/feedback"
        pages[feedback] = student.get(feedback)
    with browser(server, server.instructor) as instructor:
        pages["/class/students/sid"] = instructor.get("/class/students/sid")
        everyone = instructor.get("/class")  # no file names: nothing to escape
    for path, page in pages.items():
        assert page.status_code == 200, path
        assert kept in html.unescape(page.text), path
    for page in [*pages.values(), everyone]:
        assert "<img" not in page.text and "onerror" not in html.unescape(
            re.sub(r">[^<]*<", "><", page.text)
        )


def test_a_name_longer_than_a_part_header_may_be(server, store):
    token = server.tokens["sid"]
    with nothing_stored(server, store, token):
        answer = raw_upload(
            server, token, b"n" * 5000 + b".ipynb", notebook(STUDENT, "longest")
        )
    assert answer.status_code == 400
    assert json_line(answer) == "Invalid multipart data."


HUGE = "z" * 100_000


def test_huge_field_values(server, store):
    token = server.tokens["ula"]
    data = notebook(STUDENT, "huge fields")
    with nothing_stored(server, store, token), browser(server, token) as student:
        form = form_field(student.get("/").text)
        answers = [
            student.post(
                "/upload",
                data={"form": HUGE},
                files={"notebook": ("nb.ipynb", data)},
            ),
            student.post("/signin", data={"token": HUGE}),
            student.post(
                "/api/submissions",
                headers={"Authorization": f"Bearer {token}"},
                data={"comment": "c" * (2 * 1024 * 1024)},
                files={"notebook": ("nb.ipynb", data)},
            ),
            student.post(
                "/upload",
                data={"form": form},
                files=[("notebook", ("nb.ipynb", data))]
                + [(f"f{n}", ("f", b"")) for n in range(1100)],
            ),
        ]
        with browser(server, address="10.26.2.1") as stranger:
            long_token = stranger.get(
                "/api/submissions", headers={"Authorization": f"Bearer {HUGE[:60000]}"}
            )
    for answer in answers:
        assert answer.status_code == 400, answer.text[:300]
        line = (
            json_line(answer)
            if "json" in answer.headers["content-type"]
            else (page_line(answer))
        )
        assert len(line) < 200, line
    assert long_token.status_code == 401 and json_line(long_token) == BAD_TOKEN
    before = store.settings()
    with browser(server, server.instructor) as instructor:
        form = form_field(instructor.get("/class").text)
        for field in ("deadline", "per_hour", "queued", "late", "counts"):
            page = instructor.post(
                "/class/settings", data={**OPEN, field: HUGE, "form": form}
            )
            assert page.status_code == 400, field
            assert len(page_line(page)) < 200
    assert store.settings() == before


def test_the_notebook_that_printed_megabytes_is_graded_its_output_cut(
    server, store, flood
):
    token = server.tokens["flo"]
    view = server.wait(token, flood)
    assert view["status"] == "graded", view
    assert view["score"] == view["max_score"] == 100
    with browser(server, token) as student:
        feedback = student.get(f"/submissions/{flood}/feedback")
        page = student.get(f"/submissions/{flood}")
    assert feedback.status_code == page.status_code == 200
    for function in ("identity_block", "convolutional_block"):
        assert f"the cell defining {function} printed more than" in feedback.text
    assert len(feedback.content) < 256 * 1024
    assert len(page.content) < 32 * 1024
    assert all(len(r["result"]) < 256 * 1024 for r in store.history(flood))


def test_no_token_in_the_log_or_the_data_folder(server):
    no_token_written(server)
