"""Submitting the notebook to the course's grading service, from the notebook.

``submit()`` is what a student calls in the hand-out (``public_tests.submit``
hands over to it): it finds the saved notebook, checks that the graded
functions this kernel ran are the ones in the saved file, uploads the file to
``grader serve`` (``POST /api/submissions``), waits for the grade and prints
the score and the address of the feedback page.

It runs in the student's kernel, where the grader is not installed, so it
uses the standard library only (``urllib``) and imports nothing of the
grader's: ``grader release`` ships it as it is, as ``resnet_checks/submit.py``.

Whatever stops it is one line, printed, and ``None`` returned, never a
traceback in the student's notebook. The lines, by where they come from::

    SubmitError
      NO_SERVER, BAD_SERVER, NO_TOKEN     the arguments and the environment
      NOT_FOUND, NONE_HERE, SEVERAL,      the notebook
        UNREADABLE, UNSAVED
      UNREACHABLE, NO_ANSWER, MOVED,      the network and what answered
        ODD_ANSWER
      BAD_TOKEN, REFUSED, FAILED          the service's own line
        Again                             not an end: the same file sent
                                          twice, whose grade is awaited
      STILL, STOPPED                      still waiting when it gave up
"""

from __future__ import annotations

import inspect
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.client import HTTPException
from pathlib import Path
from typing import Any, NoReturn, TextIO

SERVER_VARIABLE = "GRADER_SERVER"
TOKEN_VARIABLE = "GRADER_TOKEN"
NOTEBOOK = "Residual_Networks.ipynb"
"""The hand-out notebook's name (every edition's), looked for first."""
GRADED = ("identity_block", "convolutional_block", "ResNet50")
"""The graded functions, whose code in the kernel must be the saved file's."""
FINISHED = ("graded", "invalid", "error")
WAIT_SECONDS = 900.0
"""How long ``submit`` waits for the grade before it says where to look."""
POLL_SECONDS = 1.0
REQUEST_SECONDS = 60.0
USER_AGENT = "resnet-checks-submit"

NO_SERVER = (
    "no server: call submit(server='https://...') or set the environment "
    f"variable {SERVER_VARIABLE} (your instructor gives the address)"
)
BAD_SERVER = (
    "server {server!r}: not a web address; write it as your instructor gave it, "
    "for example https://grading.example.edu"
)
NO_TOKEN = (
    "no token: call submit(token='...') or set the environment variable "
    f"{TOKEN_VARIABLE} (your instructor sent you your token)"
)
NOT_FOUND = (
    f"{{path}}: no such notebook; name the saved file, for example submit('{NOTEBOOK}')"
)
NONE_HERE = (
    "no notebook in {folder}: name the saved file, submit('path/to/{notebook}') "
    "(in Colab, download it with File > Download > .ipynb and upload it on the "
    "service's page)"
)
SEVERAL = "several notebooks in {folder} ({names}): say which, e.g. submit({first!r})"
UNREADABLE = "{path}: cannot read it ({reason})"
UNSAVED = (
    "{function} as this kernel last ran it is not in {name} as saved: save the "
    "notebook (File > Save; run the cell again if you changed it since) and call "
    "submit() again; the service grades the saved file"
)
UNREACHABLE = (
    "cannot reach the grading service at {server} ({reason}): check the address, "
    "or ask your instructor whether it is running"
)
NO_ANSWER = "the grading service at {server} did not answer in {seconds:.0f} s"
MOVED = "{server} sends elsewhere ({status} to {where}): use that address as server"
ODD_ANSWER = (
    "{server} answered {what}, not as a grading service does: is it the address "
    "your instructor gave?"
)
BAD_TOKEN = "your token was not accepted: {line}"
REFUSED = "the grading service did not take the notebook: {line}"
FAILED = "the grading service failed ({status}): {line}"
STILL = (
    "submission {id} is still {status} after {seconds:.0f} s; its feedback will "
    "be at {url}"
)
STOPPED = (
    "stopped waiting; submission {id} is graded all the same: its feedback will "
    "be at {url}"
)


class SubmitError(Exception):
    """What stopped a submission: the one line the student reads."""


class Again(SubmitError):
    """The same file sent moments ago: the service names that submission."""

    def __init__(self, line: str, id_: int) -> None:
        super().__init__(line)
        self.id = id_


def submit(
    notebook: str | os.PathLike[str] | None = None,
    *,
    server: str | None = None,
    token: str | None = None,
    wait: float = WAIT_SECONDS,
    out: TextIO | None = None,
) -> dict[str, Any] | None:
    """Submit the saved notebook for grading; print the score and the feedback's link.

    ``notebook`` is the saved ``.ipynb`` file (default: the notebook this
    kernel runs, where Jupyter or VS Code says which, else
    ``Residual_Networks.ipynb`` or the only notebook in the current folder).
    ``server`` and ``token`` default to the environment variables
    ``GRADER_SERVER`` and ``GRADER_TOKEN``. Returns the submission as the
    service shows it once graded, or None after printing why not.
    """
    out = out or sys.stdout
    try:
        return _submit(notebook, server, token, wait, out)
    except SubmitError as exc:
        print(f"submit: {exc}", file=out, flush=True)
        return None


