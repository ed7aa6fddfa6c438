"""The service's tables, as SQLAlchemy Core metadata.

The tables are created and changed only by the migrations
(``grader.service.migrations``); this module says what they hold, for the
queries. Times are seconds since the epoch (floats), so that SQLite and
PostgreSQL compare them alike.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

#: A 64-bit key that SQLite still makes its row id (BIGINT alone it would not).
ID = BigInteger().with_variant(Integer(), "sqlite")

#: Everyone who may sign in: the students of the roster and the instructor.
people = Table(
    "people",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("login", String(200), nullable=False, unique=True),
    Column("role", String(20), nullable=False),  # student | instructor
    Column("name", String(200), nullable=False, default=""),
    Column("email", String(200), nullable=False, default=""),
    # The token itself is never stored: its SHA-256, hex.
    Column("token_hash", String(64), nullable=False, unique=True),
    #: Raised each time the instructor renews the person's token.
    Column("renewals", Integer, nullable=False, default=0),
    Column("created", Float, nullable=False),
)

#: One row a submission: the notebook's bytes and its job's state.
submissions = Table(
    "submissions",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("person_id", ID, ForeignKey("people.id"), nullable=False, index=True),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("notebook", LargeBinary, nullable=False),
    Column("created", Float, nullable=False),
    # queued | running | graded | invalid | error
    Column("status", String(20), nullable=False, index=True),
    #: Raised by each regrade: a result is recorded once per generation.
    Column("generation", Integer, nullable=False, default=1),
    #: Tries of this generation that the grader itself failed (or started).
    Column("attempts", Integer, nullable=False, default=0),
    Column("worker", String(100), nullable=False, default=""),
    Column("lease_until", Float, nullable=False, default=0.0),
    Column("started", Float, nullable=False, default=0.0),
    Column("finished", Float, nullable=False, default=0.0),
    Column("late", Boolean, nullable=False, default=False),
    #: Whether it counts against the student's limit (a grader error does not).
    Column("counts", Boolean, nullable=False, default=True),
    Column("message", Text, nullable=False, default=""),
    Column("score", Float, nullable=True),
    Column("max_score", Float, nullable=True),
)

#: Every result recorded, the superseded ones kept beside the current.
results = Table(
    "results",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    Column("submission_id", ID, ForeignKey("submissions.id"), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Column("worker", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("score", Float, nullable=True),
    Column("max_score", Float, nullable=True),
    #: The ``SubmissionResult`` as JSON, report included.
    Column("result", Text, nullable=False),
    UniqueConstraint("submission_id", "generation", name="one_result_a_generation"),
)

#: The course's settings: deadline, resubmission limit, which result counts.
settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
