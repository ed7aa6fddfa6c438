"""A real ``grader serve`` for the tests: its own folder, port and roster.

``Server`` starts the command as a child (its own process group, so that a
test can ``kill -9`` it and everything it started), waits until it answers
over HTTP on 127.0.0.1, and on leaving stops it and whatever it left behind.
Every wait is bounded: a service that never answers fails the test, it
never hangs it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import nbformat

from grader.reports.results import ERROR, GRADED, INVALID

FINISHED = (GRADED, INVALID, ERROR)
#: A correct notebook whose first graded cell keeps its kernel busy a while,
#: so that a fault lands while it is graded.
SLOW = (
    "identity_block",
    "# GRADED FUNCTION: identity_block\n",
    "# GRADED FUNCTION: identity_block\nimport time\ntime.sleep(20)\n",
)
#: Seconds a service may take to answer after it starts (TensorFlow's import
#: in its worker is not waited for: the web process answers before).
START_SECONDS = 60
#: Seconds a submission of the tests may take to be graded, queue included.
GRADE_SECONDS = 300


def notebook_bytes(nb: nbformat.NotebookNode, salt: str) -> bytes:
    """A notebook's bytes, made unique by ``salt`` (not a double click)."""
    nb = nbformat.from_dict(nb)
    nb.metadata["salt"] = salt
    return nbformat.writes(nb).encode()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def roster(folder: Path, students: list[str]) -> Path:
    """A roster CSV (``student,name``) of ``students``, written in ``folder``."""
    path = folder / "roster.csv"
    lines = ["student,name"] + [f"{s},Student {s}" for s in students]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Child:
    """A ``grader serve`` process of a test's, leading its own process group."""

    process: subprocess.Popen[bytes] | None = None

    def kill(self) -> None:
        """``kill -9`` the process and everything it started."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        """Stop it as Ctrl-C would, then anything left behind."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class Server(Child):
    """``grader serve`` on 127.0.0.1: ``url``, ``tokens``, ``instructor``."""

    def __init__(
        self,
        data: Path,
        *args: str,
        roster_path: Path | None = None,
        wrap: tuple[str, ...] = (),
    ) -> None:
        #: A command that runs the service's (a namespace of its own, say).
        self.wrap = wrap
        self.data = data
        self.args = list(args)
        self.roster_path = roster_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data.parent / f"{data.name}-serve-{self.port}.log"
        self.tokens: dict[str, str] = {}
        self.instructor = ""

    def start(self) -> Server:
        """Start the service and wait until it answers."""
        command = [*self.wrap, sys.executable, "-m", "grader", "serve"]
        command += ["--data", str(self.data)]
        command += ["--port", str(self.port), *self.args]
        if self.roster_path is not None:
            command += ["--roster", str(self.roster_path)]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=log, env=env, start_new_session=True
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"grader serve ended: {self.log.read_text()}")
            try:
                httpx.get(f"{self.url}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            self.stop()
            raise AssertionError(f"grader serve did not answer: {self.log.read_text()}")
        self.tokens = self._tokens()
        self.instructor = self._tokens("--instructor")["instructor"]
        return self

    def _tokens(self, *extra: str) -> dict[str, str]:
        printed = subprocess.run(
            [
                sys.executable,
                "-m",
                "grader",
                "serve",
                "tokens",
                "--data",
                str(self.data),
            ]
            + [*extra, *self._db()],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        return {row[0]: row[1] for row in list(csv.reader(io.StringIO(printed)))[1:]}

    def _db(self) -> list[str]:
        if "--db" in self.args:
            return ["--db", self.args[self.args.index("--db") + 1]]
        return []

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # The API, as a student's client calls it ---------------------------

    def submit(
        self, token: str, notebook: Path | bytes, name: str = "nb.ipynb"
    ) -> httpx.Response:
        """POST a notebook to ``/api/submissions`` as ``token``."""
        data = notebook.read_bytes() if isinstance(notebook, Path) else notebook
        return httpx.post(
            f"{self.url}/api/submissions",
            headers={"Authorization": f"Bearer {token}"},
            files={"notebook": (name, data, "application/x-ipynb+json")},
            timeout=60,
        )

    def get(self, path: str, token: str) -> httpx.Response:
        """GET ``path`` as ``token``."""
        return httpx.get(
            f"{self.url}{path}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    def wait(self, token: str, id_: int, seconds: float = GRADE_SECONDS) -> dict:
        """Wait until submission ``id_`` is finished; its JSON."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            answer = self.get(f"/api/submissions/{id_}", token)
            view = answer.json()
            if answer.status_code == 200 and view["status"] in FINISHED:
                return view
            time.sleep(0.25)
        raise AssertionError(f"submission {id_} not graded in {seconds} s: {view}")


def json_line(response: httpx.Response) -> str:
    """A refusal's one line (``{"detail": LINE}``)."""
    detail = json.loads(response.text)["detail"]
    assert isinstance(detail, str) and "\n" not in detail, detail
    return detail


class Worker(Child):
    """``grader serve --worker-only``: a grading machine of its own."""

    def __init__(self, data: Path, db: str, *args: str) -> None:
        self.data = data
        self.command = [
            sys.executable,
            "-m",
            "grader",
            "serve",
            "--worker-only",
            "--db",
            db,
            "--data",
            str(data),
            *args,
        ]
        self.log = data.parent / f"{data.name}-worker.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        """Start the worker (it grades once its kernel is warm)."""
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=log, env=env, start_new_session=True
            )
        return self

    @property
    def pid(self) -> int:
        """The worker's process id (its workers' names carry it)."""
        assert self.process is not None
        return self.process.pid