def _submit(
    notebook: str | os.PathLike[str] | None,
    server: str | None,
    token: str | None,
    wait: float,
    out: TextIO,
) -> dict[str, Any]:
    address = server_address(server)
    secret = (token or os.environ.get(TOKEN_VARIABLE, "")).strip()
    if not secret:
        raise SubmitError(NO_TOKEN)
    namespace = _kernel_namespace()
    path = find_notebook(notebook, namespace)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubmitError(UNREADABLE.format(path=path, reason=_why(exc))) from None
    check_saved(path.name, data, namespace)
    try:
        id_ = _upload(address, secret, path.name, data)
        print(f"Submitted {path.name}: submission {id_}.", file=out, flush=True)
    except Again as again:  # sent twice: the service's line, then that one's grade
        id_, line = again.id, str(again)
        print(f"{line[:1].upper()}{line[1:]}.", file=out, flush=True)
    feedback = f"{address}/submissions/{id_}/feedback"
    try:
        view = _wait(address, secret, id_, wait, out, feedback)
    except KeyboardInterrupt:
        raise SubmitError(STOPPED.format(id=id_, url=feedback)) from None
    print(result_line(view), file=out)
    print(f"Feedback: {feedback} (sign in there with your token)", file=out, flush=True)
    return view


def server_address(server: str | None) -> str:
    """The service's address from the argument or ``GRADER_SERVER``, no final ``/``."""
    text = (server or os.environ.get(SERVER_VARIABLE, "")).strip()
    if not text:
        raise SubmitError(NO_SERVER)
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SubmitError(BAD_SERVER.format(server=text))
    return text.rstrip("/")


