"""The service beyond one machine: PostgreSQL, workers of their own, faults.

Each test has a new database on the session's throwaway PostgreSQL server
(``tests.postgres``), a web process with no kernels of its own, and grading
workers (``grader serve --worker-only``), each a process with its own data
folder that reaches the database only over TCP on 127.0.0.1. Faults are
made when the database says a job is running; every wait is bounded.
"""

from __future__ import annotations

import time

import nbformat
import pytest
import sqlalchemy as sa

from tests.conftest import SOLUTION, edited_solution
from tests.service import SLOW, Server, Worker, json_line, notebook_bytes, roster

pytestmark = pytest.mark.xdist_group("postgres")

#: A claim lasts this long unless renewed: a dead worker's job is free soon.
LEASE = "12"
#: Seconds a job may take to start running, a warm worker's start included.
RUNNING_SECONDS = 300


@pytest.fixture
def course(tmp_path, postgres_database):
    """A web process on the database, and a roster of four; workers to add."""
    names = ["ann", "ben", "cat", "dan"]
    web = Server(
        tmp_path / "web",
        "--db",
        postgres_database,
        "--kernels",
        "0",
        "--lease",
        LEASE,
        roster_path=roster(tmp_path, names),
    )
    workers: list[Worker] = []

    def worker(name: str) -> Worker:
        made = Worker(tmp_path / name, postgres_database, "--lease", LEASE).start()
        workers.append(made)
        return made

    engine = sa.create_engine(postgres_database, pool_pre_ping=True)
    web.start()
    try:
        yield web, worker, engine, names
    finally:
        for made in workers:
            made.stop()
        web.stop()
        engine.dispose()


def jobs(engine) -> dict[int, tuple[str, str, int]]:
    """Each submission's status, worker and count of results recorded."""
    with engine.connect() as db:
        found = db.execute(
            sa.text(
                "select s.id, s.status, s.worker, count(r.id) from submissions s "
                "left join results r on r.submission_id = s.id "
                "group by s.id, s.status, s.worker"
            )
        ).all()
    return {row[0]: (row[1], row[2], row[3]) for row in found}


def wait_for(engine, test, seconds: float = RUNNING_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = jobs(engine)
        if test(found):
            return found
        time.sleep(0.25)
    raise AssertionError(f"not in {seconds} s: {jobs(engine)}")


def submit_all(web: Server, names: list[str], slow_first: bool = False) -> list[int]:
    ids = []
    for n, name in enumerate(names):
        nb = (
            edited_solution([SLOW])
            if slow_first and n == 0
            else nbformat.read(SOLUTION, as_version=4)
        )
        answer = web.submit(web.tokens[name], notebook_bytes(nb, name))
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["id"])
    return ids


def test_a_worker_killed_mid_grading_loses_its_job_to_the_other(course):
    web, worker, engine, names = course
    first, second = worker("first"), worker("second")
    [id_] = submit_all(web, names[:1], slow_first=True)
    running = wait_for(engine, lambda j: j[id_][0] == "running")
    holder = running[id_][1]
    dead, alive = (first, second) if f"-{first.pid}-" in holder else (second, first)
    assert f"-{dead.pid}-" in holder
    dead.kill()
    done = wait_for(engine, lambda j: j[id_][0] == "graded")
    view = web.wait(web.tokens[names[0]], id_)
    assert view["score"] == 100
    assert done[id_][2] == 1  # recorded once
    with engine.connect() as db:
        recorded_by = db.execute(
            sa.text("select worker from results where submission_id = :i"), {"i": id_}
        ).scalar_one()
    assert f"-{alive.pid}-" in recorded_by


def test_postgres_stopped_and_started_during_a_burst_loses_nothing(
    course, postgres_server
):
    web, worker, engine, names = course
    worker("only")
    ids = submit_all(web, names, slow_first=True)
    wait_for(engine, lambda j: j[ids[0]][0] == "running")
    postgres_server.stop()
    try:
        listing = web.get("/api/submissions", web.tokens[names[1]])
        refused = web.submit(web.tokens[names[1]], SOLUTION.read_bytes())
    finally:
        postgres_server.start()
    assert listing.status_code == 503 and refused.status_code == 503
    assert "nothing was stored" in json_line(refused)
    views = [web.wait(web.tokens[n], i) for n, i in zip(names, ids, strict=True)]
    assert [v["status"] for v in views] == ["graded"] * len(names)
    # Four submissions, each recorded once; the refused one not stored.
    assert {i: (s, n) for i, (s, _, n) in jobs(engine).items()} == {
        i: ("graded", 1) for i in ids
    }


def test_the_web_process_killed_leaves_the_workers_grading(course):
    web, worker, engine, names = course
    worker("only")
    ids = submit_all(web, names[:2])
    web.kill()
    wait_for(engine, lambda j: all(j[i][0] == "graded" for i in ids))
    web.start()
    views = [web.wait(web.tokens[n], i) for n, i in zip(names[:2], ids, strict=True)]
    assert [(v["status"], v["score"]) for v in views] == [("graded", 100.0)] * 2
