"""How the judge words an error the student's code raised in the kernel."""

from __future__ import annotations

import pytest

from grader.judging.judge import _unwrapped

WRAPPED = (
    "Exception encountered when calling AveragePooling2D.call().\n\n"
    "\x1b[1mComputed output size would be zero or negative. Received: "
    "`inputs.shape=[None 1 1 2048]`, `pool_size=[2 2]`.\x1b[0m\n\n"
    "Arguments received by AveragePooling2D.call():\n"
    "  • args=('<KerasTensor shape=(None, 1, 1, 2048)>',)\n"
    "  • kwargs=<class 'inspect._empty'>"
)


@pytest.mark.fast
@pytest.mark.parametrize(
    ("raised", "shown"),
    [
        # Keras 3 wraps a layer's error in its call's arguments, in colour.
        (
            WRAPPED,
            "AveragePooling2D: Computed output size would be zero or negative. "
            "Received: `inputs.shape=[None 1 1 2048]`, `pool_size=[2 2]`.",
        ),
        ("\x1b[1mbold\x1b[0m text", "bold text"),
        (
            "Inputs have incompatible shapes.\nReceived shapes (2, 2, 6) and (4, 4, 6)",
            "Inputs have incompatible shapes. Received shapes (2, 2, 6) and (4, 4, 6)",
        ),
    ],
)
def test_an_error_is_shown_unwrapped_on_one_line(raised, shown):
    assert _unwrapped(raised) == shown
