"""The grading service's figures: latency, and a class submitting at once.

Run from the repository root, after the README's set-up command, on a
quiet machine:

    .venv/bin/python bench/service.py                 # both parts
    .venv/bin/python bench/service.py --part latency  # one of them

``latency``: the solution notebook uploaded to ``grader serve`` (SQLite, one
kernel, the grader's cache warm, the kernel idle and warm before each
upload), from the upload to its result seen by polling, ``--runs`` times;
beside it, in the same run, ``grader grade`` of the same notebook as many
times with the same warm cache. It prints the medians, the 95th
percentiles and their ratio (goal: the service's median at most half the
command's).

``burst``: ``--burst`` submissions from half as many students sent at once
over 127.0.0.1 to a service on a throwaway PostgreSQL server (the tests'
``tests.postgres``), with one and then two worker processes
(``--worker-only``, each with a data folder of its own), while a reader
asks for a student's page and a submission's status; then ``grader grade
FOLDER -j 2`` of the same notebooks. It prints submissions a minute for
each, whether every submission was graded exactly once, and the pages'
response times (goal: the service at least as fast as the batch, pages'
95th percentile under 200 ms).

Everything it starts is stopped on every path, Ctrl-C included; every wait
is bounded (``--limit`` seconds for a part's gradings).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import nbformat
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.postgres import WHY_NOT, Postgres  # noqa: E402
from tests.service import Server, Worker, notebook_bytes, roster  # noqa: E402

SOLUTION = ROOT / "solutions" / "Residual_Networks.ipynb"


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def wait_graded(server: Server, token: str, id_: int, limit: float) -> float:
    """Poll until submission ``id_`` is finished; the moment it was seen."""
    deadline = time.monotonic() + limit
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
        while time.monotonic() < deadline:
            view = client.get(f"{server.url}/api/submissions/{id_}").json()
            if view["status"] in ("graded", "invalid", "error"):
                assert view["status"] == "graded", view
                return time.monotonic()
            time.sleep(0.05)
    raise SystemExit(f"bench: submission {id_} not graded in {limit:g} s")


def latency(folder: Path, runs: int, limit: float) -> dict[str, list[float]]:
    """The service's upload-to-result times and the command's, one run each."""
    students = [f"s{n:02d}" for n in range(runs + 1)]
    nb = nbformat.read(SOLUTION, as_version=4)
    service: list[float] = []
    with Server(folder / "data", roster_path=roster(folder, students)) as server:
        for n, student in enumerate(students):
            # Idle, with the next kernel warm: what a student finds between
            # submissions (the pool starts it once the last one is judged).
            time.sleep(10)
            started = time.monotonic()
            answer = server.submit(server.tokens[student], notebook_bytes(nb, student))
            id_ = answer.json()["id"]
            seconds = wait_graded(server, server.tokens[student], id_, limit) - started
            if n:  # the first warms the grader's cache
                service.append(seconds)
            print(f"  service {n}: {seconds:.2f} s", file=sys.stderr)
        cache = server.data / ".grader-cache"
        command: list[float] = []
        for n in range(runs):
            started = time.monotonic()
            subprocess.run(
                [sys.executable, "-m", "grader", "grade", str(SOLUTION)],
                env={**os.environ, "GRADER_CACHE_DIR": str(cache)},
                capture_output=True,
                check=True,
                timeout=limit,
            )
            command.append(time.monotonic() - started)
            print(f"  grader grade {n}: {command[-1]:.2f} s", file=sys.stderr)
    return {"service": service, "grader grade": command}


class Reader(threading.Thread):
    """Asks for pages while a burst is graded; keeps each response's time."""

    def __init__(self, server: Server, token: str, id_: int) -> None:
        super().__init__(daemon=True)
        self.server, self.token, self.id_ = server, token, id_
        self.seconds: list[float] = []
        self.statuses: set[int] = set()
        self.done = threading.Event()

    def run(self) -> None:
        """Ask for the student's page and a status, ten times a second."""
        with httpx.Client(base_url=self.server.url, timeout=30) as client:
            client.post("/signin", data={"token": self.token})
            while not self.done.wait(0.1):
                for path in ("/", f"/submissions/{self.id_}/status.json"):
                    started = time.monotonic()
                    answer = client.get(path)
                    self.seconds.append(time.monotonic() - started)
                    self.statuses.add(answer.status_code)


