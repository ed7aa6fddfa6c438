"""The notebook's ``submit()`` (``grader/distribution/submit.py``, the hand-out's copy).

Against a real ``grader serve``: the solution comes back 100/100 with a link
to its feedback page, which opens for the student; a wrong token and a file
the service refuses each end in one line, the service's own. Without a
service: an address where nothing listens, and every mistake in what it was
given, each one line and ``None``, never a traceback. In a real kernel: the
notebook is found by itself, and graded code that the kernel ran but the
file does not hold (a cell run, not saved) is caught before anything is sent.
"""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import httpx
import nbformat
import pytest
from nbclient import NotebookClient

from grader.distribution import submit as module
from grader.distribution.submit import check_saved, submit
from tests.conftest import SOLUTION, STUDENT
from tests.service import Server, free_port, json_line, roster

pytestmark = pytest.mark.xdist_group("submit")


def said(**arguments: object) -> tuple[object, list[str]]:
    """What ``submit`` returned and the lines it printed."""
    out = io.StringIO()
    returned = submit(out=out, **arguments)  # type: ignore[arg-type]
    return returned, out.getvalue().splitlines()


@pytest.fixture
def no_variables(monkeypatch):
    for name in (module.SERVER_VARIABLE, module.TOKEN_VARIABLE, "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)


# Without a service -------------------------------------------------------


@pytest.mark.fast
def test_an_unreachable_server_is_one_line(no_variables):
    address = f"http://127.0.0.1:{free_port()}"
    returned, lines = said(notebook=SOLUTION, server=address, token="rn_x")
    assert returned is None
    assert lines == [
        "submit: "
        + module.UNREACHABLE.format(server=address, reason="Connection refused")
    ]


@pytest.mark.fast
@pytest.mark.parametrize(
    ("arguments", "where", "message"),
    [
        ({"token": "t"}, "solution", module.NO_SERVER),
        ({"server": "http://127.0.0.1:9"}, "solution", module.NO_TOKEN),
        (
            {"server": "grading.example.edu", "token": "t"},
            "solution",
            module.BAD_SERVER.format(server="grading.example.edu"),
        ),
        (
            {"server": "http://127.0.0.1:9", "token": "t", "notebook": "gone.ipynb"},
            "empty",
            module.NOT_FOUND.format(path="gone.ipynb"),
        ),
        (
            {"server": "http://127.0.0.1:9", "token": "t"},
            "empty",
            module.NONE_HERE.format(folder="{here}", notebook=module.NOTEBOOK),
        ),
        (
            {"server": "http://127.0.0.1:9", "token": "t"},
            "two",
            module.SEVERAL.format(
                folder="{here}", names="a.ipynb, b.ipynb", first="a.ipynb"
            ),
        ),
    ],
    ids=["no server", "no token", "bad server", "no file", "none here", "several"],
)
def test_what_it_was_given_wrong_is_one_line(
    arguments, where, message, tmp_path, monkeypatch, no_variables
):
    monkeypatch.chdir(tmp_path)
    if where == "two":
        for name in ("a.ipynb", "b.ipynb"):
            (tmp_path / name).write_bytes(SOLUTION.read_bytes())
    elif where == "solution":
        arguments = {"notebook": SOLUTION, **arguments}
    returned, lines = said(**arguments)
    assert returned is None
    assert lines == ["submit: " + message.replace("{here}", str(tmp_path))]


@pytest.mark.fast
def test_the_variables_stand_for_the_arguments(tmp_path, monkeypatch, no_variables):
    # The notebook by its name in the current folder, the service and the
    # token from the environment: it gets as far as the address.
    (tmp_path / module.NOTEBOOK).write_bytes(SOLUTION.read_bytes())
    monkeypatch.chdir(tmp_path)
    address = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv(module.SERVER_VARIABLE, address + "/")
    monkeypatch.setenv(module.TOKEN_VARIABLE, "rn_x")
    returned, lines = said()
    assert returned is None
    assert lines == [
        "submit: "
        + module.UNREACHABLE.format(server=address, reason="Connection refused")
    ]


@pytest.mark.fast
def test_the_notebook_calls_it_from_public_tests(capsys, no_variables):
    # As the hand-out's README shows it: ``from public_tests import submit``.
    from public_tests import submit as from_the_notebook

    address = f"http://127.0.0.1:{free_port()}"
    assert from_the_notebook(SOLUTION, server=address, token="rn_x") is None
    assert capsys.readouterr().out.splitlines() == [
        "submit: "
        + module.UNREACHABLE.format(server=address, reason="Connection refused")
    ]


def _defined(tmp_path: Path, source: str) -> dict[str, object]:
    """The names a module of ``source`` defines (its functions keep their source)."""
    path = tmp_path / "cells.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("cells_under_test", path)
    assert spec is not None and spec.loader is not None
    made = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(made)
    return vars(made)


SAVED = "def identity_block(X, f):\n    X = X + 1\n\n    return X\n"
EDITED = "def identity_block(X, f):\n    X = X + 2\n    return X\n"


@pytest.mark.fast
def test_code_the_kernel_ran_but_the_file_lacks_is_caught(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import numpy\n\n" + SAVED + "\n")]
    data = nbformat.writes(notebook).encode()
    check_saved("nb.ipynb", data, _defined(tmp_path, SAVED))  # the same: taken
    with pytest.raises(module.SubmitError) as caught:
        check_saved("nb.ipynb", data, _defined(tmp_path, EDITED))
    assert str(caught.value) == module.UNSAVED.format(
        function="identity_block", name="nb.ipynb"
    )
    # Not a notebook at all: the service says what is wrong with it.
    check_saved("nb.ipynb", b"not json", _defined(tmp_path, EDITED))


# With a real service -----------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submit")
    with Server(
        folder / "data", roster_path=roster(folder, ["s1", "s2", "s3"])
    ) as running:
        yield running


def test_the_solution_comes_back_full_marks_with_its_link(server, no_variables):
    token = server.tokens["s1"]
    view, lines = said(notebook=SOLUTION, server=server.url + "/", token=token)
    assert isinstance(view, dict)
    assert (view["status"], view["score"], view["max_score"]) == ("graded", 100, 100)
    link = f"{server.url}/submissions/{view['id']}/feedback"
    assert lines[0] == f"Submitted Residual_Networks.ipynb: submission {view['id']}."
    assert lines[-2:] == [
        "Score: 100/100",
        f"Feedback: {link} (sign in there with your token)",
    ]
    waited = lines[1:-2]
    assert all(
        line == "Being graded..." or line.startswith("Waiting: place ")
        for line in waited
    ), waited
    with httpx.Client(base_url=server.url) as browser:
        browser.post("/signin", data={"token": token})
        page = browser.get(link)
    assert page.status_code == 200 and "Score: 100/100" in page.text


def test_the_same_file_sent_twice_waits_for_the_first(server, no_variables):
    # A double send (here, the page's upload and then submit() within the
    # service's 30 s): no second submission; submit() waits for the first.
    token = server.tokens["s2"]
    first = server.submit(token, STUDENT, "Residual_Networks.ipynb")
    assert first.status_code == 202, first.text
    id_ = first.json()["id"]
    view, lines = said(notebook=STUDENT, server=server.url, token=token)
    assert isinstance(view, dict) and view["id"] == id_
    assert (view["status"], view["score"], view["max_score"]) == ("graded", 0, 100)
    assert lines[0].startswith("This file was submitted ")
    assert lines[0].endswith(f" ago as submission {id_}; it is that one.")
    assert lines[-2] == "Score: 0/100"
    assert [s["id"] for s in server.get("/api/submissions", token).json()] == [id_]


def test_a_wrong_token_is_the_services_line(server, monkeypatch, no_variables):
    monkeypatch.setenv(module.SERVER_VARIABLE, server.url)
    monkeypatch.setenv(module.TOKEN_VARIABLE, "rn_not-a-token")
    expected = json_line(server.submit("rn_not-a-token", SOLUTION))
    returned, lines = said(notebook=SOLUTION)
    assert returned is None
    assert lines == ["submit: " + module.BAD_TOKEN.format(line=expected)]


def test_a_refusal_is_the_services_line(server, tmp_path, no_variables):
    path = tmp_path / "notes.ipynb"
    path.write_text("these are my notes, not a notebook\n", encoding="utf-8")
    token = server.tokens["s3"]
    returned, lines = said(notebook=path, server=server.url, token=token)
    assert returned is None
    expected = json_line(server.submit(token, path, "notes.ipynb"))
    assert lines == ["submit: " + module.REFUSED.format(line=expected)]
    assert server.get("/api/submissions", token).json() == []  # nothing stored


# In a real kernel --------------------------------------------------------

KERNEL_CELLS = (
    SAVED,
    "from grader.distribution.submit import submit\n"
    "submit(server={server!r}, token='rn_x')",
    EDITED,
    "submit(server={server!r}, token='rn_x')",
)


def test_in_a_kernel_it_finds_the_notebook_and_catches_unsaved_code(
    tmp_path, no_variables
):
    """The saved file holds the first definition; the kernel then runs another."""
    saved = nbformat.v4.new_notebook()
    saved.cells = [nbformat.v4.new_code_cell(SAVED)]
    nbformat.write(saved, tmp_path / module.NOTEBOOK)
    address = f"http://127.0.0.1:{free_port()}"
    running = nbformat.v4.new_notebook()
    running.cells = [
        nbformat.v4.new_code_cell(cell.format(server=address)) for cell in KERNEL_CELLS
    ]
    client = NotebookClient(
        running,
        timeout=120,
        kernel_name="python3",  # this Python's (jupyter_client maps "python")
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    printed = [
        "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for cell in running.cells
    ]
    # The same code as saved: found by its name, checked, sent (to nothing).
    reason = "Connection refused"
    assert printed[1] == (
        "submit: " + module.UNREACHABLE.format(server=address, reason=reason) + "\n"
    )
    # Run but not saved: caught before anything is sent.
    assert printed[3] == (
        "submit: "
        + module.UNSAVED.format(function="identity_block", name=module.NOTEBOOK)
        + "\n"
    )
