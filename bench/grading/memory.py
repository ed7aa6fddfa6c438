"""The bench's memory measure: ``run_autograder`` in a group with a limit.

Owns running each side's own ``run_autograder`` (read from its
``grader/distribution/gradescope.py`` without importing it) on the solution in a memory
group of a given limit, shown to it as a container's limit or hidden, and
what came of it: a score, a refusal or the OOM killer. Imports the sides and
the cgroups.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .cgroups import Box, Snapshot
from .sides import SOLUTION, Side


def run_autograder_text(side: Side) -> str:
    """The ``run_autograder`` script of ``side``'s code, read without importing it.

    It is ``RUN_AUTOGRADER`` in the package's ``gradescope.py``, wherever in
    the package that module is (``grader/`` at 9978bfd).
    """
    for module in sorted((side.source / "grader").rglob("gradescope.py")):
        tree = ast.parse(module.read_text())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "RUN_AUTOGRADER"
                for t in node.targets
            ):
                value = ast.literal_eval(node.value)
                assert isinstance(value, str)
                return value
    raise SystemExit(f"{side.label}: no RUN_AUTOGRADER in its gradescope.py")


@dataclass
class Boxed:
    """``run_autograder`` in a memory group with a limit."""

    limit: int
    outcome: str
    peak_mb: float
    seconds: float
    at_peak: Snapshot
    graded: bool


def bench_memory(
    side: Side, folder: Path, limit: int, cache: Path | None, *, shown: bool = True
) -> Boxed | None:
    """``side``'s ``run_autograder`` on the solution in a group of ``limit`` MB.

    The group's limit file is bind-mounted over the root group's, in a mount
    namespace of the run's own, so that code reading only the root's limit
    (as older code did) sees the container's limit as it would in a real one.
    ``cache``: a cache folder to copy where setup.sh leaves one. Without
    ``shown`` the root's file is left as it is: code that reads only the
    root's limit then sees none and grades whatever its container holds.
    """
    box = Box.make(f"box{limit}", limit)
    if box is None:
        return None
    root = folder / f"{side.label.replace(' ', '-')}-{limit}-{shown}"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    shutil.copy(SOLUTION, root / "submission" / SOLUTION.name)
    if cache is not None:
        shutil.copytree(cache, root / "cache")
    runner = root / "run_autograder"
    runner.write_text(run_autograder_text(side))
    runner.chmod(0o755)
    env = {**side.env, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": side.python}
    env.pop("GRADER_CACHE_DIR", None)  # run_autograder's own: $ROOT/cache
    top = Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")
    if box.version == 2:
        top = Path("/sys/fs/cgroup/memory.max")
    shows = shown and top.exists()
    mount = f"mount --bind {box.limit_file} {top} && " if shows else ""
    script = f'{mount}echo $$ > {box.folder}/cgroup.procs && exec "$0"'
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    started = time.monotonic()
    box.start()
    try:
        subprocess.run(
            [*command, str(runner)], env=env, cwd=side.cwd, capture_output=True
        )
    finally:
        seconds = time.monotonic() - started
        box.stop()
    peak, killed, at_peak = box.peak_mb, box.oom_kills() > 0, box.at_peak
    box.remove()
    try:
        results = json.loads((root / "results" / "results.json").read_text())
    except (OSError, ValueError):
        results = {"score": None, "output": ""}
    said = " ".join(str(results.get("output", "")).split())
    if killed:
        outcome = "killed by the OOM killer; results.json: " + (
            f"{said[:50]}..." if said else "none"
        )
    elif results.get("score") is None:
        outcome = "no results.json"
    elif "not graded" in said:
        outcome = f"refused ({said[:50]}...)"
    else:
        outcome = f"{results['score']:g}/100"
    graded = not killed and results.get("score") == 100 and "not graded" not in said
    print(
        f"  {side.label}, {limit} MB{'' if shown else ' (limit hidden)'}: "
        f"{outcome}, peak {peak:.0f} MB, {seconds:.0f} s",
        flush=True,
    )
    return Boxed(limit, outcome, peak, seconds, at_peak, graded)
