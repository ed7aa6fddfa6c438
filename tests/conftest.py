"""Shared fixtures: scenario notebooks made from the solution, graded once each."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from pathlib import Path

import nbformat
import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solutions" / "Residual_Networks.ipynb"
STUDENT = ROOT / "assignment" / "Residual_Networks.ipynb"


def pytest_configure(config: pytest.Config) -> None:
    """One cache of the reference's results for the run (``grader.judging.cache``).

    Made by the process that starts the run, before xdist starts its workers,
    which inherit the variable: the reference's training run is computed once
    per run, not once per grading, and never read from an earlier run or the
    user's own cache. Each test still grades its submissions.
    """
    if hasattr(config, "workerinput") or os.environ.get("GRADER_CACHE_DIR"):
        return
    import tempfile

    folder = tempfile.mkdtemp(prefix="grader-test-cache-")
    os.environ["GRADER_CACHE_DIR"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Tests marked ``xdist_group(NAME)`` run on one worker under ``--dist
    loadgroup``, as pytest-xdist documents.

    xdist marks the group by appending ``@NAME`` to each item's ``_nodeid``;
    pytest 9.2 derives the node id from a structured ``_id`` instead, so the
    mark silently stopped grouping and each worker built the shared session
    fixtures again (pytest-dev/pytest-xdist#1386). Until xdist's fix is out,
    this appends the suffix where xdist's did not take; it does nothing where
    xdist's works, or without loadgroup (``config.option.loadgroup`` is set on
    the workers only).
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = type(item._id).parse(item.nodeid + suffix)


def printed_vector(text: str, after: str) -> np.ndarray:
    """The vector printed in ``text`` right after ``after``, as numbers.

    NumPy's print of a float32 vector depends on the CPU (oneDNN picks other
    kernels with AVX-512: ``0.94823`` on one machine, ``0.94822997`` on
    another), so tests compare the numbers, never the text.
    """
    start = text.index(after) + len(after)
    opened = text.index("[", start)
    closed = text.index("]", opened)
    return np.array([float(x) for x in text[opened + 1 : closed].split()])


#: Runs ``sys.argv[1:]`` with SIGINT at its default, as a command started from
#: a terminal has it, whatever the test process does with it (pytest-xdist's
#: workers may ignore it, and an ignored signal stays ignored across exec).
#: The reset happens in a program of its own rather than in ``preexec_fn``:
#: that runs Python in a forked copy of a process with threads (xdist's, the
#: in-process kernels' zmq threads), which the subprocess documentation warns
#: may deadlock before exec.
_TERMINAL = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def as_from_a_terminal(argv: list[str]) -> list[str]:
    """``argv`` started with SIGINT at its default, as from a terminal."""
    return [sys.executable, "-c", _TERMINAL, *argv]


#: What a batch child's grading folder holds once its kernel is being started.
KERNEL_FOLDER = "grader-batch-*/tmp/grader-*/kernel-stderr.txt"


def wait_for_batch_kernel(
    process: subprocess.Popen[str], tmpdir: Path, seconds: float = 300
) -> None:
    """Return once the batch ``process`` (run with ``TMPDIR=tmpdir``) has a
    child whose kernel has its folder: a grading is under way.

    Fails at once, with the batch's output, if the batch ended first; after
    ``seconds`` it fails with what ``tmpdir`` holds and where the batch's
    processes were, so that a batch that never started says why.
    """
    deadline = time.monotonic() + seconds
    while not any(tmpdir.glob(KERNEL_FOLDER)):
        if process.poll() is not None:
            stdout, stderr = process.communicate()
            raise AssertionError(
                f"the batch ended (exit status {process.returncode}) before a "
                f"kernel started:\n{stdout}\n{stderr}"
            )
        if time.monotonic() > deadline:
            held = sorted(str(p.relative_to(tmpdir)) for p in tmpdir.rglob("*"))
            tree = subprocess.run(
                [
                    "ps",
                    "-o",
                    "pid,ppid,stat,wchan:20,etime,args",
                    "--ppid",
                    str(process.pid),
                    "-p",
                    str(process.pid),
                ],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            process.kill()
            stdout, stderr = process.communicate()
            raise AssertionError(
                f"no kernel folder after {seconds:g} s; {tmpdir} held {held}\n"
                f"processes:\n{tree}\nstdout:\n{stdout}\nstderr:\n{stderr}"
            )
        time.sleep(0.1)


def seeded(function: str) -> np.ndarray:
    """The seeds' vector for ``function``, as the grader's fixtures hold it."""
    from grader.judging.judge import Expected

    return np.array(Expected.load().seeded[function])


def edited_solution(edits: list[tuple[str, str, str]]) -> nbformat.NotebookNode:
    """The solution notebook with ``(function, old, new)`` text edits applied
    to the cell of each graded function; an edit that does not apply fails."""
    from grader.notebooks.read import find_graded_cells

    nb = nbformat.read(SOLUTION, as_version=4)
    cells = find_graded_cells(nb)
    for function, old, new in edits:
        cell = nb.cells[cells[function].index]
        assert cell.source.count(old) == 1, f"edit does not apply once: {old!r}"
        cell.source = cell.source.replace(old, new)
    return nb


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Grade a scenario notebook once per session: ``graded(name, nb_or_path)``;
    keyword arguments go to ``grade``."""
    from grader.grading import grade

    cache = {}

    def run(name: str, notebook: nbformat.NotebookNode | Path, **options):
        # The same notebook graded with other options is another grading.
        key = (name, repr(sorted(options.items())))
        if key not in cache:
            if isinstance(notebook, Path):
                path = notebook
            else:
                path = tmp_path_factory.mktemp("scenarios") / f"{name}.ipynb"
                nbformat.write(notebook, path)
            cache[key] = grade(path, **options)
        return cache[key]

    return run


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the host's loopback: ``(port, accepted connections)``."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[object] = []

    def serve():
        while True:
            try:
                accepted.append(server.accept())
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1], accepted
    server.close()


