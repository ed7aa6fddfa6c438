"""A box like a container that grades as root: no user namespaces, and
Python reachable by every user.

Docker's default profile, Gradescope's containers and many CI hosts forbid
user namespaces, and run the grader as root. The box emulates that on a
machine where the suite itself runs as root: a new user namespace whose ids
0 to 65535 are the machine's own (written from outside, so that ``nobody``
exists inside and a process can become it), a private mount namespace in
which ``/root``, where this machine's Python lives behind mode 0700, becomes
a 0755 folder holding the same entries (as in an image whose Python is under
``/usr``), user namespaces then forbidden inside (``max_user_namespaces`` 0)
and ``CAP_SYS_ADMIN`` dropped. Where no box can be made (not root, no
``unshare``), ``WHY_NO_BOX`` says why and the tests that need one skip.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNS = 0x00020000
#: The machine's ids 0 to 65535, the same inside as outside.
ID_MAP = "0 0 65536\n"

#: Run inside the box, before the command (``"$@"``). The mounts are made
#: from the old ``/root`` held as the working folder, so nothing is left on
#: the machine's own file system.
SETUP = r"""
set -e
here=$PWD
cd /root
mount -t tmpfs -o mode=755,size=1m box-root /root
for entry in .[!.]* *; do
    [ -e "$entry" ] || continue
    if [ -d "$entry" ]; then mkdir "/root/$entry"; else : > "/root/$entry"; fi
    mount --no-canonicalize --bind "$entry" "/root/$entry"
done
cd "$here"
echo 0 > /proc/sys/user/max_user_namespaces
exec setpriv --bounding-set -sys_admin --inh-caps=-sys_admin -- "$@"
"""


def _why_no_box() -> str:
    if not sys.platform.startswith("linux"):
        return "the container box needs Linux"
    if os.geteuid() != 0:
        return "the container box needs the suite to run as root (to map ids 0-65535)"
    for tool in ("setpriv", "mount"):
        if shutil.which(tool) is None:
            return f"the container box needs {tool}"
    done = run_in_box(["true"], timeout=30)
    if done.returncode != 0:
        return f"the container box could not be made: {done.stderr.strip()}"
    return ""


def _enter(ready: int, mapped: int) -> None:
    """In the child: new user and mount namespaces, then wait for the map."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        os.write(2, f"unshare: {os.strerror(ctypes.get_errno())}\n".encode())
        os._exit(70)
    os.write(ready, b"x")
    os.read(mapped, 1)


def box_command(argv: list[str]) -> list[str]:
    """``argv`` run inside a new box (see the module's docstring)."""
    return [sys.executable, __file__, *argv]


def run_in_box(
    argv: list[str], *, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a new box; its output is captured as text."""
    return subprocess.run(
        box_command(argv),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def main(argv: list[str]) -> int:
    """Make a box and run ``argv`` in it; its exit status is returned."""
    ready_r, ready_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    child = os.fork()
    if child == 0:
        _enter(ready_w, mapped_r)
        os.execvp("sh", ["sh", "-c", SETUP, "box", *argv])
    os.read(ready_r, 1)
    try:
        for name in ("uid_map", "gid_map"):
            with open(f"/proc/{child}/{name}", "w") as handle:
                handle.write(ID_MAP)
    finally:
        os.write(mapped_w, b"x")
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

WHY_NO_BOX = "" if __name__ == "__main__" else _why_no_box()
