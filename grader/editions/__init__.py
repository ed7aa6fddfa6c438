"""The assignment's editions, each as data.

An edition is everything that differs between the versions of the assignment
that courses hand out: the graded functions' signatures, the calls the
grader makes to them (``grader.probes.Probe``), what the reference changes
(``Edition.layer_names``, ``Edition.training``, ``Edition.initializer``),
the expected values of the notebook's own examples and its layer table (two
fixture files), the checks table's rows with their points, and the solution
notebook the student notebook is made from. Judging, execution, batches,
reports and the hand-out read these fields and never an edition's name.

Three are known (``EDITIONS``):

- ``2020``: the blocks take ``stage`` and ``block``, which name every layer;
- ``2021``: the blocks take ``training`` (passed to every BatchNormalization)
  and ``initializer`` (used for every convolution), and no layer is named;
- ``2021-initializer-only``: a later revision of 2021 whose blocks take
  ``initializer`` but not ``training``.

Recognition (``grader.recognise``) scores each graded function's signature
against each edition's and takes the edition they fit best. This module
imports no TensorFlow: recognising a notebook costs no kernel.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.probes import Probe


def _solutions() -> Path:
    try:
        import grader.solutions
    except ModuleNotFoundError:  # the hand-out's copy of this module: none
        return Path("solutions")
    return Path(grader.solutions.__file__).resolve().parent


SOLUTIONS = _solutions()
"""The folder of the shipped editions' solution notebooks (``grader.solutions``)."""


@dataclass(frozen=True)
class CheckRow:
    """One row of an edition's checks table: the check, its points, who sees it."""

    function: str
    name: str
    points: float
    visible: bool


@dataclass(frozen=True)
class Edition:
    """One edition of the assignment, as data (see the module docstring)."""

    name: str
    #: One line for people: what sets this edition apart.
    description: str
    #: The graded functions' signatures, as the notebook shows them.
    signatures: Mapping[str, str]
    probes: tuple[Probe, ...]
    checks: tuple[CheckRow, ...]
    #: Fixture files (``grader.fixtures``): expected values, and the layer table.
    expected: str
    layer_table: str
    #: Whether the notebook asks for layer names (``res2a_branch2a``, ...).
    layer_names: bool
    #: Whether the blocks take ``training`` and pass it to every BatchNormalization.
    training: bool
    #: Whether the blocks take ``initializer`` and use it for every convolution.
    initializer: bool
    #: The solution notebook, from which ``grader assign`` makes the student's.
    solution: Path

    @property
    def points(self) -> float:
        """The checks table's total."""
        return sum(row.points for row in self.checks)


MODULES = ("edition_2020", "edition_2021", "initializer_only")
"""This package's modules of one edition each, oldest first; a fourth is a row here."""


def _editions() -> dict[str, Edition]:
    found = {}
    for module in MODULES:
        try:
            loaded = importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            # The hand-out ships its own edition's module only.
            if exc.name != f"{__name__}.{module}":
                raise
            continue
        found[loaded.EDITION.name] = loaded.EDITION
    return found


EDITIONS: dict[str, Edition] = {}
"""Every edition by name, oldest first (filled in below, once the modules load)."""
DEFAULT = "2020"
"""The edition assumed where nothing tells: the one the grader graded first."""


def get(name: str) -> Edition:
    """The edition called ``name``; ``KeyError`` names the known ones."""
    if not EDITIONS:
        EDITIONS.update(_editions())
    try:
        return EDITIONS[name]
    except KeyError:
        known = ", ".join(EDITIONS)
        raise KeyError(f"no edition {name!r} (known: {known})") from None


def names() -> tuple[str, ...]:
    """The known editions' names, oldest first."""
    get(DEFAULT)
    return tuple(EDITIONS)
