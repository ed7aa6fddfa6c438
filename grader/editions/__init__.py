"""The assignment's editions, each as data.

An edition is everything that differs between the versions of the assignment
that courses hand out: the graded functions' signatures, the calls the
grader makes to them (``grader.editions.probes.Probe``), what the reference changes
(``Edition.layer_names``, ``Edition.training``, ``Edition.initializer``),
the expected values of the notebook's own examples and its layer table (two
fixture files), the checks table's rows with their points, and the solution
notebook the student notebook is made from. Judging, execution, batches,
reports and the hand-out read these fields and never an edition's name.

Each is data: a data file beside its solution notebook
(``grader.editions.data``). Three are shipped, in ``SOLUTIONS`` (``EDITIONS``),
and an instructor adds others in a folder of their own (``--editions DIR``):

- ``2020``: the blocks take ``stage`` and ``block``, which name every layer;
- ``2021``: the blocks take ``training`` (passed to every BatchNormalization)
  and ``initializer`` (used for every convolution), and no layer is named;
- ``2021-initializer-only``: a later revision of 2021 whose blocks take
  ``initializer`` but not ``training``.

Recognition (``grader.notebooks.recognise``) scores each graded function's signature
against each edition's and takes the edition they fit best. This module
imports no TensorFlow: recognising a notebook costs no kernel.

May import: ``grader.errors`` only (and the data packages ``grader.solutions``
and ``grader.fixtures``).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from grader.editions.model import CHECK_NAMES, CheckRow, Edition, Example
from grader.errors import GraderError

__all__ = [
    "CHECK_NAMES",
    "DEFAULT",
    "EDITIONS",
    "SOLUTIONS",
    "CheckRow",
    "Edition",
    "Example",
    "NoSuchEdition",
    "data_digest",
    "get",
    "names",
    "reload",
]


def _solutions() -> Path:
    try:
        import grader.solutions
    except ModuleNotFoundError:  # the hand-out's copy of this module: none
        return Path("solutions")
    return Path(grader.solutions.__file__).resolve().parent


SOLUTIONS = _solutions()
"""The folder of the shipped editions' solution notebooks (``grader.solutions``)."""


MODULES: tuple[str, ...] = ()
"""Modules of this package that hold one edition each: the hand-out's (``grader
release`` writes its editions as modules and names them here). The grader's
own editions are data (``grader.editions.data``): a data file beside each
solution in ``SOLUTIONS``, then an instructor's."""


FOLDER_VARIABLE = "GRADER_EDITIONS"
"""The variable that names an instructor's folder of editions (``--editions
DIR``): a batch's workers and Gradescope's runs inherit it."""


def _editions() -> dict[str, Edition]:
    found = {}
    for module in MODULES:  # the hand-out's
        loaded = importlib.import_module(f"{__name__}.{module}")
        found[loaded.EDITION.name] = loaded.EDITION
    if MODULES:
        return found
    from grader.editions.data import EditionError, load_all, load_shipped

    found.update((edition.name, edition) for edition in load_shipped(SOLUTIONS))
    folder = os.environ.get(FOLDER_VARIABLE, "").strip()
    if folder:
        for edition in load_all(Path(folder)):
            if edition.name in found:
                raise EditionError(
                    f"{edition.solution.parent}: an edition called {edition.name!r} "
                    "is known already; give yours another name"
                )
            found[edition.name] = edition
    return found


EDITIONS: dict[str, Edition] = {}
"""Every edition by name, oldest first (filled in below, once the modules load):
the shipped ones, then an instructor's (``FOLDER_VARIABLE``)."""
_LOADED_FOR: list[str] = []
DEFAULT = "2020"
"""The edition assumed where nothing tells: the one the grader graded first."""


class NoSuchEdition(GraderError, KeyError):
    """No edition has the name asked for; the message names the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def get(name: str) -> Edition:
    """The edition called ``name``; ``NoSuchEdition`` names the known ones.

    The editions are read once, and again where ``FOLDER_VARIABLE`` changed.
    """
    folder = os.environ.get(FOLDER_VARIABLE, "").strip()
    if not EDITIONS or _LOADED_FOR != [folder]:
        loaded = _editions()
        EDITIONS.clear()
        EDITIONS.update(loaded)
        _LOADED_FOR[:] = [folder]
    try:
        return EDITIONS[name]
    except KeyError:
        known = ", ".join(EDITIONS)
        raise NoSuchEdition(f"no edition {name!r} (known: {known})") from None


def reload() -> None:
    """Read the editions again at the next ``get`` (an instructor's changed)."""
    EDITIONS.clear()


def data_digest() -> str:
    """A digest of the instructor's editions in use: ``""`` where there are none."""
    get(DEFAULT)
    return "+".join(
        f"{edition.name}:{edition.digest}"
        for edition in EDITIONS.values()
        if edition.digest
    )


def names() -> tuple[str, ...]:
    """The known editions' names, oldest first."""
    get(DEFAULT)
    return tuple(EDITIONS)
