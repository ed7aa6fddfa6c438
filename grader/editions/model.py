"""What an edition is: ``Edition``, its checks table's rows and its examples.

Plain data, apart from the registry (``grader.editions``) that finds the
shipped editions and an instructor's, so that the data file's reader
(``grader.editions.data``) and the shipped editions' modules import this
and not the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.editions.probes import Probe


@dataclass(frozen=True)
class CheckRow:
    """One row of an edition's checks table: the check, its points, who sees it."""

    function: str
    name: str
    points: float
    visible: bool


@dataclass(frozen=True)
class Example:
    """How one block's example runs and is compared (names: ``grader.judging.checks``).

    ``input`` names the array the block is called on, ``kernels`` the
    weights every convolution gets (``grader.models.rebuild.set_seeded_weights``),
    ``output`` what is compared of the result; ``atol`` and ``rtol`` are
    ``np.allclose``'s tolerances.
    """

    input: str
    kernels: str
    output: str
    atol: float
    rtol: float = 0.0


_BLOCK_CHECKS = (
    "seeded output",
    "layer names",
    "layers and settings",
    "training argument",
    "initializer argument",
    "hidden inputs, inference",
    "hidden inputs, training",
)
CHECK_NAMES: Mapping[str, tuple[str, ...]] = {
    "identity_block": _BLOCK_CHECKS,
    "convolutional_block": _BLOCK_CHECKS,
    "ResNet50": (
        "parameter counts",
        "softmax output",
        "layer table",
        "layer names",
        "layers and settings",
        "input_shape and classes",
        "short training run",
    ),
}
"""The checks an edition's table may hold, by function (``grader.judging.checks``
implements each)."""


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
    #: The solution notebook: the reference (``grader.judging.solution``), and what
    #: ``grader assign`` makes the student's from.
    solution: Path
    #: How each block's example runs, where no published numbers say it.
    examples: Mapping[str, Example] = field(default_factory=dict)
    #: An instructor's edition (``grader.editions.data``): a digest of its
    #: data file and solution, which results kept for it depend on; the
    #: shipped ones' are the grader's version's.
    digest: str = ""

    @property
    def points(self) -> float:
        """The checks table's total."""
        return sum(row.points for row in self.checks)
