"""What the grader judges once and keeps: checks' results, the reference's run.

Each check declares what it reads (``Check.depends_on``: the answers of the
probes it looks at, in canonical form, names left out, where it reads no
name), and ``run_checks`` keeps its result, message, credit and picture,
under a digest of that, the edition and the check; a later grading whose
check reads the same gets the same result without building anything. The
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
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.checks import Check
    from grader.judge import Judge
    from grader.report import CheckResult

#: The variable that names the folder, or turns the cache off.
CACHE_DIR_VARIABLE = "GRADER_CACHE_DIR"
OFF = "off"
#: A batch's cache, in its output folder.
BATCH_FOLDER = ".grader-cache"

tally: Counter[str] = Counter()
"""Checks run in this process by ``run_checks``: ``loaded`` from the cache,
``computed`` and kept, ``not kept`` (the cache off, a check that keeps
nothing, or a probe without an answer)."""


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


def run_checks(judge: Judge, checks: tuple[Check, ...]) -> list[CheckResult]:
    """``grader.checks.run_checks``, each result kept under what its check reads.

    A check whose entry is kept is not run: its result is the one kept. A
    check the grader could not run is not kept (it may run another time).
    """
    from grader import checks as table

    crash = table.COULD_NOT_RUN.split("(", 1)[0]
    results = []
    for check in checks:
        name = _entry(judge, check)
        kept = None if name is None else load(name)
        restored = None if kept is None else _restored(check, kept)
        if restored is not None:
            tally["loaded"] += 1
            results.append(restored)
            continue
        (result,) = table.run_checks(judge, (check,))
        if name is None or result.message.startswith(crash):
            tally["not kept"] += 1
        else:
            tally["computed"] += 1
            store(
                name,
                {
                    "message": result.message,
                    "credit": result.credit,
                    "window": None if result.window is None else asdict(result.window),
                },
            )
        results.append(result)
    return results


def _entry(judge: Judge, check: Check) -> str | None:
    """The name ``check``'s result is kept under for ``judge``, or None."""
    if check.depends_on is None or folder() is None:
        return None
    try:
        reads = check.depends_on(judge)
    except Exception:
        # No answer to read (a ``Failure``): the check fails at once, saying
        # why, as it should; anything else, the check runs into it too.
        return None
    edition = None if judge.edition is None else judge.edition.name
    return digest("check", edition, check.function, check.name, reads)


def _restored(check: Check, kept: Any) -> CheckResult | None:
    """The result kept in ``kept``, or None where it is not one."""
    from grader.checks import result_of
    from grader.report import GraphWindow

    try:
        window = kept["window"]
        return result_of(
            check,
            str(kept["message"]),
            float(kept["credit"]),
            None if window is None else GraphWindow.from_dict(window),
        )
    except (TypeError, KeyError, ValueError):
        return None


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
