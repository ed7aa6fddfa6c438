"""Who the kernel runs as where the grader is root without namespaces.

A container that grades as root usually forbids user namespaces; the kernel
then runs as an unprivileged user instead (``grader/sandbox/jail.py`` changes to it
before the kernel starts). By default each kernel gets a user id of its own
(``own_user``), with the same number as its group and no other groups, so
that kernels graded at the same moment (a batch's ``-j 2``, a warm worker's
kernel started ahead) cannot signal each other, write each other's folders or
use up each other's count of processes.

The ids come from ``OWN_IDS``, systemd's range for dynamic users, which no
distribution gives to accounts. An id is taken only where it is mapped in the
grader's user namespace (a container may map only 0-65535), no account or
group has it, systemd has not lent it to a service, and no process runs with
it. It is held against every other grading on the machine, whatever process
runs it, by a lock (``flock``) on a file named after it in ``LOCKS``, a
folder of root's alone; a lock ends with its process, so a grader that is
killed frees its id and leaves at most an empty file, which the next holder
of that id takes over. Before an id is given back, every process still
running with it is killed and what it left at the top of the folders every
user may write (``/tmp``, ``/var/tmp``, ``/dev/shm``) is removed; what a
grader that was killed left there is removed when its id is next taken.

An instructor may name an account instead (``--kernel-user``); every kernel
then runs as that account, and kernels graded at the same moment share it.
"""

from __future__ import annotations

import fcntl
import grp
import os
import pwd
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader.errors import KERNEL_WOULD_NOT_START, KernelError, SandboxError

#: Who the kernel runs as where no id of ``OWN_IDS`` can be had.
KERNEL_USER = "nobody"
#: systemd's range for dynamic users (``UIDS-GIDS.md``): ids no account has.
OWN_IDS = range(61184, 65520)
#: Where the locks on ids are kept: the first of these folders that exists.
LOCK_BASES = ("/run/lock", "/tmp")
LOCKS = "grader-kernel-users"
#: systemd's own record of the ids it has lent to services.
SYSTEMD_IDS = "/run/systemd/dynamic-uid"
#: Folders every user may write, where a kernel's files would outlive it.
SHARED_TEMP = ("/tmp", "/var/tmp", "/dev/shm")
#: How long the processes left running with an id may take to die.
CLEAR_SECONDS = 5.0
NO_FREE_ID = f"no user id of {OWN_IDS[0]}-{OWN_IDS[-1]} is free here"


@dataclass(frozen=True)
class KernelUser:
    """The unprivileged user a root grader runs the kernel as.

    A named account (``--kernel-user``), or, where ``name`` is empty, an id
    reserved for one kernel alone (``own_user``).
    """

    uid: int
    gid: int
    name: str = ""

    def __str__(self) -> str:
        return f"user {self.name}" if self.name else f"uid {self.uid}"


