"""The web application: the API and the pages behind the service's guards.

``make_app`` builds a FastAPI application over a ``Service``. Every response
carries a content security policy; a request over the size limit is refused
before it is read (by its Content-Length), or as soon as it passes the limit
where it has none (``BodyLimit``); every refusal is an HTTP status with one
line (JSON ``{"detail": LINE}`` for the API, a page for the browser); a
database that cannot be reached is a 503, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grader.service import api, class_pages, intake, pages
from grader.service.context import CSP, DATABASE_DOWN, READ_ONLY, Service
from grader.service.intake import Refused

log = logging.getLogger("grader.service")
#: The most a request's body may hold: the largest notebook and its form.
MAX_BODY = intake.MAX_BYTES + 64 * 1024


class TooLarge(Exception):
    """A request's body that passed ``MAX_BODY`` while it was being read."""


class BodyLimit:
    """Count a request body's bytes as they arrive; past ``MAX_BODY``, stop.

    A body sent without a Content-Length (chunked) is not refused by its
    header: this ends its reading at the limit (``TooLarge``, which the
    application answers with 413) instead of spooling all of it to disk.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, its body counted."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    raise TooLarge()
            return message

        await self.app(scope, counted, send)


def make_app(service: Service) -> FastAPI:
    """The service's web application."""
    app = FastAPI(
        title="Residual Networks grader",
        version="1",
        description="Submit a notebook of the Residual Networks assignment and "
        "see its grade. Every call but the description is signed with a "
        "token: 'Authorization: Bearer TOKEN'.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = service
    app.add_middleware(BodyLimit)
    _guards(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(class_pages.router)
    return app


def _guards(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            response: Response = _refusal(
                request, Refused(413, intake.too_large(int(length)))
            )
        else:
            response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return _refusal(request, exc)

    @app.exception_handler(HTTPException)
    async def starlette(request: Request, exc: HTTPException) -> Response:
        # Starlette's own refusals (no such page, a form it cannot parse)
        # and a body cut at the limit (FastAPI reports it as a parse error).
        if _caused_by(exc, TooLarge):
            line = intake.too_large(MAX_BODY, over=True)
            return _refusal(request, Refused(413, line))
        line = " ".join(str(exc.detail).split()) or "the request was refused"
        response = _refusal(request, Refused(exc.status_code, line))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(DBAPIError)
    async def database(request: Request, exc: DBAPIError) -> Response:
        service: Service = request.app.state.service
        line = DATABASE_DOWN if service.writable() else READ_ONLY
        return _refusal(request, Refused(503, line, retry_after=30))

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        # The service's own fault: one line for the caller, the whole
        # traceback for the instructor's log (it holds no token).
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        line = (
            f"the service failed ({type(exc).__name__}); the instructor's log says more"
        )
        return _refusal(request, Refused(500, line))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        line = f"{where or 'the request'}: {first.get('msg', 'not valid')}".lower()
        if "notebook" in where:
            line = "send the notebook as the form's file field 'notebook'"
        return _refusal(request, Refused(400, line))


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is in ``exc``'s chain of causes."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None or isinstance(seen, kind):
            return seen is not None
        seen = seen.__cause__ or seen.__context__
    return False


def _refusal(request: Request, exc: Refused) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        body: dict[str, Any] = {"detail": exc.line}
        if exc.existing:
            body["id"] = exc.existing
        return JSONResponse(body, status_code=exc.status, headers=headers)
    return pages.refusal_page(request, exc, headers)
