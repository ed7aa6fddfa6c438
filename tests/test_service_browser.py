"""What a person sees of the service, in headless Chromium (Playwright).

A student signs in with their token, uploads the solution through the page's
form and watches its status change with no reload by hand (the page's own
script asks, then shows the result), reads 100/100 and opens the feedback;
another student opening that feedback gets the 404 page; the instructor sees
the class page with the student's row and downloads the gradebook. Every
page is shown under the service's content security policy, which would
print a console error for anything it blocked. Chromium is Debian's, as in
``tests/browser.py``; without it (or Playwright) the tests skip, saying why.

The guide's pictures come from here: ``GRADER_SCREENSHOTS=docs`` writes
``service-student.png`` and ``service-class.png`` into ``docs/``; without the
variable they go to the test's temporary folder and nothing is written in
the repository.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import browser
import pytest

from tests.conftest import SOLUTION
from tests.service import GRADE_SECONDS, Server

pytestmark = pytest.mark.xdist_group("service-browser")

STUDENTS = ("student01", "student02")
SHOTS = "GRADER_SCREENSHOTS"
WIDTH = 1000
#: Chromium's own line for any answer that is not 2xx, where a 404 is meant.
NOT_FOUND_LOG = "the server responded with a status of 404"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    why = browser.missing()
    if why:
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("service-browser")
    roster = folder / "roster.csv"
    roster.write_text(
        "student,name\n" + "".join(f"{s},Student {s[-2:]}\n" for s in STUDENTS),
        encoding="utf-8",
    )
    with Server(folder / "data", roster_path=roster) as running:
        yield running


@pytest.fixture(scope="module")
def chromium(server) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=browser.chromium(), args=browser.ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where the screenshots go: the folder the variable names, or a temporary one."""
    named = os.environ.get(SHOTS)
    return Path(named) if named else tmp_path_factory.mktemp("shots")


@dataclass
class Visit:
    """A signed-in visitor's tab, and what the browser reported while in it."""

    page: Any
    origin: str
    errors: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)

    def listen(self) -> None:
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("request", self._request)
        page.route("**/status.json", self._status)
        page.on(
            "framenavigated",
            lambda frame: (
                self.navigations.append(frame.url) if frame == page.main_frame else None
            ),
        )

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.origin):
            self.elsewhere.append(request.url)

    def _status(self, route: Any) -> None:
        # What the submission page's script is told, in order: the service's
        # own answer, read on its way to the page (a body cannot be read
        # once the page has moved on).
        answer = route.fetch()
        if answer.ok:
            self.statuses.append(answer.json()["status"])
        route.fulfill(response=answer)


def visit(chromium: Any, server: Server, token: str) -> Visit:
    """A fresh browser profile, signed in with ``token`` through the form."""
    context = chromium.new_context(
        viewport={"width": WIDTH, "height": 800}, accept_downloads=True
    )
    seen = Visit(context.new_page(), server.url)
    seen.listen()
    seen.page.goto(f"{server.url}/", wait_until="load")
    seen.page.fill("#token", token)
    seen.page.click("button[type=submit]")
    seen.page.wait_for_load_state("load")
    return seen


def close(seen: Visit) -> None:
    seen.page.context.close()


def shoot(page: Any, path: Path, most: int) -> None:
    """A screenshot of the page's top, ``most`` pixels at most, never past its end."""
    bottom = page.evaluate("Math.ceil(document.body.getBoundingClientRect().bottom)")
    height = min(most, bottom + 24)
    page.screenshot(
        path=str(path),
        full_page=True,
        clip={"x": 0, "y": 0, "width": WIDTH, "height": height},
    )
    assert path.stat().st_size > 10_000  # a picture, not an empty page


@dataclass
class Watched:
    """What the first student saw, from the upload to the feedback."""

    id: int
    first_status: str
    final_status: str
    score: str
    feedback_status: int
    feedback_text: str
    listing: str
    seen: Visit