#: Every mark ``process_mark`` makes in this test process starts so.
SUITE_MARK = f"0.377{os.getpid()}"


def process_mark(name: str) -> str:
    """A mark for the command line of a process an attack ``name`` leaves
    running: unique to that attack in this test process, and a number of
    seconds that ``sleep`` takes (``sleep 377 MARK``)."""
    return f"{SUITE_MARK}{zlib.crc32(name.encode()):010d}"


DAEMON = """\
import os
ready, started = os.pipe()  # both closed by exec: EOF once the daemon runs
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "377", {mark!r}])
    os._exit(0)
os.close(started)
os.wait()
os.read(ready, 1)
os.close(ready)
"""


def daemon_cell(mark: str, indent: str = "") -> str:
    """Code that leaves a daemon running, detached (``setsid``, a second
    fork, another program: ``sleep 377 MARK``, which ``leftovers(mark)``
    finds); each line after ``indent`` (four spaces: a function's body).

    The code returns once the daemon is ``sleep`` (its exec closed the last
    end of a pipe the code waits on), so a test finds it at once, however
    loaded the machine.
    """
    return textwrap.indent(DAEMON.format(mark=mark), indent)


def _processes() -> dict[int, tuple[int, str, list[str]]]:
    """Every process: its parent, its state and its arguments."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
            with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                argv = handle.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), fields[0].decode(), argv)
    return found


def _settled(find, seconds: float) -> list[str]:
    """What ``find()`` still lists after up to ``seconds`` of waiting."""
    deadline = time.monotonic() + seconds
    while True:
        left = find()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def leftovers(mark: str, seconds: float = 5) -> list[str]:
    """The command lines of processes still running with an argument that
    starts with ``mark`` (``PID: ARGS``), after ``seconds`` in which they
    could end."""

    def find() -> list[str]:
        return [
            f"{pid}: {' '.join(argv)}"
            for pid, (_, state, argv) in _processes().items()
            if state != "Z" and any(arg.startswith(mark) for arg in argv)
        ]

    return _settled(find, seconds) if Path("/proc/self/stat").exists() else []


#: Helpers of this test process itself, which end with it: Python's
#: multiprocessing starts its resource tracker the first time a lock or shared
#: memory is made (Dask's local cluster does), and it waits for this process.
OWN_HELPERS = ("from multiprocessing.resource_tracker import main",)


def _running_below(pid: int) -> list[str]:
    processes = _processes()
    children: dict[int, list[int]] = {}
    for child, (parent, _, _) in processes.items():
        children.setdefault(parent, []).append(child)
    below, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            command = " ".join(processes[child][2])
            own = processes[child][0] == pid and any(
                helper in command for helper in OWN_HELPERS
            )
            if processes[child][1] != "Z" and not own:
                below.append(f"{child}: {command}")
    return below


@pytest.fixture(scope="session", autouse=True)
def nothing_left_running():
    """Once every other fixture is done, no process the suite started runs:
    none below this test process, and none anywhere carrying a mark of
    ``process_mark`` (an attack's daemon, which would have left the tree)."""
    yield
    if not Path("/proc/self/stat").exists():
        return
    below = _settled(lambda: _running_below(os.getpid()), 15)
    marked = leftovers(SUITE_MARK)
    for line in below + marked:  # the suite's own: not left for the next run
        try:
            os.kill(int(line.split(":")[0]), signal.SIGKILL)
        except OSError:
            pass
    assert below == [] and marked == [], (below, marked)


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session (``tests.postgres``)."""
    from tests.postgres import WHY_NOT, Postgres

    if WHY_NOT:
        pytest.skip(WHY_NOT)
    with Postgres() as server:
        yield server


@pytest.fixture
def postgres_database(postgres_server):
    """The address of a new, empty database on the session's server."""
    import uuid

    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        postgres_server.url.rsplit("/", 1)[0] + "/postgres",
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=True,  # a test may have stopped and started the server
    )
    with admin.connect() as db:
        db.exec_driver_sql(f"create database {name}")
    yield postgres_server.url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as db:
        db.exec_driver_sql(f"drop database if exists {name} with (force)")
    admin.dispose()
