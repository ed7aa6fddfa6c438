"""Starting the service: its folder, its database, its workers, the server.

``serve`` opens (or makes) the data folder and the database, migrates it,
adds the roster's students, gives back to the queue what a crash left
running, starts ``kernels`` grading workers and serves the application
with uvicorn until it is stopped (Ctrl-C, SIGTERM), then ends the workers
and their kernels. ``print_tokens`` prints the tokens to mail out.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO

from grader.batch.options import Options
from grader.errors import GraderError
from grader.reports.points import Policy
from grader.service import roster
from grader.service.store import Store, engine_for, migrate, sqlite_url
from grader.service.tokens import load_key
from grader.service.worker import LEASE_SECONDS

#: Seconds between looks for claims whose lease ran out (at most).
RECOVER_SECONDS = 10.0
WORKER_NEEDS_DB = (
    "--worker-only grades from a shared database: give its address with "
    "--db postgresql://USER@HOST/NAME"
)
IN_USE = (
    "{data}: another grader serve uses this folder's database; stop it first "
    "(or give this one another --data)"
)


@dataclass(frozen=True)
class Setup:
    """Where the service keeps its things."""

    data: Path
    db: str | None = None
    roster: Path | None = None
    templates: Path | None = None

    @property
    def url(self) -> str:
        """The database's address."""
        return self.db or sqlite_url(self.data)

    @property
    def embedded(self) -> bool:
        """Whether the database is the folder's own SQLite file."""
        return self.db is None or self.db.startswith("sqlite")


def open_store(setup: Setup, *, people: bool = True) -> tuple[Store, bytes]:
    """The folder made (0700), the database migrated; the store and the key.

    With ``people`` (not on a worker's machine), the instructor and the
    roster's students are added.
    """
    try:
        setup.data.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise GraderError(f"{setup.data}: cannot create the folder ({exc})") from None
    key = load_key(setup.data)
    try:
        engine = engine_for(setup.url)
        migrate(engine)
    except GraderError:
        raise
    except Exception as exc:  # noqa: BLE001  (any driver's way of failing)
        first = (
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        raise GraderError(f"the database {_shown(setup.url)}: {first}") from None
    store = Store(engine)
    if not people:
        return store, key
    roster.ensure_instructor(store, key)
    if setup.roster is not None:
        roster.load(store, key, roster.read_entries(setup.roster))
    return store, key


def _shown(url: str) -> str:
    """A database's address without its password."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, user = head.partition("://")
    return f"{scheme}://{user.split(':')[0]}@{tail}"


def print_tokens(
    setup: Setup, *, instructor: bool = False, renew: Sequence[str] = ()
) -> None:
    """Print the students' tokens (or the instructor's) as CSV."""
    store, key = open_store(setup)
    everyone = {p.login: p for p in store.people()}
    for login in renew:
        if login not in everyone:
            raise GraderError(f"--renew {login}: no such person in the roster")
        roster.renew(store, key, everyone[login])
    role = "instructor" if instructor else "student"
    print(roster.tokens_csv(store, key, role=role), end="")


@contextmanager
def folder_lock(data: Path) -> Iterator[None]:
    """Hold the data folder: one service a folder (its SQLite database)."""
    path = data / "service.lock"
    try:
        path.touch(mode=0o600)
        # Read only: the lock holds no file of the folder open for writing.
        file: IO[str] = open(path)  # noqa: SIM115  (held while serving)
    except OSError as exc:
        raise GraderError(f"{path}: cannot lock the folder ({exc})") from None
    try:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise GraderError(IN_USE.format(data=data)) from None
        yield
    finally:
        file.close()


def serve(
    setup: Setup,
    *,
    options: Options,
    points: Policy | None,
    host: str,
    port: int,
    kernels: int,
    only: str | None = None,
    lease: float = LEASE_SECONDS,
    log: TextIO,
) -> None:
    """Run the service until it is stopped."""
    import uvicorn

    from grader.judging import cache
    from grader.service.app import make_app
    from grader.service.context import Service
    from grader.service.worker import Grading

    store, key = open_store(setup)
    lock: AbstractContextManager[None] = (
        folder_lock(setup.data) if setup.embedded else nullcontext()
    )
    with lock, cache.for_batch(setup.data):
        if setup.embedded:
            # Nobody else grades from this database: what was running when
            # the service stopped was interrupted.
            store.recover(everything=True)
        service = Service(
            store=store,
            key=key,
            options=options,
            points=points or Policy(),
            templates=setup.templates,
            workers=kernels,
            only=only,
            canvas_roster=_canvas(setup.roster),
            data=setup.data if setup.embedded else None,
        )
        workers = [
            Grading(
                store,
                options,
                policy=points,
                wake=service.wake,
                name=f"w{n}",
                lease=lease,
            )
            for n in range(kernels)
        ]
        for worker in workers:
            worker.start()
        stop = threading.Event()
        keeper = threading.Thread(
            target=_recover, args=(store, stop, lease), daemon=True
        )
        keeper.start()
        print(
            f"grader: serving on http://{host}:{port}/ with {kernels} grading "
            f"worker(s); data in {setup.data}, database {_shown(setup.url)}",
            file=log,
            flush=True,
        )
        try:
            uvicorn.run(
                make_app(service),
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
            )
        finally:
            stop.set()
            for worker in workers:
                worker.stop()
            for worker in workers:
                worker.join()


def work(
    setup: Setup,
    *,
    options: Options,
    points: Policy | None,
    kernels: int,
    lease: float = LEASE_SECONDS,
    log: TextIO,
) -> None:
    """Grade jobs from the database, with no web page: until stopped.

    What ``grader serve --worker-only`` runs on a machine of its own: its
    ``kernels`` workers claim jobs from the shared database, and a claim this
    machine stops renewing (it died) goes back to the queue for another.
    """
    from grader.judging import cache
    from grader.service.worker import Grading

    if setup.embedded:
        raise GraderError(WORKER_NEEDS_DB)
    store, _key = open_store(setup, people=False)
    with cache.for_batch(setup.data):
        workers = [
            Grading(store, options, policy=points, name=f"{_host()}-w{n}", lease=lease)
            for n in range(kernels)
        ]
        for worker in workers:
            worker.start()
        print(
            f"grader: grading jobs from {_shown(setup.url)} with {kernels} "
            "worker(s); Ctrl-C to stop",
            file=log,
            flush=True,
        )
        stop = threading.Event()
        try:
            _recover(store, stop, lease)
        finally:
            for worker in workers:
                worker.stop()
            for worker in workers:
                worker.join()


def _host() -> str:
    """The machine and process, as a worker's name shows them."""
    import os
    import socket

    return f"{socket.gethostname()[:40] or 'worker'}-{os.getpid()}"


def _recover(store: Store, stop: threading.Event, lease: float) -> None:
    while not stop.wait(min(RECOVER_SECONDS, lease / 2)):
        try:
            store.recover()
        except Exception:  # noqa: BLE001  (the database away for a while)
            continue


def _canvas(path: Path | None) -> Path | None:
    """The roster, where it is Canvas's export (its header has ``ID``)."""
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8-sig") as file:
            header = file.readline()
    except OSError:
        return None
    return path if "ID" in [c.strip() for c in header.split(",")] else None