def kernel_user_for(name: str | None) -> tuple[KernelUser | None, bool, str]:
    """Who a kernel without namespaces runs as: ``(named user, own ids, why root)``.

    The grader's own user where it is not root: ``(None, False, "")``. Where
    it is root: the account ``name``; without a name, an id of its own for
    each kernel (``own_user``), or ``KERNEL_USER`` where no such id can be
    had. Either must be able to start this Python (its folders may be closed
    to others, as ``/root`` is), else the kernel runs as root and the third
    item says why. A ``name`` that is no account, or root, raises
    ``SandboxError``.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None, False, ""
    if name is None and _own_ids_here():
        why_not = _own_users_cannot_run_python()
        return None, not why_not, why_not
    name = name or KERNEL_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SandboxError(f"--kernel-user: there is no user {name!r} here") from None
    if entry.pw_uid == 0:
        raise SandboxError(f"--kernel-user: {name!r} is root")
    user = KernelUser(entry.pw_uid, entry.pw_gid, name)
    why_not = _named_user_cannot_run_python(user)
    return (None, False, why_not) if why_not else (user, False, "")


@contextmanager
def own_user() -> Iterator[KernelUser]:
    """A user id of its own (its group the same number), held until the block ends.

    Its files at the top of ``SHARED_TEMP`` are removed first (a grader that
    was killed leaves them), and again on the way out, after every process
    running with it is killed; then the id is free again. Raises
    ``SandboxError`` where the lock folder is not root's alone, and
    ``KernelError`` where no id is free.
    """
    folder = _lock_folder()
    ids = _own_ids_here()
    # From a random place: an id just given back is seldom the next one taken.
    start = random.randrange(len(ids)) if ids else 0
    for uid in ids[start:] + ids[:start]:
        if _has_account(uid) or os.path.lexists(f"{SYSTEMD_IDS}/{uid}"):
            continue
        lock = _lock(folder / str(uid))
        if lock is None:
            continue  # another grading's
        if _running_as(uid):
            _unlock(folder / str(uid), lock)
            continue
        try:
            # What a grader that was killed could not remove: not for this kernel.
            _clear(uid)
            yield KernelUser(uid, uid)
        finally:
            try:
                _clear(uid)
            finally:
                _unlock(folder / str(uid), lock)
        return
    raise KernelError(KERNEL_WOULD_NOT_START.format(reason=NO_FREE_ID))


def _mapped(kind: str) -> list[range]:
    """The ids this user namespace maps (``uid_map`` or ``gid_map``)."""
    try:
        with open(f"/proc/self/{kind}", encoding="ascii") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        inside, _, count = (int(field) for field in line.split())
        found.append(range(inside, inside + count))
    return found


@cache
def _own_ids_here() -> list[int]:
    """The ids of ``OWN_IDS`` mapped here as users and as groups.

    Empty without ``/proc`` (not Linux): there no process could be checked
    for the ids it runs with.
    """
    users, groups = _mapped("uid_map"), _mapped("gid_map")
    return [
        i for i in OWN_IDS if any(i in r for r in users) and any(i in r for r in groups)
    ]


def _has_account(uid: int) -> bool:
    """Whether a user or a group has the number ``uid``."""
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        pass
    try:
        grp.getgrgid(uid)
        return True
    except KeyError:
        return False


def _lock_folder(bases: tuple[str, ...] = LOCK_BASES) -> Path:
    """``LOCKS`` under the first of ``bases`` that exists; made if missing.

    Raises ``SandboxError`` if it is not a folder that root alone may write:
    anyone else could take the grader's ids or plant links there.
    """
    base = next((b for b in bases if os.path.isdir(b)), tempfile.gettempdir())
    folder = Path(base) / LOCKS
    try:
        os.mkdir(folder, 0o755)
        os.chmod(folder, 0o755)  # whatever the umask (a batch child's is 077)
    except FileExistsError:
        pass
    except OSError as exc:
        raise SandboxError(f"{folder}: cannot create the folder ({exc})") from None
    info = os.lstat(folder)
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.geteuid()
        or info.st_mode & 0o022
    ):
        raise SandboxError(
            f"{folder} is not a folder that only root may write: remove it"
        )
    return folder


def _lock(path: Path) -> int | None:
    """A file descriptor holding the lock on ``path``; None if another holds it."""
    for _ in range(10):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        # A holder removes the file before it lets go: a lock taken on a file
        # that is no longer at ``path`` holds nothing, and is taken again.
        try:
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)
    return None


def _unlock(path: Path, fd: int) -> None:
    try:
        os.unlink(path)
    finally:
        os.close(fd)


def _running_as(uid: int) -> list[int]:
    """The processes running with ``uid`` (real, effective, saved or file system)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii") as handle:
                lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue  # gone since the listing
        fields = dict(line.partition(":")[::2] for line in lines)
        if fields.get("State", "Z").split()[0] in {"Z", "X"}:
            continue  # dead, waiting for its parent to reap it
        if uid in (int(i) for i in fields.get("Uid", "").split()):
            found.append(int(entry.name))
    return found


def _clear(uid: int) -> None:
    """Kill what still runs with ``uid``; remove its files from ``SHARED_TEMP``."""
    deadline = time.monotonic() + CLEAR_SECONDS
    while (left := _running_as(uid)) and time.monotonic() < deadline:
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass  # gone already
        time.sleep(0.02)
    for folder in {*SHARED_TEMP, tempfile.gettempdir()}:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    # Works on file descriptors: a link planted below cannot
                    # lead it out of the folder.
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                continue


_FINDS_KERNEL = (
    "import sys, importlib.util as u; "
    "missing = [m for m in ('ipykernel', 'zmq') if u.find_spec(m) is None]; "
    "sys.exit('cannot find ' + ', '.join(missing) if missing else 0)"
)


@cache
def _named_user_cannot_run_python(user: KernelUser) -> str:
    return _cannot_run_python(user)


@cache
def _own_users_cannot_run_python() -> str:
    # Any id of the range, as it has no groups and owns no file, reaches
    # exactly what every user may: one answer holds for them all.
    with own_user() as user:
        why_not = _cannot_run_python(user)
    return why_not.replace(str(user), "a user of its own")


def _cannot_run_python(user: KernelUser) -> str:
    """Why ``user`` cannot start the kernel's Python ("" if it can)."""
    # The kernel's packages found, as that user: the interpreter, the
    # standard library and site-packages must all be reachable, every folder
    # above them included. Found, not imported: that would cost seconds.
    argv = [sys.executable, "-s", "-c", _FINDS_KERNEL]
    try:
        done = subprocess.run(
            argv,
            user=user.uid,
            group=user.gid,
            extra_groups=[],
            env={"PATH": "/usr/bin:/bin", "HOME": "/"},
            cwd="/",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except OSError as exc:
        return f"{user} cannot run this Python ({exc})"
    except subprocess.TimeoutExpired:
        return f"{user} could not start this Python in 60 s"
    if done.returncode == 0:
        return ""
    lines = done.stderr.strip().splitlines()
    last = lines[-1] if lines else f"exit status {done.returncode}"
    return f"{user} cannot run this Python ({last})"
