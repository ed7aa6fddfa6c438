"""Files of a grading: its temporary folder, and the last words of a process.

A grading's folder holds the kernel's sockets, its scratch space and the
probe answers. ``tempfile.TemporaryDirectory`` removes it on a normal exit and
on an exception, but a kernel that was killed a moment before may still be
writing there as it goes, and a removal that meets such a file gives up.
``temporary_folder`` tries again for a few seconds.

The kernel's sockets are files too, and a Unix socket's path has at most
``SOCKET_PATH_LIMIT`` characters: under a deep temporary folder (pytest's, a
CI runner's workspace, macOS's ``/var/folders/...``), and deeper still in a
batch, whose children nest their folders in the parent's, the grading's own
folder is too deep for them. ``socket_folder`` then makes a short one.

A process the grader starts (a kernel, a batch's grading) writes its stderr
to a file; when it fails, ``tail_line`` reads the last line there, which
usually says why.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How long a folder's removal is retried while something still writes there.
REMOVE_SECONDS = 10.0
#: How much of the end of a file ``tail_line`` reads, in bytes.
TAIL_BYTES = 2000
#: The longest path a Unix socket may have: Linux's ``sun_path`` holds 108
#: bytes with the closing NUL, macOS's 104.
SOCKET_PATH_LIMIT = 103
#: Names a short folder, made by a batch's parent and removed by it however
#: the child ends, under which a child makes its sockets' folder when its
#: own is too deep; without it, the system's ``/tmp``.
SOCKETS_ENV = "GRADER_SOCKETS"
#: The longest name of a kernel's socket: jupyter_client's ``ipc`` transport
#: names them after the address and a port number (``k-1`` to ``k-5``).
SOCKET_NAME = "k-99999"


@contextmanager
def temporary_folder(prefix: str, *, base: Path | None = None) -> Iterator[Path]:
    """A new folder under ``base`` (default: the temporary folder).

    Removed when the block ends, however it ends.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    try:
        yield path
    finally:
        remove_tree(path)


def _fits(folder: Path, name: str) -> bool:
    return len(str(folder / name)) <= SOCKET_PATH_LIMIT


@contextmanager
def socket_folder(root: Path) -> Iterator[Path]:
    """A folder for a kernel's sockets, whose paths must stay short.

    ``root/ipc`` where they fit; else a new folder under ``$GRADER_SOCKETS``
    (or ``/tmp``), removed when the block ends.
    """
    inside = root / "ipc"
    if _fits(inside, SOCKET_NAME):
        inside.mkdir()
        yield inside
        return
    base = Path(os.environ.get(SOCKETS_ENV) or "/tmp")
    with temporary_folder("grader-ipc-", base=base) as short:
        yield short


@contextmanager
def sockets_base(root: Path) -> Iterator[Path]:
    """The folder a batch's parent names in ``$GRADER_SOCKETS`` for a child.

    ``root`` is the child's folder; ``root/s`` where the child's sockets fit
    under it, else a new folder under ``/tmp``, removed when the block ends.
    """
    inside = root / "s"
    # What the child's socket_folder makes there: grader-ipc-XXXXXXXX/NAME.
    if _fits(inside / ("grader-ipc-" + "x" * 8), SOCKET_NAME):
        inside.mkdir()
        yield inside
        return
    with temporary_folder("grader-sockets-", base=Path("/tmp")) as short:
        yield short


def remove_tree(path: Path, *, seconds: float = REMOVE_SECONDS) -> bool:
    """Remove ``path`` and everything under it; return whether it is gone.

    Retries while the removal fails (a process that is dying may still add
    files); never raises.
    """
    deadline = time.monotonic() + seconds
    while True:
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists() or time.monotonic() > deadline:
            return not path.exists()
        time.sleep(0.1)


def tail_line(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last line that is not blank in the final ``limit`` bytes of ``path``.

    Stripped of surrounding whitespace; undecodable bytes are replaced. Empty
    when the file is missing, unreadable or blank.
    """
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all.

    The text goes to ``PATH.partial`` first, then takes the name: a reader
    (a later run, an LMS import) never finds half a file, however the writer
    ends.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
