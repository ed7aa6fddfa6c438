"""Temporary folders that are gone when the grading is, on every path.

A grading's folder holds the kernel's sockets, its scratch space and the
probe answers. ``tempfile.TemporaryDirectory`` removes it on a normal exit and
on an exception, but a kernel that was killed a moment before may still be
writing there as it goes, and a removal that meets such a file gives up.
``temporary_folder`` tries again for a few seconds.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How long a folder's removal is retried while something still writes there.
REMOVE_SECONDS = 10.0


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
