"""Files of a grading: its temporary folder, and the last words of a process.

A grading's folder holds the kernel's sockets, its scratch space and the
probe answers. ``tempfile.TemporaryDirectory`` removes it on a normal exit and
on an exception, but a kernel that was killed a moment before may still be
writing there as it goes, and a removal that meets such a file gives up.
``temporary_folder`` tries again for a few seconds.

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


@contextmanager
def temporary_folder(prefix: str) -> Iterator[Path]:
    """A new folder under the temporary folder, removed when the block ends."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        remove_tree(path)


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
