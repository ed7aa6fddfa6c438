"""The sandbox around the kernel that runs student code.

``plan_kernel`` decides how the kernel starts: through ``grader/sandbox/jail.py``
(its plan: ``grader.sandbox.jail_plan``), which on Linux builds a new root file
system and new namespaces (no network, own process IDs, nothing of the
grader's files), and everywhere sets resource limits (``grader.sandbox.limits``).
``Watchdog`` (``grader.sandbox.watchdog``) follows the kernel's whole process tree
from outside and kills it when it uses more memory, CPU time or processes than allowed.

Which protections hold depends on the system; ``Sandbox.protections`` names
each one and whether it is on, and every report lists them. Where there are
no namespaces but the grader is root (a container's usual case), the kernel
runs as an unprivileged user instead (``grader.sandbox.users``: an id of its own for
each kernel, reserved by ``for_one_kernel``, unless the instructor names an
account): it cannot change the grader's files or signal it.
"""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.errors import (
    KERNEL_WOULD_NOT_START,
    KernelError,
    SandboxError,
)
from grader.reports.results import Protection
from grader.sandbox.jail_plan import jail_argv, namespaces_available, write_plan
from grader.sandbox.limits import Limits, LimitsError
from grader.sandbox.users import KernelUser, kernel_user_for, own_user

__all__ = [
    "KernelLaunch",
    "Limits",
    "LimitsError",
    "Sandbox",
    "choose",
    "for_one_kernel",
    "namespaces_available",
    "plan_kernel",
]

HELPERS = ("resnets_utils.py",)
#: The folders a grader makes for itself start so (``grader.files``); only
#: those are opened to the kernel's user (entered, not listed).
OWN_FOLDERS = "grader-"


@dataclass(frozen=True)
class Sandbox:
    """How kernels start on this system, and what that protects.

    Where the grader is root without namespaces: ``user``, who the kernel
    runs as (None: the grader's own user); with ``own_users``, each kernel
    runs as a user of its own, and ``user`` is the one reserved for this
    kernel (``for_one_kernel``), None until then; ``user_reason`` says why
    the kernel runs as root after all.
    """

    namespaces: bool
    reason: str = ""
    limits: Limits = field(default_factory=Limits)
    user: KernelUser | None = None
    user_reason: str = ""
    own_users: bool = False

    @property
    def protections(self) -> tuple[Protection, ...]:
        """Every protection, on or off, with what it means here."""
        off = f"off ({self.reason})"
        files = process = off
        if self.user_reason:
            files = process = (
                f"off ({self.reason}; the kernel runs as root: {self.user_reason})"
            )
        counted = ""
        if self.own_users:
            # ``user`` is None until a kernel has reserved one: in a report
            # where no kernel ran, say.
            who = (
                f"{self.user}, a user of its own for this grading"
                if self.user
                else "a user of its own for each grading"
            )
            counted = "its own user's processes"
            files = (
                f"partly: runs as {who}: cannot change the grader, its expected "
                "values, the submissions, the results or other kernels' folders; "
                f"can read what every user may read ({self.reason})"
            )
            process = (
                f"partly: runs as {who}: cannot signal the grader, its launcher "
                f"or other kernels; sees every process ({self.reason})"
            )
        elif self.user is not None:
            counted = f"{self.user}'s processes together"
            files = (
                f"partly: runs as {self.user}: cannot change the grader, its "
                "expected values, the submissions or the results; can read what "
                "every user may read, and change the folders of kernels graded at "
                f"the same moment, as that user too ({self.reason})"
            )
            process = (
                f"partly: runs as {self.user}: cannot signal the grader or its "
                "launcher; can signal kernels graded at the same moment, as that "
                f"user too; sees every process ({self.reason})"
            )
        isolated = [
            Protection(
                "network",
                self.namespaces,
                "none: own network namespace" if self.namespaces else off,
            ),
            Protection(
                "files",
                self.namespaces,
                "sees only Python, the helpers and a scratch folder; the grader, "
                "expected values and reference are not there; nothing else writable"
                if self.namespaces
                else files,
            ),
            Protection(
                "process isolation",
                self.namespaces,
                "own PID namespace: cannot see or signal the grader"
                if self.namespaces
                else process,
            ),
        ]
        limits = self.limits.describe(namespaces=self.namespaces, counted=counted)
        return (*limits, *isolated)


def choose(
    *,
    require: bool = False,
    disable: bool = False,
    limits: Limits | None = None,
    kernel_user: str | None = None,
) -> Sandbox:
    """The sandbox to use: namespaces where the system allows them.

    With ``require``, a system without them raises ``SandboxError`` instead of
    grading with fewer protections; ``disable`` turns namespaces off (resource
    and time limits stay). Without namespaces a root grader runs the kernel
    as the account ``kernel_user``, or by default as a user of its own for
    each kernel (``grader.sandbox.users.kernel_user_for``); an account that does not
    exist, or root, raises ``SandboxError``.
    """
    limits = limits or Limits()
    if disable:
        if require:
            raise SandboxError("--require-sandbox and --no-sandbox contradict")
        return _without_namespaces("turned off with --no-sandbox", limits, kernel_user)
    works, reason = namespaces_available()
    if not works and require:
        raise SandboxError(
            f"the sandbox is required but cannot be built here: {reason}"
        )
    if works:
        return Sandbox(True, reason, limits)
    return _without_namespaces(reason, limits, kernel_user)