def find_notebook(
    notebook: str | os.PathLike[str] | None, namespace: dict[str, Any]
) -> Path:
    """The notebook file to submit: the one named, or this kernel's."""
    if notebook is not None:
        path = Path(notebook).expanduser()
        if not path.is_file():
            raise SubmitError(NOT_FOUND.format(path=path))
        return path
    # Jupyter's server tells a kernel its notebook in JPY_SESSION_NAME, VS
    # Code in __vsc_ipynb_file__; elsewhere the current folder is the guess.
    for told in (
        os.environ.get("JPY_SESSION_NAME"),
        namespace.get("__vsc_ipynb_file__"),
    ):
        if isinstance(told, str) and told.endswith(".ipynb") and Path(told).is_file():
            return Path(told)
    here = Path.cwd()
    if (here / NOTEBOOK).is_file():
        return here / NOTEBOOK
    found = sorted(here.glob("*.ipynb"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise SubmitError(NONE_HERE.format(folder=here, notebook=NOTEBOOK))
    names = ", ".join(p.name for p in found[:4]) + (", ..." if len(found) > 4 else "")
    raise SubmitError(SEVERAL.format(folder=here, names=names, first=found[0].name))


def check_saved(name: str, data: bytes, namespace: dict[str, Any]) -> None:
    """Refuse a file that lacks the graded code this kernel ran.

    A kernel cannot see the editor, but it keeps the source of every cell it
    ran: where a graded function defined here is not, line for line, in
    one of the saved file's code cells, the cell was changed and run but
    not saved (or saved after a change not yet run). Edits neither run nor
    saved cannot be told from here. A file that is not JSON is left to the
    service, which says what is wrong with it.
    """
    try:
        cells = json.loads(data.decode("utf-8"))["cells"]
        saved = [
            _lines(cell["source"])
            for cell in cells
            if isinstance(cell, dict) and cell.get("cell_type") == "code"
        ]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return
    for function in GRADED:
        defined = namespace.get(function)
        if not inspect.isfunction(defined):
            continue
        try:
            ran = _lines(inspect.getsource(defined))
        except (OSError, TypeError):
            continue  # defined where Python keeps no source
        if ran and not any(ran in cell for cell in saved):
            raise SubmitError(UNSAVED.format(function=function, name=name))


def _lines(source: object) -> str:
    """Code as compared: the lines without trailing spaces, blank ones left out."""
    text = "".join(source) if isinstance(source, list) else str(source)
    kept = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(kept) + "\n" if kept else ""


def _kernel_namespace() -> dict[str, Any]:
    """The notebook's variables: IPython's user namespace is ``__main__``'s."""
    main = sys.modules.get("__main__")
    return vars(main) if main is not None else {}


def result_line(view: dict[str, Any]) -> str:
    """What a finished submission came to, in one line."""
    late = " (late)" if view.get("late") else ""
    if view["status"] == "graded":
        return f"Score: {_points(view['score'])}/{_points(view['max_score'])}{late}"
    if view["status"] == "invalid":
        return f"Not graded: {view.get('message') or 'see the feedback'}{late}"
    return (
        f"The grader failed on it ({view.get('message') or 'no reason given'}); "
        "it does not count against your limit: submit again, or tell your instructor"
    )


def _points(value: object) -> str:
    return f"{float(value):g}" if isinstance(value, (int, float)) else "?"


def _upload(address: str, token: str, name: str, data: bytes) -> int:
    """POST the notebook; its submission's id (``Again`` for a double send)."""
    boundary = uuid.uuid4().hex
    filename = "".join(c for c in name if c not in '"\r\n\\')
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            (
                'Content-Disposition: form-data; name="notebook"; '
                f'filename="{filename}"\r\n'
            ).encode(),
            b"Content-Type: application/x-ipynb+json\r\n\r\n",
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    content = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    status, answer = _call(address, "/api/submissions", token, body, content)
    if status != 202 or not isinstance(answer, dict) or "id" not in answer:
        raise SubmitError(ODD_ANSWER.format(server=address, what=status))
    return int(answer["id"])


def _wait(
    address: str, token: str, id_: int, seconds: float, out: TextIO, feedback: str
) -> dict[str, Any]:
    """Ask for the submission until it is finished; print where it stands."""
    deadline = time.monotonic() + seconds
    shown: tuple[object, object] | None = None
    while True:
        status, view = _call(address, f"/api/submissions/{id_}", token)
        if status != 200 or not isinstance(view, dict) or "status" not in view:
            raise SubmitError(ODD_ANSWER.format(server=address, what=status))
        if view["status"] in FINISHED:
            return view
        now = (view["status"], view.get("position"))
        if now != shown:
            print(_progress(view), file=out, flush=True)
            shown = now
        if time.monotonic() >= deadline:
            raise SubmitError(
                STILL.format(
                    id=id_, status=view["status"], seconds=seconds, url=feedback
                )
            )
        time.sleep(POLL_SECONDS)


def _progress(view: dict[str, Any]) -> str:
    if view["status"] != "queued":
        return "Being graded..."
    estimate = view.get("estimate_seconds")
    about = f" (about {estimate:.0f} s)" if isinstance(estimate, (int, float)) else ""
    return f"Waiting: place {view.get('position')} in the queue{about}..."


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers: a POST sent on as a GET would lose the file."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _call(
    address: str,
    path: str,
    token: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request to the service: its status and its JSON (None if not JSON).

    A refusal (4xx, 5xx with the service's ``{"detail": LINE}``) and any
    failure to reach it are raised as ``SubmitError`` with their line.
    """
    request = urllib.request.Request(
        address + path,
        data=body,
        method="GET" if body is None else "POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            **(headers or {}),
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=REQUEST_SECONDS) as answer:
            return answer.status, _json(answer.read())
    except urllib.error.HTTPError as exc:
        _refused(address, exc)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise SubmitError(
                NO_ANSWER.format(server=address, seconds=REQUEST_SECONDS)
            ) from None
        raise SubmitError(
            UNREACHABLE.format(server=address, reason=_why(reason))
        ) from None
    except TimeoutError:
        raise SubmitError(
            NO_ANSWER.format(server=address, seconds=REQUEST_SECONDS)
        ) from None
    except (HTTPException, OSError, ValueError) as exc:
        raise SubmitError(
            UNREACHABLE.format(server=address, reason=_why(exc))
        ) from None


def _refused(address: str, exc: urllib.error.HTTPError) -> NoReturn:
    """Raise the line of an HTTP error answer."""
    if exc.code in (301, 302, 303, 307, 308):
        where = exc.headers.get("Location", "?")
        raise SubmitError(MOVED.format(server=address, status=exc.code, where=where))
    try:
        answer = _json(exc.read())
    except (OSError, HTTPException):
        answer = None
    detail = answer.get("detail") if isinstance(answer, dict) else None
    if not isinstance(detail, str):
        what = f"{exc.code} {exc.reason}"
        raise SubmitError(ODD_ANSWER.format(server=address, what=what))
    line = " ".join(detail.split())
    if exc.code == 409 and isinstance(answer.get("id"), int):
        raise Again(line, answer["id"])
    if exc.code == 401:
        raise SubmitError(BAD_TOKEN.format(line=line))
    if exc.code >= 500:
        raise SubmitError(FAILED.format(status=exc.code, line=line))
    raise SubmitError(REFUSED.format(line=line))


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:
        return None


def _why(reason: object) -> str:
    """An operating system's reason without its number: ``Connection refused``."""
    text = getattr(reason, "strerror", None)
    return str(text) if text else str(reason) or type(reason).__name__
