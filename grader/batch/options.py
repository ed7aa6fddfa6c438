"""What a batch's gradings depend on besides the notebook."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox.choice import Limits


@dataclass(frozen=True)
class Options:
    """Everything besides the notebook that a grading depends on."""

    functions: tuple[str, ...] | None = None
    visible_only: bool = False
    limits: Limits = field(default_factory=Limits)
    require_sandbox: bool = False
    no_sandbox: bool = False
    kernel_user: str | None = None
    #: The edition every notebook is graded as (``--edition``); None: each its own.
    edition: str | None = None
    #: A digest of the instructor's editions in use (``--editions``,
    #: ``grader.editions.data_digest``): results graded before one of them
    #: changed are not reused. The folder itself reaches the workers as
    #: ``GRADER_EDITIONS``.
    editions: str = ""
    #: A folder of page templates replacing the shipped ones (``--templates``,
    #: ``grader.reports.templating``). The pages are drawn after grading: it is not
    #: one of the options a grading depends on, nor in ``to_dict`` or ``key``.
    templates: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-ready data (``templates`` left out)."""
        data = asdict(self)
        del data["templates"]
        data["functions"] = list(self.functions) if self.functions else None
        if data["kernel_user"] is None:
            del data["kernel_user"]  # the key of options from before it existed
        if self.edition is None:
            del data["edition"]  # as the options read before editions
        if not self.editions:
            del data["editions"]  # as the options read before instructors' editions
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Options:
        """Options from ``to_dict``'s data."""
        functions = data.get("functions")
        return cls(
            functions=tuple(functions) if functions else None,
            visible_only=bool(data.get("visible_only", False)),
            limits=Limits(**data.get("limits", {})),
            require_sandbox=bool(data.get("require_sandbox", False)),
            no_sandbox=bool(data.get("no_sandbox", False)),
            kernel_user=data.get("kernel_user") or None,
            edition=data.get("edition"),
            editions=str(data.get("editions", "")),
        )

    def key(self) -> str:
        """A short digest: results graded under other options are not reused."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]
