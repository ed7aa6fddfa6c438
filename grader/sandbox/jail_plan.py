"""The plan ``grader/sandbox/jail.py`` reads: what the kernel sees, and its limits.

``write_plan`` writes one (a JSON file) and ``jail_argv`` is the command that
carries it out; ``namespaces_available`` tries an empty one, to learn whether
this system can build the sandbox at all.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from functools import cache
from importlib import resources
from pathlib import Path

from grader.sandbox.limits import MB, Limits
from grader.sandbox.users import KernelUser

NICE = 19
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin")
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "passwd",
    "group",
    "nsswitch.conf",
    "host.conf",
    "hosts",
)
NOT_LINUX = "this system is not Linux"


@cache
def namespaces_available() -> tuple[bool, str]:
    """Whether ``jail.py`` can build its sandbox here, and if not, why."""
    if not sys.platform.startswith("linux"):
        return False, NOT_LINUX
    from grader.files import temporary_folder

    with temporary_folder("grader-probe-") as root:
        plan = write_plan(
            root,
            argv=[sys.executable, "-I", "-S", "-c", "pass"],
            env={},
            writable=[],
            namespaces=True,
            limits=Limits(),
        )
        try:
            done = subprocess.run(
                jail_argv(plan),
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"the sandbox test did not run: {exc}"
    if done.returncode == 0:
        return True, ""
    lines = done.stderr.strip().splitlines()
    detail = lines[-1].removeprefix("grader sandbox: ") if lines else "no reason given"
    return False, f"no user namespaces here: {detail}"


def jail_argv(plan: Path) -> list[str]:
    """The command that starts ``grader/sandbox/jail.py`` on the plan at ``plan``."""
    jail = str(resources.files("grader.sandbox").joinpath("jail.py"))
    return [sys.executable, "-I", "-S", jail, str(plan)]


def _python_dirs() -> list[str]:
    """The Python installation the kernel needs: prefixes and site-packages."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    dirs.update(site.getsitepackages())
    user_site = site.getusersitepackages()
    if site.ENABLE_USER_SITE and user_site in sys.path:
        dirs.add(user_site)
    return sorted(d for d in dirs if os.path.isdir(d))


def _secret_dirs() -> list[str]:
    """Where the grader's own files are: hidden wherever they would show."""
    import grader.fixtures
    import grader.solutions

    # This module's folder is the package's (not ``import grader``: the
    # package's __init__ imports what imports this module).
    return sorted(
        {
            str(Path(__file__).resolve().parents[1]),
            str(Path(grader.fixtures.__file__).resolve().parent),
            str(Path(grader.solutions.__file__).resolve().parent),
        }
    )


def write_plan(
    root: Path,
    *,
    argv: list[str],
    env: dict[str, str],
    writable: list[Path],
    namespaces: bool,
    limits: Limits,
    cwd: str = "/tmp",
    user: KernelUser | None = None,
) -> Path:
    """Write the plan for ``argv`` under ``root``; return its path."""
    newroot = root / "root"
    newroot.mkdir(exist_ok=True)
    python = _python_dirs()
    read_only = [
        *SYSTEM_DIRS,
        *(f"/etc/{name}" for name in ETC_FILES),
        *python,
        str(root / "helpers"),
    ]
    plan = {
        "namespaces": namespaces,
        "root": str(newroot),
        "read_only": read_only,
        "writable": [str(path) for path in writable],
        "tmpfs": {"/tmp": limits.scratch_mb, "/dev/shm": 64},
        "hide": [d for d in _secret_dirs() if any(_under(d, p) for p in python)],
        "rlimits": _rlimits(limits, namespaces or user is not None),
        "nice": NICE,
        "cwd": cwd if namespaces else str(root / "scratch"),
        "env": env,
        "argv": argv,
        # The launcher's parent-to-be: a launcher whose parent is already
        # gone when it starts watching would otherwise never notice.
        "parent": os.getpid(),
        "user": [user.uid, user.gid] if user else None,
    }
    path = root / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    return path


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _rlimits(limits: Limits, own_user: bool) -> dict[str, int]:
    # The address space of one process is a backstop: the watchdog caps the
    # tree, but a single allocation can outrun its polling.
    rlimits = {
        "AS": max(2 * limits.memory_mb, limits.memory_mb + 4096) * MB,
        # A little above the watchdog's limit, which says why it stopped.
        "CPU": limits.cpu_seconds + 5,
        "FSIZE": limits.scratch_mb * MB,
        "CORE": 0,
    }
    if own_user:
        # In its own user namespace, or as its own user, the kernel's tasks
        # are counted apart from the grader's processes; for the grader's own
        # user the count would be shared with them.
        rlimits["NPROC"] = limits.threads
    return rlimits
