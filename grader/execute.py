"""Run student code in a Jupyter kernel through nbclient.

Only the graded cells run, after a prelude with the assignment's imports; the
rest of the notebook (training, the own-image cell) never does. Each cell has
a time limit: on expiry the kernel is interrupted, and if it does not answer a
trivial cell afterwards it is restarted and the cells that worked are replayed.
Probe results come back through files in a fresh scratch directory, never
through the kernel's printed output.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

from grader import errors
from grader.kernel_side import PRELUDE
from grader.notebook import GradedCell
from grader.probes import payload

KERNEL_NAME = "grader-python"
TIMEOUT_ENAME = "CellTimeout"
RESULT_LIMIT = 32 * 1024 * 1024
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}


# nbclient logs timeouts and interrupts as errors; they are results here.
_QUIET_LOG = logging.getLogger("grader.kernel")
_QUIET_LOG.addHandler(logging.NullHandler())
_QUIET_LOG.propagate = False


@dataclass(frozen=True)
class CellOutcome:
    """How one cell ended: ``ok``, ``error``, ``timeout`` or ``died``."""

    status: str
    ename: str = ""
    evalue: str = ""

    @property
    def ok(self) -> bool:
        """Whether the cell ran to the end."""
        return self.status == "ok"


@dataclass(frozen=True)
class KernelRun:
    """What the kernel produced: per graded function, its cell and its probes."""

    cells: dict[str, CellOutcome]
    probes: dict[str, list[dict]]
    probe_cells: dict[str, CellOutcome]


def _kernel_spec_dir(root: Path) -> Path:
    """Write a kernelspec that runs this very interpreter.

    Whatever else is installed under the name ``python3`` is not used.
    """
    spec_dir = root / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "grader",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return spec_dir.parent


class KernelSession:
    """One kernel, fed one cell at a time, restarted if it stops answering."""

    def __init__(self, workdir: Path, *, startup_timeout: float) -> None:
        specs = KernelSpecManager(kernel_dirs=[str(_kernel_spec_dir(workdir))])
        # nbclient needs the asynchronous manager: with a blocking client its
        # output polling would hold the event loop and no time limit would fire.
        self._km = AsyncKernelManager(
            kernel_name=KERNEL_NAME, kernel_spec_manager=specs
        )
        self._nb = nbformat.v4.new_notebook()
        self._client = NotebookClient(
            self._nb,
            km=self._km,
            kernel_name=KERNEL_NAME,
            startup_timeout=int(startup_timeout),
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": TIMEOUT_ENAME,
                "evalue": "time limit reached",
                "traceback": [],
            },
            resources={"metadata": {"path": str(workdir)}},
            log=_QUIET_LOG,
            on_cell_executed=self._keep_reply,
        )
        self._reply: dict = {}
        self._replay: list[tuple[str, float]] = []
        self._env = {**os.environ, **QUIET_ENV}

    @contextmanager
    def running(self) -> Iterator[KernelSession]:
        """Start the kernel for the duration of the ``with`` block."""
        try:
            # The kernel's own stderr carries TensorFlow's start-up chatter and
            # jupyter's transport warnings, nothing a report needs.
            with self._client.setup_kernel(env=self._env, stderr=subprocess.DEVNULL):
                yield self
        except (RuntimeError, TimeoutError, OSError) as exc:
            if self._client.kc is None:
                raise errors.KernelError(
                    errors.KERNEL_WOULD_NOT_START.format(reason=exc)
                ) from None
            raise

    def run(self, source: str, timeout: float, *, keep: bool = False) -> CellOutcome:
        """Execute ``source`` as one cell; with ``keep``, replay it after a restart."""
        outcome = self._execute(source, timeout)
        if outcome.status == "timeout" and not self._answers():
            self._restart()
        elif outcome.status == "died":
            self._restart()
        elif keep and outcome.ok:
            self._replay.append((source, timeout))
        return outcome

    def _keep_reply(self, **hook: object) -> None:
        reply = hook.get("execute_reply")
        self._reply = reply.get("content", {}) if isinstance(reply, dict) else {}

    def _execute(self, source: str, timeout: float) -> CellOutcome:
        cell = nbformat.v4.new_code_cell(source)
        self._reply = {}
        self._nb.cells.append(cell)
        self._client.timeout = int(max(1, timeout))
        try:
            self._client.execute_cell(cell, len(self._nb.cells) - 1)
        except DeadKernelError:
            return CellOutcome("died", "DeadKernelError", "the kernel died")
        except CellTimeoutError:
            return CellOutcome("timeout", TIMEOUT_ENAME, "time limit reached")
        # On a time limit nbclient interrupts the kernel and hands back a made-up
        # reply at once; the kernel may still be busy (code that swallows
        # KeyboardInterrupt), so only the reply tells a timeout apart.
        timed_out = self._reply.get("ename") == TIMEOUT_ENAME
        errors_seen = [o for o in cell.outputs if o.get("output_type") == "error"]
        # Outputs are not kept: only errors matter, and output can be huge.
        cell.outputs = []
        if timed_out or any(e.get("ename") == "KeyboardInterrupt" for e in errors_seen):
            return CellOutcome("timeout", TIMEOUT_ENAME, "time limit reached")
        if errors_seen:
            return CellOutcome(
                "error", errors_seen[0]["ename"], errors_seen[0]["evalue"]
            )
        return CellOutcome("ok")

    def _answers(self) -> bool:
        return self._execute("pass", 10).ok

    def _restart(self) -> None:
        # A restart keeps the connection, so the client carries on as it is.
        run_sync(self._km.restart_kernel)(now=True)
        run_sync(self._client.kc.wait_for_ready)(timeout=self._client.startup_timeout)
        for source, timeout in self._replay:
            self._execute(source, timeout)


def run_submission(
    graded: dict[str, GradedCell],
    *,
    cell_timeout: float,
    probe_timeout: float,
    startup_timeout: float = 60,
    probed: Collection[str] | None = None,
    visible_only: bool = False,
) -> KernelRun:
    """Run the prelude, the graded cells, then the probes, in one kernel.

    ``probed`` limits which functions are probed (all graded ones by default;
    every graded cell still runs, as ``ResNet50`` calls the blocks), and
    ``visible_only`` keeps to the calls the notebook itself shows.
    """
    kernel_side = resources.files("grader").joinpath("kernel_side.py").read_text()
    with tempfile.TemporaryDirectory(prefix="grader-") as tmp:
        root = Path(tmp)
        workdir = root / "work"
        workdir.mkdir()
        outbox = root / f"results-{secrets.token_hex(8)}"
        outbox.mkdir()
        session = KernelSession(root, startup_timeout=startup_timeout)
        cells: dict[str, CellOutcome] = {}
        probes: dict[str, list[dict]] = {}
        probe_cells: dict[str, CellOutcome] = {}
        with session.running():
            session.run(PRELUDE, cell_timeout, keep=True)
            for name, cell in graded.items():
                cells[name] = session.run(cell.source, cell_timeout, keep=True)
            session.run(kernel_side, cell_timeout, keep=True)
            for name in graded:
                if probed is not None and name not in probed:
                    continue
                path = outbox / f"{name}-{secrets.token_hex(8)}.json"
                call = _probe_call(name, path, visible_only)
                probe_cells[name] = session.run(call, probe_timeout)
                probes[name] = _read_results(path)
        return KernelRun(cells=cells, probes=probes, probe_cells=probe_cells)


def _probe_call(name: str, path: Path, visible_only: bool) -> str:
    probes = payload(name, visible_only=visible_only)
    return f"_grader_run_probes({name!r}, {json.dumps(probes)!r}, {str(path)!r})"


def _read_results(path: Path) -> list[dict]:
    """Read the kernel's answer as untrusted data: bounded size, a list of dicts."""
    try:
        if path.stat().st_size > RESULT_LIMIT:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, list):
        return []
    return [item for item in data if isinstance(item, dict)]
