"""The grader's version, stored with every result.

A result graded by another grader is never reused.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata, resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sys

    # importlib.resources.abc is Python 3.11's; 3.10 has only importlib.abc.
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

#: The files whose bytes the digest covers: the code, the expected values and
#: the solutions (the reference).
DIGESTED = (".py", ".json", ".tsv", ".ipynb", ".toml")


@cache
def grader_version() -> str:
    """The grader's version and a digest of its code, fixtures and solutions.

    The digest changes with any edit to the checks or fixtures, so results
    graded by another grader are never reused, whatever the version number.
    """
    try:
        version = metadata.version("resnet-grader")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256()
    for package in ("grader", "grader.fixtures", "grader.solutions"):
        _digest(digest, resources.files(package), "")
    return f"{version}+{digest.hexdigest()[:12]}"


def _digest(digest: hashlib._Hash, folder: Traversable, prefix: str) -> None:
    # Subpackages (grader.batch) count as the package's own files do.
    for item in sorted(folder.iterdir(), key=lambda item: item.name):
        name = prefix + item.name
        if item.is_dir():
            if item.name != "__pycache__":
                _digest(digest, item, name + "/")
        elif item.name.endswith(DIGESTED):
            digest.update(name.encode())
            digest.update(item.read_bytes())