def burst(folder: Path, db: str, workers: int, count: int, limit: float) -> dict:
    """``count`` submissions at once, graded by ``workers`` worker processes."""
    students = [f"b{n:02d}" for n in range(max(1, count // 2))]
    nb = nbformat.read(SOLUTION, as_version=4)
    web = Server(
        folder / "web",
        "--db",
        db,
        "--kernels",
        "0",
        roster_path=roster(folder, students),
    )
    with ExitStack() as stack:
        stack.enter_context(web)
        started_workers = [Worker(folder / f"w{n}", db).start() for n in range(workers)]
        for made in started_workers:
            stack.callback(made.stop)
        _warm_up(web, students[0], nb, limit)
        bodies = [
            (students[n % len(students)], notebook_bytes(nb, f"burst-{n}"))
            for n in range(count)
        ]
        commits = _commits(db)
        started = time.monotonic()
        ids = _send_all(web, bodies)
        reader = Reader(web, web.tokens[students[0]], ids[0][1])
        reader.start()
        finished = max(wait_graded(web, web.tokens[s], i, limit) for s, i in ids)
        reader.done.set()
        reader.join()
        seconds = finished - started
        once = _graded_once(db, [i for _, i in ids])
        commits = _commits(db) - commits
    return {
        "per minute": count * 60 / seconds,
        "seconds": seconds,
        "graded once": once,
        "page p50": percentile(reader.seconds, 0.5),
        "page p95": percentile(reader.seconds, 0.95),
        "statuses": sorted(reader.statuses),
        "pages read": len(reader.seconds),
        "commits a job": commits / count,
    }


def _warm_up(
    web: Server, student: str, nb: nbformat.NotebookNode, limit: float
) -> None:
    """One grading first, so that the workers are warm and the cache too."""
    answer = web.submit(web.tokens[student], notebook_bytes(nb, "warm-up"))
    wait_graded(web, web.tokens[student], answer.json()["id"], limit)
    time.sleep(10)


def _send_all(web: Server, bodies: list[tuple[str, bytes]]) -> list[tuple[str, int]]:
    """Send every submission at once, a thread each; (student, id) back."""
    answers: dict[int, tuple[str, int]] = {}

    def send(n: int, student: str, body: bytes) -> None:
        answer = web.submit(web.tokens[student], body, f"nb{n}.ipynb")
        assert answer.status_code == 202, answer.text
        answers[n] = (student, answer.json()["id"])

    threads = [
        threading.Thread(target=send, args=(n, s, b)) for n, (s, b) in enumerate(bodies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [answers[n] for n in sorted(answers)]


def _commits(db: str) -> int:
    """Transactions committed in the database so far (PostgreSQL's count)."""
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "select xact_commit from pg_stat_database "
                        "where datname = current_database()"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _graded_once(db: str, ids: list[int]) -> bool:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            counts = dict(
                conn.execute(
                    sa.text(
                        "select submission_id, count(*) from results "
                        "group by submission_id"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    return all(counts.get(i) == 1 for i in ids)


def batch(folder: Path, count: int, limit: float) -> dict:
    """``grader grade FOLDER -j 2`` of ``count`` solution copies."""
    nb = nbformat.read(SOLUTION, as_version=4)
    notebooks = folder / "class"
    notebooks.mkdir()
    for n in range(count):
        (notebooks / f"student{n:02d}.ipynb").write_bytes(notebook_bytes(nb, f"b{n}"))
    started = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "grade",
            str(notebooks),
            "-j",
            "2",
            "--out",
            str(folder / "out"),
        ],
        capture_output=True,
        check=True,
        timeout=limit,
    )
    seconds = time.monotonic() - started
    return {"per minute": count * 60 / seconds, "seconds": seconds}


@contextmanager
def postgres() -> Iterator[Postgres]:
    """The throwaway server the tests use."""
    if WHY_NOT:
        raise SystemExit(f"bench: {WHY_NOT}")
    with Postgres() as server:
        yield server


def fresh_db(server: Postgres, name: str) -> str:
    """A new database on ``server``; its address."""
    admin = sa.create_engine(
        server.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f"create database {name}")
    admin.dispose()
    return server.url.rsplit("/", 1)[0] + f"/{name}"


def report_latency(found: dict[str, list[float]]) -> None:
    """Print the latency part's table."""
    print("\nlatency, the solution notebook, upload to result (seconds)")
    print(f"{'':14} {'p50':>7} {'p95':>7} {'runs':>5}")
    for name, values in found.items():
        print(
            f"{name:14} {statistics.median(values):7.2f} "
            f"{percentile(values, 0.95):7.2f} {len(values):5}"
        )
    ratio = statistics.median(found["service"]) / statistics.median(
        found["grader grade"]
    )
    print(f"service / grader grade, medians: {ratio:.2f} (goal: 0.5 or less)")


def report_burst(found: dict[str, dict]) -> None:
    """Print the burst part's table."""
    print("\nburst: submissions at once over 127.0.0.1, PostgreSQL")
    print(
        f"{'':26} {'a minute':>9} {'seconds':>8} {'once':>5} "
        f"{'page p50':>9} {'page p95':>9} {'commits/job':>12}"
    )
    for name, row in found.items():
        extra = ""
        if "page p95" in row:
            extra = (
                f" {row['graded once']!s:>5} {row['page p50'] * 1000:7.0f}ms"
                f" {row['page p95'] * 1000:7.0f}ms {row['commits a job']:12.1f}"
            )
        print(f"{name:26} {row['per minute']:9.1f} {row['seconds']:8.1f}{extra}")


def main() -> int:
    """Run the parts asked for and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["latency", "burst"], action="append")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--burst", type=int, default=60)
    parser.add_argument("--limit", type=float, default=1800)
    args = parser.parse_args()
    parts = args.part or ["latency", "burst"]
    print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp:
        folder = Path(tmp)
        if "latency" in parts:
            (folder / "latency").mkdir()
            report_latency(latency(folder / "latency", args.runs, args.limit))
        if "burst" in parts:
            found: dict[str, dict] = {}
            with postgres() as server:
                for workers in (1, 2):
                    part = folder / f"burst{workers}"
                    part.mkdir()
                    db = fresh_db(server, f"burst{workers}")
                    found[f"service, {workers} worker(s)"] = burst(
                        part, db, workers, args.burst, args.limit
                    )
            (folder / "batch").mkdir()
            found["grader grade -j 2"] = batch(folder / "batch", args.burst, args.limit)
            report_burst(found)
    print(f"load at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
