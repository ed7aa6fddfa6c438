"""The service's pages: sign-in, a student's submissions, the class page.

A page's visitor is signed in by a cookie that holds their token (HttpOnly,
SameSite=Strict); every form that changes something carries a field made
from the token under the service's key (``form_token``), so a form posted
from elsewhere is refused. Pages are drawn from the Jinja2 templates the
batch uses (``--templates`` replaces them), which escape everything a
student sent; a page's live status comes from ``status.js`` (the only
script, served from here, as the content security policy asks).
"""

from __future__ import annotations

from datetime import datetime, timezone
from importlib import resources
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from grader.reports import templating
from grader.service import intake
from grader.service.context import NOT_FOUND, Service
from grader.service.intake import Refused
from grader.service.store import Person
from grader.service.tokens import form_token, same, token_hash

router = APIRouter(include_in_schema=False)
COOKIE = "grader_token"
SIGNED_OUT = "sign in with the token your instructor sent you"
FORGED = "this form did not come from this page: open the page again and resend"


def service_of(request: Request) -> Service:
    """The request's ``Service``."""
    service: Service = request.app.state.service
    return service


def visitor(request: Request) -> Person | None:
    """Who the page's visitor is, by the cookie; None if nobody signed in."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    try:
        return service_of(request).person(token, _address(request))
    except Refused:
        return None


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "?"


def signed_in(request: Request) -> Person:
    """The page's visitor, who must be signed in (401 otherwise)."""
    person = visitor(request)
    if person is None:
        raise Refused(401, SIGNED_OUT)
    return person


def form_field(request: Request, person: Person) -> str:
    """The value of the forms' hidden field for this visitor."""
    token = request.cookies.get(COOKIE, "")
    return form_token(service_of(request).key, token_hash(token))


def check_form(request: Request, person: Person, sent: str) -> None:
    """Refuse (403) a form whose hidden field is not this visitor's."""
    check_site(request)
    if not same(sent, form_field(request, person)):
        raise Refused(403, FORGED)


def check_site(request: Request) -> None:
    """Refuse (403) a form that the browser says another site sent.

    Browsers name where a request comes from (``Sec-Fetch-Site``); a page of
    another site that posts the sign-in form with its own token would sign
    the visitor in as someone else (their next upload going to that
    account), and the sign-in form has no visitor yet to carry a field of.
    A client that names no site (not a browser) is judged by its token.
    """
    site = request.headers.get("sec-fetch-site", "same-origin")
    if site not in ("same-origin", "none"):
        raise Refused(403, FORGED)


def page(
    request: Request, name: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """Draw a page from its template, with the status given."""
    service = service_of(request)
    text = templating.render(name, service.templates, **context)
    return HTMLResponse(text, status_code=status)


def refusal_page(
    request: Request, exc: Refused, headers: dict[str, str]
) -> HTMLResponse:
    """A refusal as a page: its line, and the way back."""
    response = page(
        request,
        "service_refused.html.j2",
        exc.status,
        title="Residual Networks: not done",
        line=exc.line,
        signed_in=visitor(request) is not None,
    )
    response.headers.update(headers)
    return response


def when(seconds: float) -> str:
    """A moment as pages write it."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S UTC"
    )


@router.get("/static/status.js", include_in_schema=False)
def script() -> Response:
    """The submission page's live status (the only script)."""
    text = resources.files("grader.service").joinpath("status.js").read_text()
    return Response(text, media_type="text/javascript")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> Response:
    """The sign-in page, or a student's submissions and upload form."""
    person = visitor(request)
    if person is None:
        return page(
            request, "service_signin.html.j2", title="Residual Networks: sign in"
        )
    if person.role == "instructor":
        return RedirectResponse("/class", status_code=303)
    service = service_of(request)
    rows = service.store.submissions(person)
    return page(
        request,
        "service_student.html.j2",
        title=f"Residual Networks: {person.login}",
        person=person,
        rows=rows,
        when=when,
        form=form_field(request, person),
        limit_mb=intake.MAX_BYTES / 1e6,
        settings=service.store.settings(),
    )


@router.post("/signin", include_in_schema=False)
def signin(request: Request, token: str = Form("", max_length=200)) -> Response:
    """Sign in with a token: a cookie that holds it."""
    check_site(request)
    person = service_of(request).person(token.strip(), _address(request))
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        token.strip(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=60 * 60 * 24 * 30,
    )
    del person
    return response


@router.post("/signout", include_in_schema=False)
def signout(request: Request, form: str = Form("", max_length=200)) -> Response:
    """Sign out: the cookie removed."""
    person = signed_in(request)
    check_form(request, person, form)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.post("/upload", include_in_schema=False)
async def upload(
    request: Request,
    notebook: UploadFile = File(),
    form: str = Form("", max_length=200),
) -> Response:
    """Take a notebook from the upload form; its page next."""
    person = signed_in(request)
    check_form(request, person, form)
    try:
        id_, _late = await service_of(request).take(person, notebook)
    except Refused as exc:
        if not exc.existing:
            raise
        id_ = exc.existing  # a double click: the first one's page
    service_of(request).wake.set()
    return RedirectResponse(f"/submissions/{id_}", status_code=303)


@router.get("/submissions/{id_}", response_class=HTMLResponse, include_in_schema=False)
def submission(id_: int, request: Request) -> Response:
    """One submission: its live status, then its score."""
    person = signed_in(request)
    service = service_of(request)
    row = own(service, person, id_)
    view = service.describe(row, str(request.base_url))
    return page(
        request,
        "service_submission.html.j2",
        title=f"Residual Networks: submission {id_}",
        person=person,
        view=view,
        when=when,
    )


@router.get("/submissions/{id_}/status.json", include_in_schema=False)
def live(id_: int, request: Request) -> dict[str, Any]:
    """What the submission page's script asks for: the API's view."""
    person = signed_in(request)
    service = service_of(request)
    return service.describe(own(service, person, id_), str(request.base_url))


@router.get(
    "/submissions/{id_}/feedback",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def feedback(id_: int, request: Request) -> Response:
    """The HTML feedback of a submission, as a batch writes it."""
    from grader.reports.html import render_feedback_html

    person = signed_in(request)
    service = service_of(request)
    own(service, person, id_)
    result = result_of(service, id_)
    page = render_feedback_html(result, templates=service.templates)
    return HTMLResponse(page)


def own(service: Service, person: Person, id_: int) -> dict[str, Any]:
    """A submission of ``person``'s (any, for the instructor); 404 otherwise."""
    owner = None if person.role == "instructor" else person
    row = service.store.submission(id_, owner)
    if not row:
        raise Refused(404, NOT_FOUND)
    return row


def result_of(service: Service, id_: int) -> Any:
    """A submission's current result, or one that says it has none yet."""
    import json

    from grader.reports.results import SubmissionResult

    text = service.store.result(id_)
    if not text:
        row = service.store.submission(id_)
        return SubmissionResult(
            row["login"],
            row["filename"],
            "",
            row["status"],
            row["message"] or "not graded yet",
        )
    return SubmissionResult.from_dict(json.loads(text))
