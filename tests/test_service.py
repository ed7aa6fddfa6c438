"""The grading service over real HTTP: a real ``grader serve``, a real kernel.

One service for the module (its kernels are the slow part): students submit
the solution and the stub, see their own results and nobody else's, and the
instructor sees the class.
"""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.conftest import SOLUTION, STUDENT
from tests.service import Server, json_line, roster

pytestmark = pytest.mark.xdist_group("service")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("service")
    with Server(
        folder / "data", roster_path=roster(folder, ["ada", "bo", "cy"])
    ) as running:
        yield running


@pytest.fixture(scope="module")
def solution_graded(server):
    answer = server.submit(server.tokens["ada"], SOLUTION, "Residual_Networks.ipynb")
    assert answer.status_code == 202, answer.text
    submitted = answer.json()
    assert submitted["status"] == "queued" and submitted["position"] >= 1
    return server.wait(server.tokens["ada"], submitted["id"])


def test_the_solution_is_graded_full_marks(server, solution_graded):
    assert solution_graded["status"] == "graded"
    assert solution_graded["score"] == solution_graded["max_score"] == 100
    assert solution_graded["feedback_url"].endswith(
        f"/submissions/{solution_graded['id']}/feedback"
    )
    mine = server.get("/api/submissions", server.tokens["ada"]).json()
    assert [s["id"] for s in mine] == [solution_graded["id"]]


def test_the_stub_is_graded_zero(server):
    token = server.tokens["bo"]
    answer = server.submit(token, STUDENT, "Residual_Networks.ipynb")
    assert answer.status_code == 202, answer.text
    view = server.wait(token, answer.json()["id"])
    assert (view["status"], view["score"], view["max_score"]) == ("graded", 0, 100)


def test_a_student_sees_only_their_own(server, solution_graded):
    other = server.tokens["cy"]
    answer = server.get(f"/api/submissions/{solution_graded['id']}", other)
    assert answer.status_code == 404
    assert json_line(answer) == "no such submission of yours"
    assert server.get("/api/submissions", other).json() == []
    # The feedback page, signed in by the cookie, is the owner's alone too.
    with httpx.Client(base_url=server.url) as browser:
        browser.post("/signin", data={"token": other})
        page = browser.get(f"/submissions/{solution_graded['id']}/feedback")
    assert page.status_code == 404


def test_the_owner_reads_the_feedback_page(server, solution_graded):
    with httpx.Client(base_url=server.url) as browser:
        signed = browser.post("/signin", data={"token": server.tokens["ada"]})
        assert signed.status_code == 303
        page = browser.get(f"/submissions/{solution_graded['id']}/feedback")
    assert page.status_code == 200
    assert "Score: 100/100" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_tokens_and_roles_are_checked(server):
    assert server.get("/api/submissions", "rn_not-a-token").status_code == 401
    student = server.get("/api/gradebook.csv", server.tokens["cy"])
    assert student.status_code == 403
    assert json_line(student) == "only the instructor may do this"
    nobody = httpx.get(f"{server.url}/api/submissions", timeout=30)
    assert nobody.status_code == 401


def test_the_instructor_downloads_the_gradebook(server, solution_graded):
    answer = server.get("/api/gradebook.csv", server.instructor)
    assert answer.status_code == 200
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO(answer.text))}
    assert float(rows["ada"]["score"]) == 100
    assert rows["ada"]["status"] == "graded"


def test_the_openapi_description_lists_the_api(server):
    paths = httpx.get(f"{server.url}/openapi.json", timeout=30).json()["paths"]
    assert {"/api/submissions", "/api/submissions/{id_}", "/api/gradebook.csv"} <= set(
        paths
    )
    assert "post" in paths["/api/submissions"]
