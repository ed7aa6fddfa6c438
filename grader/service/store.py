"""The service's database: people, submissions, results and settings.

``Store`` wraps one SQLAlchemy engine (SQLite in WAL mode by default,
PostgreSQL with ``--db``) and is the only code that writes it; the jobs'
part of it (claims, leases, results recorded once) is ``grader.service.jobs``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from grader.service.jobs import QUEUED, RUNNING, Jobs
from grader.service.schema import people, results, settings, submissions

#: The course's settings, with their defaults.
DEFAULTS: Mapping[str, str] = {
    "deadline": "",  # seconds since the epoch; "" for none
    "late": "mark",  # mark | refuse: what becomes of a submission after it
    "per_hour": "10",  # submissions a student may make in any hour
    "queued": "3",  # a student's submissions waiting at once
    "counts": "latest",  # latest | best: which result the class page counts
}


@dataclass(frozen=True)
class Person:
    """Someone who may sign in."""

    id: int
    login: str
    role: str
    name: str
    email: str
    renewals: int


def engine_for(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy wait."""
    if url.startswith("sqlite"):
        # A connection a transaction: the file is open only while it is used,
        # so nothing holds it between requests (an administrator may move or
        # remount the folder of a stopped service's database).
        engine = sa.create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=sa.pool.NullPool,
        )

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3, which the grader installs, not SQLAlchemy's default driver.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def sqlite_url(data: Path) -> str:
    """The embedded database's address in the data folder."""
    return f"sqlite:///{(data / 'service.db').resolve()}"


