"""Run student code in a Jupyter kernel through nbclient.

Only the graded cells run, after a prelude with the assignment's imports; the
rest of the notebook (training, the own-image cell) never does. Each cell has
a time limit: on expiry the kernel is interrupted, and if it does not answer a
trivial cell afterwards it is restarted and the cells that worked are replayed.
Probe answers come back through files in a fresh folder, never through the
kernel's printed output, and are read as untrusted data (``grader.kernel.protocol``).
The kernel runs in the sandbox of ``grader.sandbox.choice``. Each grading's kernel
runs on a thread of its own (``grader.kernel.pool``), one submission's work
(``grader.kernel.work``) in it, as ``grader.kernel.submission`` starts it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import nbformat
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

from grader import errors
from grader.files import tail_line
from grader.kernel.protocol import CellOutcome
from grader.sandbox.choice import Sandbox, plan_kernel
from grader.sandbox.watchdog import Watchdog, ending

KERNEL_NAME = "grader-python"
TIMEOUT_ENAME = "CellTimeout"
DIED_ENAME = "KernelDied"
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
PASSED_ENV = ("TF_ENABLE_ONEDNN_OPTS",)
EVALUE_LIMIT = 2000
REPLAY_SECONDS = 60.0
# How long a kernel that was sent its death may take to die.
ENDING_SECONDS = 10.0
PRELUDE_SECONDS = 180.0
#: How long a launcher told to end (SIGTERM) may take to kill its kernel and
#: everything below it before it is killed itself.
LAUNCHER_SECONDS = 10.0
BOUND_CELL_SECONDS = 10.0
#: Why a kernel died that no limit of the sandbox's killed: from outside, or
#: the machine out of memory (a grading service retries such a grading).
UNEXPLAINED_DEATH = "the kernel died"
SIGNAL_REASONS = {
    24: "it used more than {cpu} s of CPU time",
    25: "it wrote a file larger than {scratch} MB",
}


# nbclient logs timeouts and interrupts as errors; they are results here.
_QUIET_LOG = logging.getLogger("grader.kernel")
_QUIET_LOG.addHandler(logging.NullHandler())
_QUIET_LOG.propagate = False


def _kernel_spec_dir(root: Path, argv: list[str]) -> Path:
    """Write a kernelspec that starts the kernel through the sandbox.

    Whatever else is installed under the name ``python3`` is not used.
    """
    spec_dir = root / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [*argv, "{connection_file}"],
        "display_name": "grader",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return spec_dir.parent


class _CappedClient(NotebookClient):
    """A notebook client that keeps at most ``output_limit`` bytes per cell.

    Errors are always kept (shortened): they are what grading reads.
    """

    output_limit = 1024 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output_seen = 0
        self.output_cut = False

    def output(  # noqa: D102
        self,
        outs: list[nbformat.NotebookNode],
        msg: dict[str, Any],
        display_id: str | None,
        cell_index: int,
    ) -> nbformat.NotebookNode | None:
        content = msg.get("content", {})
        if msg.get("msg_type") == "error":
            content["evalue"] = str(content.get("evalue", ""))[:EVALUE_LIMIT]
            content["traceback"] = []
            return super().output(outs, msg, display_id, cell_index)
        size = len(json.dumps(content, default=str))
        self.output_seen += size
        if self.output_seen > self.output_limit:
            self.output_cut = True
            return None
        return super().output(outs, msg, display_id, cell_index)


class KernelSession:
    """One sandboxed kernel, fed one cell at a time, restarted if it stops."""

    def __init__(
        self,
        root: Path,
        sandbox: Sandbox,
        *,
        startup_timeout: float,
        sockets: Path,
    ) -> None:
        # ``sockets``: the folder for the kernel's sockets, which
        # ``grader.files.socket_folder`` chooses (short enough for their paths).
        ipc = sockets
        self.outbox = root / f"results-{secrets.token_hex(8)}"
        self.outbox.mkdir()
        self._limits = sandbox.limits
        env = dict(QUIET_ENV)
        # Settings that change TensorFlow's numbers reach the kernel as well.
        env.update({k: os.environ[k] for k in PASSED_ENV if k in os.environ})
        launch = plan_kernel(sandbox, root, writable=[ipc, self.outbox], base_env=env)
        specs = KernelSpecManager(
            kernel_dirs=[str(_kernel_spec_dir(root, launch.argv))]
        )
        # nbclient needs the asynchronous manager: with a blocking client its
        # output polling would hold the event loop and no time limit would fire.
        # Unix sockets (``ipc``) cross into the kernel's network namespace, and
        # no TCP port is shared between gradings running side by side.
        self._km = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=specs,
            transport="ipc",
            ip=str(ipc / "k"),
            connection_file=str(ipc / "connection.json"),
        )
        self._nb = nbformat.v4.new_notebook()
        self._client = _CappedClient(
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
            resources={"metadata": {"path": str(launch.workdir)}},
            log=_QUIET_LOG,
            on_cell_executed=self._keep_reply,
            shutdown_kernel="immediate",
        )
        self._client.output_limit = sandbox.limits.output_kb * 1024
        self._reply: dict[str, Any] = {}
        self._replay: list[tuple[str, float]] = []
        self._env = launch.env
        self._stderr_path = root / "kernel-stderr.txt"
        self._watchdog = Watchdog(sandbox.limits, self._kernel_pid)
        self._stopping = False
        self.last_cut = False

    def _kernel_process(self) -> subprocess.Popen[bytes] | None:
        """The launcher's process, or None between a death and a restart."""
        provisioner = self._km.provisioner
        return getattr(provisioner, "process", None) if provisioner else None

    def _kernel_pid(self) -> int | None:
        process = self._kernel_process()
        return process.pid if process is not None else None

    @property
    def peak_rss_mb(self) -> float:
        """The largest resident set the kernel's process tree was seen using."""
        return self._watchdog.peak_rss_mb

    @contextmanager
    def running(self) -> Iterator[KernelSession]:
        """Start the kernel for the duration of the ``with`` block."""
        with open(self._stderr_path, "wb") as stderr:
            # The grader's alone: a kernel running as another user could
            # otherwise read another kernel's.
            self._stderr_path.chmod(0o600)
            try:
                # The kernel's own output (TensorFlow's start-up chatter, and
                # whatever a student writes to file descriptor 1 or 2) never
                # reaches the grader's terminal.
                # nbclient leaves a kernel it did not create running; this one
                # is killed on the way out (``cleanup_kc``), at once.
                with self._client.setup_kernel(
                    cleanup_kc=True,
                    env=self._env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                ):
                    self._watchdog.start()
                    try:
                        yield self
                    finally:
                        self._watchdog.stop()
                        # Before nbclient kills the launcher's process group:
                        # the launcher must outlive its kernel to clear away
                        # what the kernel left running.
                        self._end_launcher()
                        self._watchdog.clear_strays()
            except (RuntimeError, TimeoutError, OSError) as exc:
                if self._client.kc is None:
                    raise errors.KernelError(
                        errors.KERNEL_WOULD_NOT_START.format(
                            reason=tail_line(self._stderr_path) or exc
                        )
                    ) from None
                raise

    def kill(self) -> None:
        """Kill the kernel now, for good: no restart follows (Ctrl-C)."""
        self._stopping = True
        process = self._kernel_process()
        if process is not None and process.poll() is None:
            # The launcher kills its kernel and everything below it, then
            # exits; the kernel's thread waits for that (``_end_launcher``).
            process.send_signal(signal.SIGTERM)

    def _end_launcher(self) -> None:
        """Have the launcher kill its kernel and all below it; wait until it has.

        A launcher that takes longer than ``LAUNCHER_SECONDS`` is killed.
        """
        process = self._kernel_process()
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(LAUNCHER_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def run(self, source: str, timeout: float, *, keep: bool = False) -> CellOutcome:
        """Execute ``source`` as one cell; with ``keep``, replay it after a restart."""
        outcome = self._execute(source, timeout)
        if self._stopping:
            return outcome
        if outcome.status == "timeout" and not self._responsive():
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
        self._client.output_seen = 0
        self._client.output_cut = False
        self._watchdog.take_reason()  # a kill before this cell is not its doing
        try:
            self._client.execute_cell(cell, len(self._nb.cells) - 1)
        except DeadKernelError:
            return CellOutcome("died", DIED_ENAME, self._death_reason())
        except CellTimeoutError:
            return CellOutcome("timeout", TIMEOUT_ENAME, "time limit reached")
        finally:
            self.last_cut = self._client.output_cut
        if self._ended():
            return CellOutcome("died", DIED_ENAME, self._death_reason())
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

    def _ended(self) -> bool:
        """Whether the cell just answered has ended the kernel after all.

        A cell's answer can arrive before the death the cell caused (see
        ``watchdog.ending``); taking that cell for a success would keep it for
        replay and leave the next cell to find the kernel dead.
        """
        process = self._kernel_process()
        if process is None:
            return False
        if process.poll() is None and not ending(process.pid):
            return False
        deadline = time.monotonic() + ENDING_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        return process.poll() is not None

    def _death_reason(self) -> str:
        reason = self._watchdog.take_reason()
        if reason:
            return reason
        process = self._kernel_process()
        code = process.poll() if process is not None else None
        if code is not None and code - 128 in SIGNAL_REASONS:
            return SIGNAL_REASONS[code - 128].format(
                cpu=self._limits.cpu_seconds, scratch=self._limits.scratch_mb
            )
        return UNEXPLAINED_DEATH

    def _responsive(self) -> bool:
        """Whether the kernel runs a trivial cell (after a timeout, say)."""
        return self._execute("pass", 10).ok

    def _restart(self) -> None:
        self._end_launcher()
        self._watchdog.clear_strays()
        # A restart keeps the connection, so the client carries on as it is.
        run_sync(self._km.restart_kernel)(now=True)
        # nbclient types its client as the base KernelClient; an asynchronous
        # kernel manager's client is an AsyncKernelClient, which has the wait.
        client = cast(AsyncKernelClient, self._client.kc)
        run_sync(client.wait_for_ready)(timeout=self._client.startup_timeout)
        # Replayed cells worked once; on a busy machine a fresh kernel may take
        # longer to import TensorFlow, so they get at least REPLAY_SECONDS.
        for source, timeout in self._replay:
            self._execute(source, max(timeout, REPLAY_SECONDS))