@pytest.fixture(scope="module")
def watched(chromium, server, shots) -> Iterator[Watched]:
    """The first student uploads the solution by the form and waits, hands off."""
    seen = visit(chromium, server, server.tokens[STUDENTS[0]])
    page = seen.page
    assert page.url == f"{server.url}/", page.url
    page.set_input_files("#notebook", str(SOLUTION))
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/submissions/\d+$"))
    id_ = int(page.url.rsplit("/", 1)[1])
    first = page.text_content("#status") or ""
    # The page's script shows the result: the feedback link appears once the
    # submission is finished. Nothing here reloads or navigates.
    page.locator("#feedback").wait_for(timeout=GRADE_SECONDS * 1000)
    final = page.text_content("#status") or ""
    score = page.text_content("#score") or ""
    with page.expect_navigation() as opened:
        page.click("#feedback")
    feedback = opened.value
    text = page.inner_text("body")
    page.goto(f"{server.url}/", wait_until="load")
    listing = page.inner_text("#submissions")
    shoot(page, shots / "service-student.png", 900)
    yield Watched(
        id_,
        first,
        final,
        score,
        feedback.status if feedback else 0,
        text,
        listing,
        seen,
    )
    close(seen)


def test_the_student_watches_the_status_change_live(watched, server):
    # When the page opened, the solution waited or was being graded; the
    # page's script then asked for its status until it was graded, and the
    # page showed the result without the test reloading it.
    assert watched.first_status in ("queued", "running")
    assert watched.seen.statuses, "the page's script never asked for the status"
    order = ["queued", "running", "graded"]
    assert watched.seen.statuses[-1] == "graded", watched.seen.statuses
    assert all(s in order for s in watched.seen.statuses), watched.seen.statuses
    ranks = [order.index(s) for s in watched.seen.statuses]
    assert ranks == sorted(ranks), watched.seen.statuses
    page_url = f"{server.url}/submissions/{watched.id}"
    # Signed in at /, the upload's page, then its reload by the script.
    assert watched.seen.navigations[:4] == [
        f"{server.url}/",
        f"{server.url}/",
        page_url,
        page_url,
    ], watched.seen.navigations
    assert (watched.final_status, watched.score) == ("graded", "100 / 100")


def test_the_student_reads_the_feedback_and_the_list(watched):
    assert watched.feedback_status == 200
    assert "Score: 100/100" in watched.feedback_text
    for function in ("identity_block", "convolutional_block", "ResNet50"):
        assert function in watched.feedback_text
    row = watched.listing.splitlines()[-1]
    assert row.split("\t")[0] == str(watched.id)
    assert "Residual_Networks.ipynb" in row and "100 / 100" in row
    assert watched.seen.errors == [] and watched.seen.elsewhere == []


def test_another_student_cannot_open_the_feedback(watched, chromium, server):
    other = visit(chromium, server, server.tokens[STUDENTS[1]])
    try:
        for path in ("/feedback", ""):
            answer = other.page.goto(f"{server.url}/submissions/{watched.id}{path}")
            assert answer is not None and answer.status == 404, path
            assert other.page.text_content("#refusal") == "no such submission of yours"
            assert "100" not in other.page.inner_text("body")
        listing = other.page.goto(f"{server.url}/")
        assert listing is not None and listing.status == 200
        assert other.page.locator("#submissions").count() == 0  # none of theirs
        blocked = [e for e in other.errors if NOT_FOUND_LOG not in e]
        assert blocked == [] and other.elsewhere == []
    finally:
        close(other)


def test_the_instructor_sees_the_class_and_downloads_the_gradebook(
    watched, chromium, server, shots
):
    teacher = visit(chromium, server, server.instructor)
    page = teacher.page
    try:
        assert page.url == f"{server.url}/class", page.url
        rows = [
            [cell.strip() for cell in row.split("\t")]
            for row in page.inner_text("#latest tbody").splitlines()
        ]
        assert len(rows) == 1, rows
        number, login, _when, status, score = rows[0]
        assert (number, login, status, score) == (
            str(watched.id),
            STUDENTS[0],
            "graded",
            "100 / 100",
        )
        assert STUDENTS[0] in page.inner_text("#report")
        shoot(page, shots / "service-class.png", 960)
        with page.expect_download() as info:
            page.click("#gradebook")
        download = info.value
        assert download.suggested_filename == "gradebook.csv"
        text = Path(download.path()).read_text(encoding="utf-8")
        assert teacher.errors == [] and teacher.elsewhere == []
    finally:
        close(teacher)
    (row,) = csv.DictReader(io.StringIO(text))
    assert (row["student"], row["status"]) == (STUDENTS[0], "graded")
    assert float(row["score"]) == float(row["max_score"]) == 100
    assert row["sha256"] == hashlib.sha256(SOLUTION.read_bytes()).hexdigest()
    fixed = {"student", "status", "score", "max_score", "seconds", "notebook"}
    checks = [k for k in row if k not in fixed | {"sha256", "message", "edition"}]
    assert checks and sum(float(row[k]) for k in checks) == 100
