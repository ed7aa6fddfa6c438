"""The HTTP API: submit, a submission's status and result, mine, the gradebook.

Each route is signed with a token (``Authorization: Bearer TOKEN``); a
refusal is its status and ``{"detail": LINE}``. FastAPI describes them all
at ``/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import PlainTextResponse, Response

from grader.service.context import (
    NOT_FOUND,
    Service,
    SubmissionView,
    Submitted,
    bearer,
    csv_response,
    instructor,
)
from grader.service.intake import Refused
from grader.service.jobs import QUEUED
from grader.service.store import Person

router = APIRouter()
REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"description": 'refused, with one line: {"detail": LINE}'}
    for code in (400, 401, 403, 404, 409, 413, 422, 429, 503)
}
CSV = {**REFUSALS, 200: {"content": {"text/csv": {}}}}


@router.post(
    "/api/submissions",
    status_code=202,
    response_model=Submitted,
    responses=REFUSALS,
)
async def submit(
    request: Request,
    notebook: UploadFile = File(description="the .ipynb file"),
    person: Person = Depends(bearer),
) -> dict[str, Any]:
    """Submit a notebook; it is queued for grading."""
    service: Service = request.app.state.service
    id_, _late = await service.take(person, notebook)
    position, _ = service.position(service.store.submission(id_))
    service.wake.set()  # its place first: a worker may take it at once
    return {"id": id_, "status": QUEUED, "position": position}


@router.get("/api/submissions/{id_}", response_model=SubmissionView, responses=REFUSALS)
def status(id_: int, request: Request, person: Person = Depends(bearer)) -> Any:
    """A submission of the caller's: its status, then its score."""
    service: Service = request.app.state.service
    owner = None if person.role == "instructor" else person
    row = service.store.submission(id_, owner)
    if not row:
        raise Refused(404, NOT_FOUND)
    return service.describe(row, str(request.base_url))


@router.get("/api/submissions", response_model=list[SubmissionView], responses=REFUSALS)
def mine(request: Request, person: Person = Depends(bearer)) -> Any:
    """The caller's submissions, newest first (the instructor's: everyone's)."""
    service: Service = request.app.state.service
    owner = None if person.role == "instructor" else person
    base = str(request.base_url)
    return [service.describe(row, base) for row in service.store.submissions(owner)]


@router.get(
    "/api/gradebook.csv",
    response_class=PlainTextResponse,
    responses=CSV,
)
def gradebook(request: Request, _: Person = Depends(instructor)) -> Response:
    """The gradebook the batch writes, of each student's result that counts."""
    from grader.reports.render import render_gradebook

    service: Service = request.app.state.service
    return csv_response(render_gradebook(service.results()), "gradebook.csv")


@router.get(
    "/api/canvas.csv",
    response_class=PlainTextResponse,
    responses=CSV,
)
def canvas(request: Request, _: Person = Depends(instructor)) -> Response:
    """Canvas's gradebook import, where the roster was Canvas's export."""
    from grader.batch.roster import read_roster, render_canvas_import

    service: Service = request.app.state.service
    if service.canvas_roster is None:
        raise Refused(404, "the roster is not a Canvas export: no Canvas import")
    made = render_canvas_import(service.results(), read_roster(service.canvas_roster))
    return csv_response(made.text, "canvas-import.csv")
