"""The service's database, SQLite and PostgreSQL: claims, results, the queue.

No kernel: jobs are claimed and recorded as workers do, to show that a job
is claimed once, recorded once, given back when the grader fails it, and
found again after a crash.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from grader.service import schema as store_module
from grader.service.jobs import (
    ERROR,
    GRADED,
    MAX_ATTEMPTS,
    QUEUED,
    RUNNING,
    fair_order,
)
from grader.service.store import Store, engine_for, migrate, sqlite_url

pytestmark = pytest.mark.xdist_group("postgres")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A new, migrated database of each backend (one migration history)."""
    if request.param == "sqlite":
        made = engine_for(sqlite_url(tmp_path))
    else:
        made = engine_for(request.getfixturevalue("postgres_database"))
    migrate(made)
    yield made
    made.dispose()


@pytest.fixture
def store(engine):
    made = Store(engine)
    for login in ("ada", "bo"):
        made.add_person(login, "student", f"hash-{login}")
    return made


def person(store, login):
    return next(p for p in store.people() if p.login == login)


def submit(store, login, body=b"{}", now=1000.0):
    return store.submit(
        person(store, login), "nb.ipynb", body, "sha", late=False, now=now
    )


def test_a_second_start_finds_the_database_migrated(engine):
    migrate(engine)  # at the newest revision already: nothing to do
    with engine.connect() as db:
        versions = db.exec_driver_sql("select version_num from alembic_version").all()
        assert len(versions) == 1 and versions[0][0]
        if engine.dialect.name == "sqlite":
            assert db.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_job_is_claimed_by_one_worker_of_many(store):
    ids = [submit(store, "ada", now=float(n)) for n in range(6)]
    claimed: list[int] = []
    lock = threading.Lock()

    def work(name):
        while (job := store.claim(name, 60)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == ids


def test_a_result_is_recorded_once_even_if_two_workers_finish(store):
    submit(store, "ada")
    job = store.claim("w1", 60)
    assert store.record(job, "w1", GRADED, "{}", 100, 100)
    assert not store.record(job, "w2", GRADED, "{}", 50, 100)
    row = store.submission(job.id)
    assert (row["status"], row["score"]) == (GRADED, 100)
    assert len(store.history(job.id)) == 1


def test_the_graders_failure_queues_again_then_ends_as_an_error_that_does_not_count(
    store,
):
    submit(store, "ada")
    statuses = []
    for _ in range(MAX_ATTEMPTS):
        job = store.claim("w1", 60)
        statuses.append(store.give_back(job, "w1", "the kernel would not start"))
    assert statuses == [QUEUED] * (MAX_ATTEMPTS - 1) + [ERROR]
    row = store.submission(job.id)
    assert row["status"] == ERROR and not row["counts"]
    assert row["message"] == "the kernel would not start"
    assert store.recent(person(store, "ada"), 0) == []


def test_a_claim_whose_lease_ran_out_goes_back_to_the_queue(store):
    submit(store, "ada")
    job = store.claim("w1", -1)  # a lease already over: a worker that died
    assert store.submission(job.id)["status"] == RUNNING
    assert store.recover() == 1
    assert store.submission(job.id)["status"] == QUEUED
    # The dead worker's late answer is no longer its to give.
    assert not store.renew_lease(job, "w1", 60)
    again = store.claim("w2", 60)
    assert again.id == job.id and again.attempts == 2


def test_after_a_crash_every_running_job_is_queued_again(store):
    submit(store, "ada")
    store.claim("w1", 3600)
    assert store.recover() == 0  # the lease still runs
    assert store.recover(everything=True) == 1
    assert [row["status"] for row in store.submissions()] == [QUEUED]


def test_a_regrade_keeps_the_old_result_beside_the_new(store):
    submit(store, "ada")
    job = store.claim("w1", 60)
    store.record(job, "w1", GRADED, '{"old": 1}', 80, 100)
    assert store.regrade() == 1
    again = store.claim("w1", 60)
    assert again.generation == 2
    store.record(again, "w1", GRADED, '{"new": 1}', 100, 100)
    assert [r["score"] for r in store.history(job.id)] == [80, 100]
    assert store.result(job.id) == '{"new": 1}'


def test_one_student_with_many_submissions_waits_behind_the_others_first():
    # ada (1) sent four, then bo (2) one: bo's comes second, not fifth.
    rows = [(1, 1), (2, 1), (3, 1), (4, 1), (5, 2)]
    assert [id_ for id_, _ in fair_order(rows)] == [1, 5, 2, 3, 4]


def test_the_tables_match_the_migrations(engine):
    inspector = sa.inspect(engine)
    for table in store_module.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
