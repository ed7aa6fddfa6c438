"""The service under faults: killed, its kernel killed, its disk read-only.

Each test drives a real ``grader serve`` over HTTP and reads its real
SQLite database afterwards, to count the results recorded. Every wait is
bounded (``tests.service``); nothing here depends on how fast the machine is:
a fault is made when the database says the job is running.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.conftest import SOLUTION, edited_solution
from tests.service import SLOW, Server, json_line, notebook_bytes, roster

pytestmark = pytest.mark.xdist_group("service-faults")

#: Seconds a test waits for a job to be running (its kernel started).
RUNNING_SECONDS = 240


def rows(data) -> dict[int, tuple[str, int]]:
    """Each submission's status and how many results were recorded for it."""
    with sqlite3.connect(data / "service.db") as db:
        found = db.execute(
            "select s.id, s.status, count(r.id) from submissions s "
            "left join results r on r.submission_id = s.id group by s.id"
        ).fetchall()
    return {id_: (status, count) for id_, status, count in found}


def wait_running(data, id_: int, seconds: float = RUNNING_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if rows(data).get(id_, ("", 0))[0] == "running":
            return
        time.sleep(0.2)
    raise AssertionError(f"submission {id_} never ran: {rows(data)}")


def kernels_below(pid: int) -> list[int]:
    """The kernels (ipykernel processes) that ``pid`` started, at any depth."""
    parents: dict[int, int] = {}
    kernels = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read()
        except OSError:
            continue
        parents[int(entry)] = int(stat[stat.rfind(b")") + 2 :].split()[1])
        if b"ipykernel" in argv and b"-m\0grader" not in argv:
            kernels.append(int(entry))

    def below(child: int) -> bool:
        seen = 0
        while child in parents and seen < 64:
            if parents[child] == pid:
                return True
            child, seen = parents[child], seen + 1
        return False

    return [k for k in kernels if below(k)]


def read_only(pid: int, folder, mode: str = "ro") -> None:
    """Make ``folder`` read-only in the mount namespace of process ``pid``.

    The kernel refuses while a file there is open for writing (the
    database, for the moment a request or a worker's look at the queue
    uses it): tried again until a moment when none is, a bounded number of
    times.
    """
    command = ["nsenter", "-t", str(pid), "-m", "mount", "-o", f"remount,bind,{mode}"]
    for _ in range(400):
        done = subprocess.run(
            [*command, str(folder)], capture_output=True, text=True, timeout=30
        )
        if done.returncode == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"could not make {folder} read-only: {done.stderr}")


def test_a_service_killed_mid_grading_grades_everything_once_when_restarted(
    tmp_path,
):
    data = tmp_path / "data"
    students = ["ann", "ben", "cat"]
    server = Server(data, roster_path=roster(tmp_path, students)).start()
    try:
        slow = edited_solution([SLOW])
        ids = []
        for student in students:
            answer = server.submit(
                server.tokens[student], notebook_bytes(slow, student)
            )
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["id"])
        wait_running(data, ids[0])
        server.kill()  # kill -9: one running, two queued
        assert sorted(status for status, _ in rows(data).values()) == [
            "queued",
            "queued",
            "running",
        ]
        server.start()  # the same folder, the same database
        views = [
            server.wait(server.tokens[s], i) for s, i in zip(students, ids, strict=True)
        ]
    finally:
        server.stop()
    assert [(v["status"], v["score"]) for v in views] == [("graded", 100.0)] * 3
    assert rows(data) == {id_: ("graded", 1) for id_ in ids}


def test_a_kernel_killed_from_outside_is_retried_then_an_error_that_does_not_count(
    tmp_path,
):
    data = tmp_path / "data"
    server = Server(data, roster_path=roster(tmp_path, ["dee"])).start()
    token = server.tokens["dee"]
    try:
        answer = server.submit(token, notebook_bytes(edited_solution([SLOW]), "k"))
        id_ = answer.json()["id"]
        killed = 0
        deadline = time.monotonic() + RUNNING_SECONDS * 3
        while rows(data)[id_][0] in ("queued", "running"):
            assert time.monotonic() < deadline, rows(data)
            if rows(data)[id_][0] == "running":
                assert server.process is not None
                for kernel in kernels_below(server.process.pid):
                    os.kill(kernel, signal.SIGKILL)
                    killed += 1
            time.sleep(0.5)
        view = server.wait(token, id_)
        mine = server.get("/api/submissions", token).json()
    finally:
        server.stop()
    assert killed >= 1
    assert view["status"] == "error" and view["score"] is None
    assert "kernel" in view["message"]  # would not start, or died: the grader's
    assert view["counts"] is False and mine[0]["counts"] is False
    assert rows(data) == {id_: ("error", 1)}


@pytest.mark.skipif(os.geteuid() != 0, reason="a read-only mount needs root")
def test_a_read_only_data_folder_refuses_uploads_with_503_and_stores_nothing(
    tmp_path,
):
    data = tmp_path / "data"
    data.mkdir()
    # The service runs in a mount namespace of its own, where its folder is
    # a bind mount that the test makes read-only under it.
    server = Server(
        data,
        roster_path=roster(tmp_path, ["eve"]),
        wrap=(
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            f'mount --bind "{data}" "{data}" && exec "$0" "$@"',
        ),
    ).start()
    token = server.tokens["eve"]
    try:
        before = rows(data)
        assert server.process is not None
        read_only(server.process.pid, data)
        answer = server.submit(token, SOLUTION.read_bytes())
        line = json_line(answer)
        read_only(server.process.pid, data, "rw")  # the disk back
        listing = server.get("/api/submissions", token)
        assert rows(data) == before == {}
        again = server.submit(token, SOLUTION.read_bytes())
    finally:
        server.stop()
    assert answer.status_code == 503
    assert "read-only" in line and "nothing was stored" in line
    assert listing.status_code == 200 and listing.json() == []
    assert again.status_code == 202
