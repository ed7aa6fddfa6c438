"""Who may do what on the grading service, and how often, over real HTTP.

One real ``grader serve`` for the module. A wrong token, another student's
submission, a student on the instructor's routes, a forged form, a
submission past the deadline or over a limit, a double click, guessed
sign-ins: each gets its status and its one line, and leaves nothing stored.
Then schemathesis sends what the API's OpenAPI description allows (and what
it does not), bounded and seeded, and the service answers none of it with
a server error; and no token is in its log.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import httpx
import hypothesis
import nbformat
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis.configuration import set_hypothesis_home_dir

from grader.service import intake
from grader.service.context import (
    BAD_TOKEN,
    NO_TOKEN,
    NOT_FOUND,
    NOT_INSTRUCTOR,
    SIGNIN_FAILURES,
)
from grader.service.pages import COOKIE, FORGED, SIGNED_OUT
from tests.conftest import STUDENT, edited_solution
from tests.service import json_line
from tests.service_client import (
    OPEN,
    browser,
    course,
    form_field,
    listed,
    no_token_written,
    notebook,
    nothing_stored,
    page_line,
    service_fixtures,
)

pytestmark = pytest.mark.xdist_group("service_access")

STUDENTS = ["kim", "owen", "tess", "ida", "hugo", "pat", "wes", "dan", "nell", "vic"]
#: Examples schemathesis makes for each operation, mode and caller.
EXAMPLES = 40


server, store = service_fixtures("service-access", STUDENTS)


def test_a_wrong_or_missing_token(server, store):
    data = notebook(STUDENT, "wrong-token")
    # From an address of its own: its failures count against it alone.
    with nothing_stored(server, store, server.tokens["kim"]):
        with browser(server, address="10.26.1.1") as client:
            for header, line in [
                ("Bearer rn_not-a-token", BAD_TOKEN),
                (f"Bearer {server.tokens['kim']}x", BAD_TOKEN),
                (f"Basic {server.tokens['kim']}", NO_TOKEN),
                ("Bearer", NO_TOKEN),
                ("", NO_TOKEN),
            ]:
                answer = client.post(
                    "/api/submissions",
                    headers={"Authorization": header} if header else {},
                    files={"notebook": ("nb.ipynb", data)},
                )
                assert answer.status_code == 401, header
                assert json_line(answer) == line
                assert answer.headers["www-authenticate"] == "Bearer"
            # A page's cookie with a wrong token signs nobody in.
            client.cookies.set(COOKIE, "rn_not-a-token")
            form = client.get("/")
            assert "Sign in with the token" in form.text
            page = client.post(
                "/upload",
                data={"form": "0" * 64},
                files={"notebook": ("nb.ipynb", data)},
            )
            assert page.status_code == 401
            assert page_line(page) == SIGNED_OUT


def test_another_students_submission_is_not_found(server, store):
    answer = server.submit(server.tokens["owen"], notebook(STUDENT, "owen"))
    assert answer.status_code == 202, answer.text
    id_ = answer.json()["id"]
    other = server.tokens["tess"]
    for asked in (id_, 0, -1, 10**30):
        found = server.get(f"/api/submissions/{asked}", other)
        assert found.status_code == 404, (asked, found.text)
        assert json_line(found) == NOT_FOUND
    with browser(server, other) as student:
        for path in ("", "/status.json", "/feedback"):
            page = student.get(f"/submissions/{id_}{path}")
            assert page.status_code == 404, path
            assert page_line(page) == NOT_FOUND
    assert listed(server, other) == []


STUDENT_REFUSED = [
    "/class",
    "/class/students/owen",
    "/class/tokens.csv",
    "/class/gradebook.csv",
    "/class/similarity",
]


def test_a_student_calling_the_instructors_routes(server, store):
    token = server.tokens["ida"]
    for path in ("/api/gradebook.csv", "/api/canvas.csv"):
        answer = server.get(path, token)
        assert answer.status_code == 403, path
        assert json_line(answer) == NOT_INSTRUCTOR
    before = store.settings()
    with browser(server, token) as student:
        form = form_field(student.get("/").text)  # the student's own, valid
        for path in STUDENT_REFUSED:
            page = student.get(path)
            assert page.status_code == 403, path
            assert page_line(page) == NOT_INSTRUCTOR
        for path, data in [
            ("/class/settings", {**OPEN, "per_hour": "1", "form": form}),
            ("/class/regrade", {"form": form}),
        ]:
            page = student.post(path, data=data)
            assert page.status_code == 403, path
            assert page_line(page) == NOT_INSTRUCTOR
    assert store.settings() == before
    assert all(row["generation"] == 1 for row in store.submissions())


def test_a_forged_form_is_refused(server, store):
    token = server.tokens["hugo"]
    with browser(server, server.tokens["ida"]) as other:
        someone_elses = form_field(other.get("/").text)
    data = notebook(STUDENT, "forged")
    with nothing_stored(server, store, token), browser(server, token) as student:
        for fields in ({}, {"form": "0" * 64}, {"form": someone_elses}):
            page = student.post(
                "/upload", data=fields, files={"notebook": ("nb.ipynb", data)}
            )
            assert page.status_code == 403, fields
            assert page_line(page) == FORGED
        out = student.post("/signout", data={})
        assert out.status_code == 403 and page_line(out) == FORGED
    before = store.settings()
    with browser(server, server.instructor) as instructor:
        for fields in ({}, {"form": "f" * 64}, {"form": someone_elses}):
            page = instructor.post(
                "/class/settings", data={**OPEN, "per_hour": "1", **fields}
            )
            assert page.status_code == 403, fields
            assert page_line(page) == FORGED
            page = instructor.post("/class/regrade", data=fields)
            assert page.status_code == 403 and page_line(page) == FORGED
    assert store.settings() == before


def test_a_form_another_site_sends_is_refused(server, store):
    # A page elsewhere posting the sign-in form with its author's token
    # would sign the visitor in as that author; browsers say where a
    # request comes from (Sec-Fetch-Site).
    token = server.tokens["hugo"]
    for site in ("cross-site", "same-site"):
        with httpx.Client(
            base_url=server.url, headers={"Sec-Fetch-Site": site}
        ) as elsewhere:
            answer = elsewhere.post("/signin", data={"token": token})
        assert answer.status_code == 403, site
        assert page_line(answer) == FORGED
        assert "set-cookie" not in answer.headers
    with nothing_stored(server, store, token), browser(server, token) as student:
        form = form_field(student.get("/").text)
        page = student.post(
            "/upload",
            data={"form": form},  # the right field, from the wrong site
            files={"notebook": ("nb.ipynb", notebook(STUDENT, "elsewhere"))},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert page.status_code == 403 and page_line(page) == FORGED
    with httpx.Client(
        base_url=server.url, headers={"Sec-Fetch-Site": "same-origin"}
    ) as own:
        signed = own.post("/signin", data={"token": token})
    assert signed.status_code == 303
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_a_submission_after_the_deadline(server, store):
    token = server.tokens["pat"]
    with course(server, deadline="2020-01-01T00:00", late="refuse"):
        with nothing_stored(server, store, token):
            answer = server.submit(token, notebook(STUDENT, "late"))
        assert answer.status_code == 403
        assert json_line(answer) == intake.LATE.format(when="2020-01-01 00:00 UTC")
    with course(server, deadline="2020-01-01T00:00", late="mark"):
        answer = server.submit(token, notebook(STUDENT, "late"))
    assert answer.status_code == 202, answer.text
    id_ = answer.json()["id"]
    assert server.get(f"/api/submissions/{id_}", token).json()["late"] is True
    assert listed(server, token) == [id_]
    with browser(server, token) as student:
        assert (
            '<span class="tag">late</span>' in student.get(f"/submissions/{id_}").text
        )


def test_over_the_hourly_limit(server, store):
    token = server.tokens["dan"]
    with course(server, per_hour="2"):
        taken = [server.submit(token, notebook(STUDENT, f"hour {n}")) for n in (1, 2)]
        assert [a.status_code for a in taken] == [202, 202]
        first = server.get(f"/api/submissions/{taken[0].json()['id']}", token)
        with nothing_stored(server, store, token):
            answer = server.submit(token, notebook(STUDENT, "hour 3"))
            with browser(server, token) as student:
                form = form_field(student.get("/").text)
                page = student.post(
                    "/upload",
                    data={"form": form},
                    files={"notebook": ("nb.ipynb", notebook(STUDENT, "hour 4"))},
                )
    assert answer.status_code == page.status_code == 429
    line = json_line(answer)
    found = re.fullmatch(
        r"you have made 2 submissions in the last hour, the limit; your next is "
        r"allowed at (\d{4}-\d\d-\d\d \d\d:\d\d) UTC \(in \d+ min\)",
        line,
    )
    assert found is not None, line
    allowed = datetime.strptime(found.group(1), "%Y-%m-%d %H:%M").replace(
        tzinfo=timezone.utc
    )
    due = first.json()["submitted"] + intake.HOUR
    assert abs(allowed.timestamp() - due) <= 60
    assert 0 < int(answer.headers["retry-after"]) <= intake.HOUR + 1
    assert page_line(page).startswith("you have made 2 submissions in the last hour")
    assert "retry-after" in page.headers


def test_a_double_click_sends_the_same_file_twice(server, store):
    token = server.tokens["nell"]
    data = notebook(STUDENT, "double click")
    first = server.submit(token, data)
    assert first.status_code == 202, first.text
    id_ = first.json()["id"]
    with nothing_stored(server, store, token):
        again = server.submit(token, data)
        assert again.status_code == 409
        assert again.json()["id"] == id_
        assert re.fullmatch(
            rf"this file was submitted \d+ s ago as submission {id_}; it is that one",
            json_line(again),
        )
        with browser(server, token) as student:
            form = form_field(student.get("/").text)
            page = student.post(
                "/upload", data={"form": form}, files={"notebook": ("nb.ipynb", data)}
            )
        assert page.status_code == 303
        assert page.headers["location"] == f"/submissions/{id_}"
    assert listed(server, token) == [id_]


def test_failed_sign_ins_are_rate_limited(server):
    token = server.tokens["vic"]
    with browser(server, address="10.26.3.1") as guesser:
        for n in range(SIGNIN_FAILURES):
            answer = guesser.post("/signin", data={"token": f"rn_guess-{n}"})
            assert answer.status_code == 401
            assert page_line(answer) == BAD_TOKEN
        # Past the failures, a guess waits; the right token still signs in
        # (a class may share one address).
        answer = guesser.post("/signin", data={"token": "rn_one-more-guess"})
        api = guesser.get(
            "/api/submissions", headers={"Authorization": "Bearer rn_and-another"}
        )
        right = guesser.get(
            "/api/submissions", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == api.status_code == 429
    assert right.status_code == 200
    assert re.fullmatch(
        r"too many failed sign-ins from this address; try again in \d+ min",
        json_line(api),
    )
    assert page_line(answer) == json_line(api)
    assert 0 < int(api.headers["retry-after"]) <= 601
    # Another address is not held back.
    with browser(server, token, address="10.26.3.2") as student:
        assert student.get("/").status_code == 200


def test_over_the_waiting_limit(server, store):
    token = server.tokens["wes"]
    # The first sleeps in its kernel: it waits (queued or running) a while.
    sleepy = edited_solution(
        [
            (
                "identity_block",
                "def identity_block(",
                "import time\ntime.sleep(15)\ndef identity_block(",
            )
        ]
    )
    with course(server, queued="1"):
        first = server.submit(token, nbformat.writes(sleepy).encode())
        assert first.status_code == 202, first.text
        with nothing_stored(server, store, token):
            answer = server.submit(token, notebook(STUDENT, "waiting"))
    assert answer.status_code == 429
    assert json_line(answer) == intake.WAITING.format(count=1)
    assert answer.headers["retry-after"] == "60"


@pytest.fixture
def hypothesis_home(tmp_path):
    """Hypothesis keeps its caches in the test's folder, not the checkout."""
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    set_hypothesis_home_dir(None)


@pytest.mark.parametrize("who", ["student", "instructor"])
def test_no_request_the_api_describes_gets_a_server_error(
    server, who, hypothesis_home
):
    token = server.tokens["tess"] if who == "student" else server.instructor
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    checks = [
        schemathesis.checks.not_a_server_error,
        schemathesis.checks.status_code_conformance,
        schemathesis.checks.content_type_conformance,
        schemathesis.checks.response_schema_conformance,
        schemathesis.checks.negative_data_rejection,
    ]
    tried = 0
    for found in schema.get_all_operations():
        operation = found.ok()
        for mode in schemathesis.GenerationMode:
            if mode is schemathesis.GenerationMode.NEGATIVE and not (
                operation.path_parameters or operation.body
            ):
                continue  # nothing of it can be made wrong

            @given(case=operation.as_strategy(mode))
            @hypothesis.settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                nonlocal tried
                tried += 1
                case.call_and_validate(
                    base_url=server.url,
                    headers={"Authorization": f"Bearer {token}"},
                    checks=checks,
                    timeout=60,
                )

            call()
    assert tried >= 4 * EXAMPLES  # the two operations that take input, both ways


def test_no_token_in_the_log_or_the_data_folder(server):
    no_token_written(server)
