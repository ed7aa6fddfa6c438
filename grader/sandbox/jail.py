"""Start a program inside the grader's sandbox (Linux), or with limits only.

This file runs as a script, ``python -I -S jail.py PLAN [CONNECTION_FILE]``,
before the kernel exists: it imports nothing but the standard library.
``PLAN`` is a JSON file written by ``grader.sandbox.choice``:

- ``namespaces``: whether to build the sandbox. The script then enters new
  user, mount, network, PID, IPC and UTS namespaces, builds a new root file
  system from read-only bind mounts of the paths listed (plus writable ones
  and small ``tmpfs`` mounts), hides the paths listed under ``hide``, pivots
  into it, drops every capability and sets ``no_new_privs``;
- ``user``: without namespaces, where the grader is root, the user and group
  ids the program runs as instead (null otherwise). The child drops every
  supplementary group, changes its ids, drops the capability bounding set and
  sets ``no_new_privs``; the connection file becomes that user's;
- ``rlimits``: resource limits, and ``nice``, the priority, set in every case;
- ``argv``, ``env``, ``cwd``: the program to run.

The script forks: the child runs the program (PID 1 of its PID namespace when
there is one) and the parent stays behind, so that the kernel's parent is
never the grading process. The parent ignores interrupts (they reach the
kernel through its process group), kills the child if the grading process
goes away or on SIGTERM, and exits with the child's status, but only once
every process below it is gone: it is a child subreaper, so whatever the
program started and left behind (daemons, ``setsid``, double forks) is its
descendant, and it kills and reaps them all, again and again until none is
left. Anything that fails before the program starts is printed on stderr and
the script exits with status 71.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import time

# typing's own flag, without importing typing: type checkers read any name
# TYPE_CHECKING as true, and this script imports only what it runs with.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any, TypedDict

    class Plan(TypedDict):
        """The plan ``grader.sandbox.choice`` writes, as ``json.load`` reads it."""

        namespaces: bool
        root: str
        read_only: list[str]
        writable: list[str]
        tmpfs: dict[str, int]  # path: size in MiB
        hide: list[str]
        rlimits: dict[str, int]  # RLIMIT_ name without the prefix: value
        nice: int
        cwd: str
        env: dict[str, str]
        argv: list[str]
        parent: int  # the grading process, which starts the launcher
        user: list[int] | None  # [uid, gid] the program runs as, or null

    # A mount of the new root: (depth, order, kind, path), and a tmpfs's size
    # after them; the one tuple type of both lengths.
    Step = tuple[Any, ...]

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SYS_PIVOT_ROOT = 155  # x86_64; other machines use the number below
PIVOT_ROOT_NUMBERS = {"x86_64": 155, "aarch64": 41, "arm64": 41}

FAILED = 71
DEVICES = ("null", "zero", "full", "random", "urandom")

_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> int:
    """``prctl(2)`` where there is one (Linux); elsewhere nothing happens."""
    call = getattr(_libc, "prctl", None)
    return call(option, value, 0, 0, 0) if call is not None else -1


class SetupError(Exception):
    """A step of building the sandbox failed."""


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(errno)}")


def _mount(
    source: str | None,
    target: str,
    fstype: str | None,
    flags: int,
    data: str | None = None,
) -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _enter_namespaces() -> None:
    uid, gid = os.getuid(), os.getgid()
    flags = (
        CLONE_NEWUSER
        | CLONE_NEWNS
        | CLONE_NEWNET
        | CLONE_NEWPID
        | CLONE_NEWIPC
        | CLONE_NEWUTS
    )
    _check(_libc.unshare(flags), "unshare")
    # The same user id inside as outside: after exec the program is an
    # ordinary user of its namespace, with no capabilities.
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _locked_flags(path: str) -> int:
    """Flags a remount must keep: a user namespace cannot clear them."""
    flags = os.statvfs(path).f_flag
    kept = 0
    for stat_flag, mount_flag in (
        (os.ST_NOSUID, MS_NOSUID),
        (os.ST_NODEV, MS_NODEV),
        (os.ST_NOEXEC, MS_NOEXEC),
        (os.ST_NOATIME, MS_NOATIME),
        (os.ST_NODIRATIME, MS_NODIRATIME),
        (os.ST_RELATIME, MS_RELATIME),
    ):
        if flags & stat_flag:
            kept |= mount_flag
    return kept


def _make_point(target: str, is_dir: bool) -> None:
    if is_dir:
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "w").close()


def _bind(root: str, source: str, dest: str, writable: bool) -> None:
    if not os.path.exists(source):
        return
    target = root + dest
    if os.path.islink(source) and os.path.dirname(source) == "/":
        # /bin -> usr/bin and its kind on merged-/usr systems.
        os.symlink(os.readlink(source), target)
        return
    _make_point(target, os.path.isdir(source))
    _mount(source, target, None, MS_BIND)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | _locked_flags(target)
    if not writable:
        flags |= MS_RDONLY
    _mount(None, target, None, flags)


def _hide(root: str, path: str) -> None:
    target = root + path
    if os.path.isdir(target):
        _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")
    elif os.path.exists(target):
        _mount("/dev/null", target, None, MS_BIND)
        _mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def _tmpfs(root: str, path: str, size_mb: int) -> None:
    target = root + path
    os.makedirs(target, exist_ok=True)
    _mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size_mb}m,mode=1777")


def _devices(root: str) -> None:
    dev = root + "/dev"
    os.makedirs(dev, exist_ok=True)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID, "size=64k,mode=755")
    for name in DEVICES:
        _make_point(f"{dev}/{name}", False)
        _mount(f"/dev/{name}", f"{dev}/{name}", None, MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{dev}/{name}")


def _pivot(root: str) -> None:
    number = PIVOT_ROOT_NUMBERS.get(os.uname().machine, SYS_PIVOT_ROOT)
    os.chdir(root)
    # pivot_root(".", ".") stacks the old root under the new one; detaching
    # it leaves nothing of the old file system reachable.
    _check(_libc.syscall(number, b".", b"."), "pivot_root")
    _check(_libc.umount2(b".", MNT_DETACH), "detach the old root")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _build_root(plan: Plan) -> None:
    root = plan["root"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    steps: list[Step] = []
    for path in plan["read_only"]:
        steps.append((path.count("/"), 0, "ro", path))
    for path, size in plan["tmpfs"].items():
        steps.append((path.count("/"), 1, "tmpfs", path, size))
    for path in plan["writable"]:
        steps.append((path.count("/"), 2, "rw", path))
    for path in plan["hide"]:
        steps.append((path.count("/"), 3, "hide", path))
    # Parents before children, so that nothing is mounted over a later bind.
    for step in sorted(steps, key=lambda s: (s[0], s[1], s[3])):
        kind, path = step[2], step[3]
        if kind == "ro":
            _bind(root, path, path, False)
        elif kind == "rw":
            _bind(root, path, path, True)
        elif kind == "tmpfs":
            _tmpfs(root, path, step[4])
        else:
            _hide(root, path)
    _devices(root)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _pivot(root)


def _drop_privileges() -> None:
    for cap in range(64):
        if _prctl(PR_CAPBSET_DROP, cap) != 0:
            break  # past the last capability this kernel knows
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")


def _set_limits(plan: Plan) -> None:
    import resource

    for name, value in plan["rlimits"].items():
        limit = getattr(resource, f"RLIMIT_{name}", None)
        if limit is None:
            continue
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            # Some systems (macOS) refuse some limits; the watchdog remains.
            continue


def _become(user: list[int]) -> None:
    """Run as ``user`` (uid, gid), with no groups and no way back to root."""
    uid, gid = user
    for cap in range(64):  # needs CAP_SETPCAP: before giving up root
        if _prctl(PR_CAPBSET_DROP, cap) != 0:
            break
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != gid:
        raise SetupError(f"could not become user {uid}")
    _check(_prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")


def _child(plan: Plan, launcher: int) -> None:
    user = plan.get("user")
    if user:
        _become(user)  # first: a change of user clears the death signal
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if not plan["namespaces"] and os.getppid() != launcher:
        os._exit(FAILED)  # the launcher is already gone
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if plan["namespaces"]:
        _build_root(plan)
        _drop_privileges()
    _set_limits(plan)
    # Below the grading process, so that its watchdog gets the processor
    # even while student code keeps every core busy.
    os.nice(plan.get("nice", 0))
    os.chdir(plan["cwd"])
    os.execve(plan["argv"][0], plan["argv"], plan["env"])


def _watch(child: int, parent: int) -> int:
    def orphaned(signum: int, frame: FrameType | None) -> None:
        if os.getppid() != parent:
            os.kill(child, signal.SIGKILL)

    def stop(signum: int, frame: FrameType | None) -> None:
        os.kill(child, signal.SIGKILL)

    signal.signal(signal.SIGALRM, orphaned)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    signal.setitimer(signal.ITIMER_REAL, 1.0, 1.0)
    orphaned(signal.SIGALRM, None)  # the parent may have gone already
    status = 0
    while True:
        # Orphans that end before the child are reaped as they end: a zombie
        # would count as one of the kernel's processes.
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if pid == child:
            break
    # The child is reaped: its pid may be another process's from now on.
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    for signum in (signal.SIGALRM, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    _clear_below(os.getpid())
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, by the parents ``/proc`` names now."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                text = handle.read()
        except OSError:
            continue  # gone since the listing
        # The name may hold spaces and parentheses: the parent follows the
        # last ")" and the state.
        parent = int(text[text.rfind(b")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _reap() -> None:
    """Collect every child that has exited (orphans come to a subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _clear_below(launcher: int) -> None:
    """Kill and reap every process below ``launcher`` until none is left.

    A process forked while the others are being killed is found in the next
    round: its parent, killed, hands it to this subreaper. A process that
    will not die keeps the launcher here until the grading kills it. Without
    ``/proc`` (macOS, where there are no subreapers either) this only reaps.
    """
    delay = 0.001
    while True:
        _reap()
        below = _descendants(launcher)
        if not below:
            return
        for pid in below:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass  # gone already, or a zombie waiting to be reaped
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def main(plan_path: str, connection_file: str = "") -> int:
    """Run the plan in ``plan_path``; return the exit status of the program.

    ``{connection_file}`` in the program's arguments becomes ``connection_file``.
    """
    with open(plan_path) as handle:
        plan: Plan = json.load(handle)
    plan["argv"] = [
        connection_file if arg == "{connection_file}" else arg for arg in plan["argv"]
    ]
    # Interrupts are for the kernel; this process only waits for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = plan.get("parent") or os.getppid()
    if os.getppid() != parent:
        return FAILED  # the grading process is gone already
    try:
        _write("/proc/self/oom_score_adj", "1000")  # the kernel goes first
    except OSError:
        pass
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    try:
        if plan["namespaces"]:
            _enter_namespaces()
        user = plan.get("user")
        if user and connection_file:
            # jupyter_client writes it readable by its owner only.
            os.chown(connection_file, user[0], user[1])
    except (SetupError, OSError) as exc:
        print(f"grader sandbox: {exc}", file=sys.stderr)
        return FAILED
    launcher = os.getpid()
    child = os.fork()
    if child == 0:
        try:
            _child(plan, launcher)
        except (SetupError, OSError) as exc:
            print(f"grader sandbox: {exc}", file=sys.stderr)
        os._exit(FAILED)
    return _watch(child, parent)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
