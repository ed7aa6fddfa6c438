"""What the grader judges once and keeps: checks' results, the reference's run.

Each check declares what it reads (``Check.depends_on``: the answers of the
probes it looks at, in canonical form, names left out, where it reads no
name), and ``grader.judging.check_cache.run_checks`` keeps its result, message,
credit and picture, under a digest of that, the edition and the check; a
later grading whose check reads the same gets the same result without
building anything. The
reference's short training run is kept the same way, for every student
model whose configuration is the reference's but for its names.

Every entry is a small JSON file named by a digest of everything it depends
on: the grader's version (which covers its code and expected values),
TensorFlow's and Keras' versions, and the entry's own inputs. Any change to
one of them is another name, so nothing stale is ever read; a file that
cannot be read is computed again.

Where it lives: ``GRADER_CACHE_DIR`` where set, else, for a batch, its
output folder's ``.grader-cache`` (``for_batch``), shared by its workers and
by a re-run; else the user's cache folder (``platformdirs``).
``GRADER_CACHE_DIR=off`` (``--no-cache``) keeps nothing. Only the grader's
process reads and writes it; a kernel never gets its path, and a batch's
folder is its owner's alone (0700) where kernels run as another user.
Writes are atomic (a temporary file renamed into place), so gradings side
by side can share the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: The variable that names the folder, or turns the cache off.
CACHE_DIR_VARIABLE = "GRADER_CACHE_DIR"
OFF = "off"
#: A batch's cache, in its output folder.
BATCH_FOLDER = ".grader-cache"


def folder() -> Path | None:
    """Where the cache is, or None where it is off."""
    setting = os.environ.get(CACHE_DIR_VARIABLE, "").strip()
    if setting == OFF:
        return None
    if setting:
        return Path(setting)
    import platformdirs

    return Path(platformdirs.user_cache_dir("resnet-grader"))


def digest(kind: str, *parts: Any) -> str:
    """The name of one entry: ``kind`` and a digest of ``parts`` and versions."""
    return digest_encoded(kind, *map(encoded, parts))


def digest_encoded(kind: str, *parts: str) -> str:
    """``digest(kind, *values)``, where each of ``parts`` is ``encoded(value)``.

    The digest reads its parts and the versions as one JSON list, and JSON
    writes a list as its items' own texts (``encoded_list``): a part encoded
    once, such as a ResNet50's answer that many checks read, goes into each
    of their digests as it is, and the name is the one ``digest`` gives.
    """
    import keras
    import tensorflow as tf

    from grader.version import grader_version

    versions = (grader_version(), tf.__version__, keras.__version__)
    text = encoded_list([*map(encoded, versions), *parts])
    return f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def encoded(value: Any) -> str:
    """``value`` as a digest reads it: JSON, keys sorted, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def encoded_list(items: Iterable[str]) -> str:
    """``encoded`` of a list, from its items' ``encoded`` texts."""
    return "[" + ",".join(items) + "]"


def load(name: str) -> Any | None:
    """The value kept under ``name``, or None (off, absent or unreadable)."""
    where = folder()
    if where is None:
        return None
    try:
        return json.loads((where / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(name: str, value: Any) -> None:
    """Keep ``value`` under ``name``; a cache that cannot be written is skipped."""
    where = folder()
    if where is None:
        return
    try:
        # Its owner's alone: no other user (a kernel's) reads or writes it.
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(value, file)
            os.replace(temporary, where / f"{name}.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return


def clear() -> Path | None:
    """Remove everything the cache keeps; return the folder, or None where off."""
    where = folder()
    if where is not None and where.exists():
        shutil.rmtree(where)
    return where


@contextmanager
def for_batch(out: Path) -> Iterator[None]:
    """While a batch grades: its workers share ``out/.grader-cache``.

    A re-run of the batch, ``--force`` or not, finds it again. Where
    ``GRADER_CACHE_DIR`` is set (a folder, or ``off``) it is left to say
    where. The folder is made its owner's alone: a kernel running as
    another user can neither read nor write an entry.
    """
    if os.environ.get(CACHE_DIR_VARIABLE, "").strip():
        yield
        return
    where = (out / BATCH_FOLDER).resolve()
    try:
        where.mkdir(mode=0o700, exist_ok=True)
        where.chmod(0o700)  # made before by someone with a looser umask
    except OSError:
        yield  # unwritable: the workers keep to the user's folder
        return
    os.environ[CACHE_DIR_VARIABLE] = str(where)
    try:
        yield
    finally:
        os.environ.pop(CACHE_DIR_VARIABLE, None)
