"""The instructor's pages: the class, a student's history, settings, regrading.

Every one of them refuses (403) anyone but the instructor; every form
carries the field ``check_form`` asks for.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from grader.service.context import NOT_INSTRUCTOR, csv_response
from grader.service.intake import Refused
from grader.service.pages import (
    check_form,
    form_field,
    page,
    service_of,
    signed_in,
    when,
)
from grader.service.store import Person

router = APIRouter(include_in_schema=False)


def _instructor(request: Request) -> Person:
    person = signed_in(request)
    if person.role != "instructor":
        raise Refused(403, NOT_INSTRUCTOR)
    return person


@router.get("/class", response_class=HTMLResponse, include_in_schema=False)
def class_page(request: Request) -> Response:
    """The class page: settings, downloads, latest submissions, the report."""
    from grader.reports.html import render_report_html

    person = _instructor(request)
    service = service_of(request)
    rows = service.store.submissions()
    results = service.results()
    report = (
        render_report_html(
            results,
            feedback=lambda student: f"/class/students/{student}",
            templates=service.templates,
        )
        if results
        else ""
    )
    return page(
        request,
        "service_class.html.j2",
        title="Residual Networks: the class",
        person=person,
        rows=rows[:200],
        count=len(rows),
        people=service.store.people("student"),
        settings=service.store.settings(),
        when=when,
        form=form_field(request, person),
        report_body=Markup(_body(report)),
        canvas=service.canvas_roster is not None,
    )


@router.get(
    "/class/students/{login}", response_class=HTMLResponse, include_in_schema=False
)
def history(login: str, request: Request) -> Response:
    """One student's submissions and every result recorded for each."""
    person = _instructor(request)
    service = service_of(request)
    rows = [r for r in service.store.submissions() if r["login"] == login]
    if not rows:
        raise Refused(404, f"no submissions from {login}")
    return page(
        request,
        "service_history.html.j2",
        title=f"Residual Networks: {login}",
        person=person,
        login=login,
        rows=rows,
        results={r["id"]: service.store.history(r["id"]) for r in rows},
        when=when,
    )


@router.post("/class/settings", include_in_schema=False)
def settings(
    request: Request,
    form: str = Form("", max_length=200),
    deadline: str = Form("", max_length=40),
    late: str = Form("mark", max_length=10),
    per_hour: int = Form(10, ge=1, le=1000),
    queued: int = Form(3, ge=1, le=100),
    counts: str = Form("latest", max_length=10),
) -> Response:
    """Change the deadline, the limits and which result counts."""
    person = _instructor(request)
    check_form(request, person, form)
    service_of(request).store.set_settings(
        {
            "deadline": _deadline(deadline),
            "late": "refuse" if late == "refuse" else "mark",
            "per_hour": str(per_hour),
            "queued": str(queued),
            "counts": "best" if counts == "best" else "latest",
        }
    )
    return RedirectResponse("/class", status_code=303)


@router.post("/class/regrade", include_in_schema=False)
def regrade(request: Request, form: str = Form("", max_length=200)) -> Response:
    """Queue every finished submission again; the old results stay."""
    person = _instructor(request)
    check_form(request, person, form)
    service = service_of(request)
    service.store.regrade()
    service.wake.set()
    return RedirectResponse("/class", status_code=303)


@router.get("/class/tokens.csv", include_in_schema=False)
def tokens(request: Request) -> Response:
    """Every student's token, as CSV to mail out."""
    from grader.service.roster import tokens_csv

    _instructor(request)
    service = service_of(request)
    return csv_response(tokens_csv(service.store, service.key), "tokens.csv")


@router.get("/class/gradebook.csv", include_in_schema=False)
def gradebook(request: Request) -> Response:
    """The gradebook of the result that counts for each student."""
    from grader.reports.render import render_gradebook

    _instructor(request)
    return csv_response(
        render_gradebook(service_of(request).results()), "gradebook.csv"
    )


@router.get("/class/similarity", response_class=HTMLResponse, include_in_schema=False)
def similarity(request: Request) -> Response:
    """The similarity page of each student's latest submission."""
    from grader.service.similar import similarity_page

    _instructor(request)
    return HTMLResponse(similarity_page(service_of(request)))


def _deadline(text: str) -> str:
    """A deadline from the form (``YYYY-MM-DDTHH:MM``, UTC) as epoch seconds."""
    text = text.strip()
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Refused(400, f"deadline {text!r}: write it as 2026-12-24T23:59") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return f"{moment.timestamp():.0f}"


def _body(page: str) -> str:
    """The inside of a page's body, to show it within another page."""
    start = page.find("<body>")
    end = page.rfind("</body>")
    return page[start + len("<body>") : end] if start >= 0 and end > start else ""