def _without_namespaces(reason: str, limits: Limits, name: str | None) -> Sandbox:
    user, own, why_root = kernel_user_for(name)
    return Sandbox(False, reason, limits, user, why_root, own)


@contextmanager
def for_one_kernel(sandbox: Sandbox) -> Iterator[Sandbox]:
    """``sandbox`` as one kernel runs in it, until the block ends.

    Where each kernel runs as a user of its own, that user is reserved for
    the block (``grader.sandbox.users.own_user``) and is the ``user`` of the sandbox
    given; elsewhere ``sandbox`` itself.
    """
    if not sandbox.own_users or sandbox.user is not None:
        yield sandbox
        return
    with own_user() as user:
        yield replace(sandbox, user=user)


@dataclass
class KernelLaunch:
    """Everything needed to start one sandboxed kernel."""

    argv: list[str]
    env: dict[str, str]
    workdir: Path


def plan_kernel(
    sandbox: Sandbox, root: Path, *, writable: list[Path], base_env: dict[str, str]
) -> KernelLaunch:
    """Write the plan for a kernel under ``root``; return how to launch it.

    The returned ``argv`` holds ``{connection_file}`` for jupyter_client to
    fill in. ``writable`` are the folders the kernel must write to (its
    sockets and the results); they keep their paths inside the sandbox.
    Where each kernel runs as a user of its own, ``sandbox`` must be one
    kernel's (``for_one_kernel``).
    """
    if sandbox.own_users and sandbox.user is None:
        raise ValueError("a kernel of its own user needs for_one_kernel(sandbox)")
    helpers = root / "helpers"
    helpers.mkdir()
    scratch = root / "scratch"
    scratch.mkdir()
    # Found, not imported: importing it would import Keras and TensorFlow,
    # seconds during which the kernel could already be starting.
    spec = importlib.util.find_spec("resnets_utils")
    if spec is None or spec.origin is None:
        raise KernelError(
            KERNEL_WOULD_NOT_START.format(reason="the helper resnets_utils is missing")
        )
    source = Path(spec.origin)
    for name in HELPERS:
        (helpers / name).write_bytes((source.parent / name).read_bytes())
    if sandbox.user is not None:
        _hand_over(sandbox.user, root, [scratch, *writable])
    home = "/tmp" if sandbox.namespaces else str(scratch)
    env = {
        **base_env,
        "HOME": home,
        "TMPDIR": home,
        "IPYTHONDIR": f"{home}/.ipython",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "KERAS_HOME": f"{home}/.keras",
        "PYTHONPATH": str(helpers),
        "PYTHONNOUSERSITE": "1",
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }
    kernel = [
        sys.executable,
        "-s",
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
        "--HistoryManager.enabled=False",
    ]
    plan = write_plan(
        root,
        argv=kernel,
        env=env,
        writable=writable,
        namespaces=sandbox.namespaces,
        limits=sandbox.limits,
        user=sandbox.user,
    )
    return KernelLaunch(argv=jail_argv(plan), env=env, workdir=scratch)


def _hand_over(user: KernelUser, root: Path, own: list[Path]) -> None:
    """Give ``user`` the folders ``own`` and a way to reach them, and no more.

    The folders ``own`` become ``user``'s alone (mode 0700). The folders from
    each one up to the highest the grader made (``OWN_FOLDERS``) become
    enterable but not listable, so that the kernel reaches its own folders
    without finding anyone else's; a folder above them that ``user`` cannot
    enter raises ``KernelError``. The helpers under ``root`` become readable.
    """
    helpers = root / "helpers"
    helpers.chmod(0o755)
    for helper in helpers.iterdir():
        helper.chmod(0o644)
    for folder in own:
        os.chown(folder, user.uid, user.gid)
        folder.chmod(0o700)
        above = [root, *folder.parents]
        ours = [
            i
            for i, path in enumerate(above)
            if path.name.startswith(OWN_FOLDERS) and path.stat().st_uid == os.geteuid()
        ]
        for i, path in enumerate(above):
            mode = path.stat().st_mode
            if mode & stat.S_IXOTH:
                continue
            if ours and i <= ours[-1] and path.stat().st_uid == os.geteuid():
                path.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
                continue
            raise KernelError(
                KERNEL_WOULD_NOT_START.format(
                    reason=f"{user} cannot enter {path}: give the "
                    "grader a TMPDIR that every user may enter"
                )
            )
