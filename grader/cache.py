"""What the grader computes once per machine and keeps: the reference's side.

The reference's short training run is the same in every grading: the same
configuration, seed, data and arithmetic give the same losses. It is kept
here, as a small JSON file named by a digest of everything it depends on:
the grader's version (which covers its code and expected values),
TensorFlow's and Keras' versions, and the canonical form of the model's
configuration (``grader.graph.canonical_config``). Any change to one of them
is another name, so nothing stale is ever read; a file that cannot be read
is computed again.

Where it lives: ``GRADER_CACHE_DIR`` where set, else the user's cache folder
(``platformdirs``); ``GRADER_CACHE_DIR=off`` (``--no-cache``) keeps nothing.
Writes are atomic (a temporary file renamed into place), so gradings side
by side can share the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

#: The variable that names the folder, or turns the cache off.
CACHE_DIR_VARIABLE = "GRADER_CACHE_DIR"
OFF = "off"


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
    import keras
    import tensorflow as tf

    from grader.batch.version import grader_version

    text = json.dumps(
        [grader_version(), tf.__version__, keras.__version__, *parts],
        sort_keys=True,
        separators=(",", ":"),
    )
    return f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:32]}"


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
        where.mkdir(parents=True, exist_ok=True)
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
