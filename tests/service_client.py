"""What the bad-input tests send a real ``grader serve``, and how they read it.

A signed-in browser (``browser``: an HTTP client holding the sign-in
cookie), a form's hidden field, a refusal page's one line, uploads whose
multipart body is written byte for byte (a file name with control
characters, which an ordinary client would escape), the course's settings
changed as the instructor changes them (the class page's form), and the
database's rows read with the service's own ``Store``.
"""

from __future__ import annotations

import html
import json
import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest

from grader.service.store import Store, engine_for, sqlite_url
from tests.service import Server, roster

#: The course's settings while a test does not change them: no deadline and
#: limits no test reaches by accident.
OPEN = {
    "deadline": "",
    "late": "mark",
    "per_hour": "1000",
    "queued": "100",
    "counts": "latest",
}
REFUSAL = re.compile(r'<p class="fail" id="refusal">(.*?)</p>', re.S)
FORM = re.compile(r'<input type="hidden" name="form" value="([^"]*)">')


@contextmanager
def browser(
    server: Server, token: str = "", address: str = ""
) -> Iterator[httpx.Client]:
    """A client signed in with ``token`` (none: signed out), from ``address``.

    The service trusts ``X-Forwarded-For`` from 127.0.0.1, as it does from a
    reverse proxy on the same machine, so ``address`` is where the service
    sees the requests come from.
    """
    headers = {"X-Forwarded-For": address} if address else {}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        if token:
            signed = client.post("/signin", data={"token": token})
            assert signed.status_code == 303, signed.text
        yield client


def form_field(page: str) -> str:
    """The hidden field ``form`` of a page's forms."""
    found = FORM.search(page)
    assert found is not None, page[:2000]
    return html.unescape(found.group(1))


def page_line(response: httpx.Response) -> str:
    """A refusal page's one line, as its reader sees it."""
    assert response.headers["content-type"].startswith("text/html"), response.text
    found = REFUSAL.search(response.text)
    assert found is not None, response.text[:2000]
    line = html.unescape(found.group(1))
    assert line and "\n" not in line, line
    return line


def set_course(server: Server, **changes: str) -> None:
    """Change the course's settings through the class page's form."""
    with browser(server, server.instructor) as instructor:
        form = form_field(instructor.get("/class").text)
        answer = instructor.post(
            "/class/settings", data={**OPEN, **changes, "form": form}
        )
    assert answer.status_code == 303, answer.text


@contextmanager
def course(server: Server, **changes: str) -> Iterator[None]:
    """The course's settings changed while the block runs, then ``OPEN``."""
    set_course(server, **changes)
    try:
        yield
    finally:
        set_course(server)


def row_ids(store: Store) -> list[int]:
    """Every submission's id in the database, newest first."""
    return [row["id"] for row in store.submissions()]


def listed(server: Server, token: str) -> list[int]:
    """The ids a student's ``GET /api/submissions`` lists."""
    answer = server.get("/api/submissions", token)
    assert answer.status_code == 200, answer.text
    return [view["id"] for view in answer.json()]


@contextmanager
def nothing_stored(server: Server, store: Store, token: str) -> Iterator[None]:
    """Assert that the block adds no submission: no row, none in the list."""
    before = (row_ids(store), listed(server, token))
    yield
    assert (row_ids(store), listed(server, token)) == before


def notebook(path: Path, tag: str) -> bytes:
    """The notebook at ``path``, made a file of its own by a ``tag``.

    The same bytes sent twice within seconds are a double click; a tag in
    the notebook's metadata keeps each test's submissions apart.
    """
    nb = nbformat.read(path, as_version=4)
    nb.metadata["grader_test"] = tag
    return nbformat.writes(nb).encode("utf-8")


def raw_upload(
    server: Server, token: str, filename: bytes, data: bytes
) -> httpx.Response:
    """POST ``/api/submissions`` with a multipart body written byte for byte."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="notebook"; filename="',
            filename,
            b'"\r\nContent-Type: application/x-ipynb+json\r\n\r\n',
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return httpx.post(
        f"{server.url}/api/submissions",
        content=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
        timeout=60,
    )


def post_head(server: Server, token: str, head: str) -> socket.socket:
    """A socket that has sent a POST's head (``head``: its body's framing)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=60)
    sock.sendall(
        (
            "POST /api/submissions HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{server.port}\r\n"
            f"Authorization: Bearer {token}\r\n"
            "Content-Type: multipart/form-data; boundary=b0\r\n"
            f"{head}\r\n\r\n"
        ).encode()
    )
    return sock


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], str]:
    """An HTTP answer read from ``sock`` until the server closes it or its
    body is whole: status, headers (lower-case names), body."""
    received = b""
    while b"\r\n\r\n" not in received or not _whole(received):
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(
        (name.strip().lower(), value.strip())
        for name, _, value in (line.partition(":") for line in lines[1:])
    )
    return int(lines[0].split()[1]), headers, body.decode("utf-8")


def _whole(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    found = re.search(rb"content-length:\s*(\d+)", head, re.I)
    return found is not None and len(body) >= int(found.group(1))


def detail(body: str) -> str:
    """A JSON refusal's one line, from its body's text."""
    line = json.loads(body)["detail"]
    assert isinstance(line, str) and line and "\n" not in line, line
    return line


def service_fixtures(name: str, students: list[str]) -> tuple[Any, Any]:
    """A module's fixtures ``server`` and ``store``: a ``grader serve`` for
    ``students``, its course ``OPEN``, and its database read beside it."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
        folder = tmp_path_factory.mktemp(name)
        with Server(folder / "data", roster_path=roster(folder, students)) as running:
            set_course(running)
            yield running

    @pytest.fixture(scope="module")
    def store(server: Server) -> Iterator[Store]:
        opened = Store(engine_for(sqlite_url(server.data)))
        yield opened
        opened.engine.dispose()

    return server, store


def no_token_written(server: Server) -> None:
    """Assert that no token is in the service's log or its folder's files."""
    log = server.log.read_text(errors="replace")
    assert "grader: serving on" in log
    secrets = [*server.tokens.values(), server.instructor]
    assert secrets and all(secrets)
    assert not [s for s in secrets if s in log]
    for path in server.data.rglob("*"):
        if path.is_file() and path.stat().st_size < 64 * 1024 * 1024:
            data = path.read_bytes()
            assert not [s for s in secrets if s.encode() in data], path