def migrate(engine: Engine) -> None:
    """Bring the database's tables to the newest migration."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(Path(__file__).with_name("migrations"))
    )
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Web processes and workers may start together: one migrates,
            # the others wait for it and then find nothing to do.
            connection.execute(sa.text("select pg_advisory_xact_lock(20261207)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Store(Jobs):
    """The database, by what the service does with it."""

    # People ------------------------------------------------------------

    def add_person(
        self, login: str, role: str, token_hash: str, *, name: str = "", email: str = ""
    ) -> bool:
        """Add someone not there yet; return whether they were added."""
        row = {
            "login": login,
            "role": role,
            "name": name,
            "email": email,
            "token_hash": token_hash,
            "renewals": 0,
            "created": time.time(),
        }
        try:
            with self._begin() as db:
                db.execute(people.insert().values(row))
        except IntegrityError:
            return False
        return True

    def renew(self, login: str, token_hash: str) -> None:
        """Record ``login``'s new token (its renewal count raised)."""
        with self._begin() as db:
            db.execute(
                people.update()
                .where(people.c.login == login)
                .values(token_hash=token_hash, renewals=people.c.renewals + 1)
            )

    def people(self, role: str | None = None) -> list[Person]:
        """Everyone (or everyone of ``role``), by login."""
        query = sa.select(people).order_by(people.c.login)
        if role is not None:
            query = query.where(people.c.role == role)
        with self._begin() as db:
            return [_person(dict(row)) for row in db.execute(query).mappings()]

    def by_token_hash(self, token_hash: str) -> Person | None:
        """Whose token has this hash, if anyone's."""
        query = sa.select(people).where(people.c.token_hash == token_hash)
        with self._begin() as db:
            row = db.execute(query).mappings().first()
        return _person(dict(row)) if row is not None else None

    # Settings ----------------------------------------------------------

    def settings(self) -> dict[str, str]:
        """The course's settings, defaults filled in."""
        with self._begin() as db:
            stored = dict(db.execute(sa.select(settings.c.key, settings.c.value)).all())
        return {**DEFAULTS, **{k: v for k, v in stored.items() if k in DEFAULTS}}

    def set_settings(self, values: Mapping[str, str]) -> None:
        """Change some settings."""
        with self._begin() as db:
            for key, value in values.items():
                db.execute(settings.delete().where(settings.c.key == key))
                db.execute(settings.insert().values(key=key, value=value))

    # Submissions -------------------------------------------------------

    def submit(
        self,
        person: Person,
        filename: str,
        notebook: bytes,
        sha256: str,
        *,
        late: bool,
        now: float,
    ) -> int:
        """Store a submission and queue its job, in one transaction; its id."""
        row = {
            "person_id": person.id,
            "filename": filename,
            "sha256": sha256,
            "size": len(notebook),
            "notebook": notebook,
            "created": now,
            "status": QUEUED,
            "generation": 1,
            "attempts": 0,
            "worker": "",
            "lease_until": 0.0,
            "started": 0.0,
            "finished": 0.0,
            "late": late,
            "counts": True,
            "message": "",
        }
        with self._begin() as db:
            inserted = db.execute(submissions.insert().values(row))
            key = inserted.inserted_primary_key
            assert key is not None
            return int(key[0])

    def recent(self, person: Person, since: float) -> list[float]:
        """When ``person``'s submissions that count were made since ``since``."""
        query = (
            sa.select(submissions.c.created)
            .where(submissions.c.person_id == person.id)
            .where(submissions.c.created >= since)
            .where(submissions.c.counts.is_(True))
            .order_by(submissions.c.created)
        )
        with self._begin() as db:
            return [float(t) for t in db.execute(query).scalars()]

    def waiting(self, person: Person) -> int:
        """How many of ``person``'s submissions are queued or running."""
        query = (
            sa.select(sa.func.count())
            .select_from(submissions)
            .where(submissions.c.person_id == person.id)
            .where(submissions.c.status.in_((QUEUED, RUNNING)))
        )
        with self._begin() as db:
            return int(db.execute(query).scalar_one())

    def same_as_last(
        self, person: Person, sha256: str, since: float
    ) -> tuple[int, float] | None:
        """``person``'s submission of these bytes since ``since``: id and time."""
        query = (
            sa.select(submissions.c.id, submissions.c.created)
            .where(submissions.c.person_id == person.id)
            .where(submissions.c.sha256 == sha256)
            .where(submissions.c.created >= since)
            .order_by(submissions.c.id.desc())
        )
        with self._begin() as db:
            found = db.execute(query).first()
        return (int(found[0]), float(found[1])) if found is not None else None

    def submission(self, id_: int, person: Person | None = None) -> dict[str, Any]:
        """One submission's row (without the notebook), or ``{}``.

        With ``person``, only if it is theirs. An id no row can have (past a
        64-bit key) is none, never a failure of the database's driver.
        """
        if not 0 < id_ < 2**63:
            return {}
        query = _rows().where(submissions.c.id == id_)
        if person is not None:
            query = query.where(submissions.c.person_id == person.id)
        with self._begin() as db:
            row = db.execute(query).mappings().first()
        return dict(row) if row is not None else {}

    def submissions(self, person: Person | None = None) -> list[dict[str, Any]]:
        """Submissions (``person``'s, or everyone's), newest first."""
        query = _rows().order_by(submissions.c.id.desc())
        if person is not None:
            query = query.where(submissions.c.person_id == person.id)
        with self._begin() as db:
            return [dict(row) for row in db.execute(query).mappings()]

    def notebook(self, id_: int) -> bytes:
        """A submission's notebook as it was sent."""
        query = sa.select(submissions.c.notebook).where(submissions.c.id == id_)
        with self._begin() as db:
            return bytes(db.execute(query).scalar_one())

    def result(self, id_: int) -> str | None:
        """The current result's JSON of a submission, if it has one."""
        query = (
            sa.select(results.c.result)
            .join(submissions, submissions.c.id == results.c.submission_id)
            .where(results.c.submission_id == id_)
            .where(results.c.generation == submissions.c.generation)
        )
        with self._begin() as db:
            return db.execute(query).scalars().first()

    def history(self, id_: int) -> list[dict[str, Any]]:
        """Every result recorded for a submission, oldest first."""
        query = (
            sa.select(results)
            .where(results.c.submission_id == id_)
            .order_by(results.c.generation)
        )
        with self._begin() as db:
            return [dict(row) for row in db.execute(query).mappings()]


def _person(row: Mapping[str, Any]) -> Person:
    return Person(
        id=int(row["id"]),
        login=row["login"],
        role=row["role"],
        name=row["name"],
        email=row["email"],
        renewals=int(row["renewals"]),
    )


def _rows() -> sa.Select[Any]:
    """Submissions with their owner's login, without the notebook's bytes."""
    columns = [c for c in submissions.c if c.name != "notebook"]
    return sa.select(*columns, people.c.login).join(
        people, people.c.id == submissions.c.person_id
    )
