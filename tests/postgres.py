"""A throwaway PostgreSQL server of the tests' own, on 127.0.0.1.

``Postgres`` makes a cluster with ``initdb`` in a folder of its own, starts
it with ``pg_ctl`` on a free port (TCP on loopback only, its socket in that
folder), makes a database and gives its SQLAlchemy URL. ``initdb`` and
``pg_ctl`` refuse to run as root: as root they run as the ``postgres`` user
(``runuser``), which owns the folder. ``stop`` and ``start`` let a test take
the server away and bring it back with its data; leaving removes it all.
Where PostgreSQL's programs are not installed, ``WHY_NOT`` says so and the
tests that need it skip (``.ci/run`` installs them where it can).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.service import free_port


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


BIN = _bin()
WHY_NOT = (
    ""
    if BIN is not None
    else "PostgreSQL is not installed (apt-get install -y postgresql)"
)
#: Seconds PostgreSQL may take to make, start or stop its cluster.
SECONDS = 120


class Postgres:
    """A PostgreSQL server: ``url`` once started."""

    def __init__(self) -> None:
        assert BIN is not None, WHY_NOT
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="grader-pg-"))
        self.cluster = self.root / "cluster"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/grader"
        self._user = "postgres" if os.geteuid() == 0 else ""

    def _run(self, *argv: str) -> None:
        command = [str(BIN / argv[0]), *argv[1:]]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=SECONDS, cwd=self.root
        )
        if done.returncode != 0:
            raise AssertionError(f"{argv[0]} failed: {done.stdout}{done.stderr}")

    def make(self) -> Postgres:
        """Make the cluster and its database, and start the server."""
        if self._user:
            record = pwd.getpwnam(self._user)
            os.chown(self.root, record.pw_uid, record.pw_gid)
        self._run("initdb", "-D", str(self.cluster), "-U", "postgres", "-A", "trust")
        self.start()
        self._run(
            "createdb",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "grader",
        )
        return self

    def start(self) -> None:
        """Start the server (again), with the data it had."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=60"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.cluster),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            str(SECONDS),
            "start",
        )

    def stop(self) -> None:
        """Stop the server at once (its clients are cut off)."""
        self._run("pg_ctl", "-D", str(self.cluster), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and remove its files."""
        try:
            self.stop()
        except AssertionError:
            pass  # it was not running
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Postgres:
        try:
            return self.make()
        except BaseException:
            self.remove()
            raise

    def __exit__(self, *_: object) -> None:
        self.remove()
