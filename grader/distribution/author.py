"""Writing an edition and proving it: ``grader edition new`` and ``check``.

``new_edition`` makes an edition's folder from a solution notebook and an
edition it resembles: the data file (``grader.editions.data``), its probes
and checks taken from that edition and fitted to the solution's signatures,
and the solution beside it. ``check_edition`` proves one: the solution earns
full marks and its stub 0, the checks students see pass on the solution (in
the grader, and in the hand-out ``grader release`` writes), and every
parameter of every graded function is changed by some hidden probe. Both
say what they found as lines for the instructor.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from grader.editions import Edition, get, reload
from grader.editions.data import (
    FILE,
    EditionError,
    load,
    solution_signatures,
    write,
)
from grader.editions.probes import FUNCTIONS, Probe
from grader.errors import NotAssignmentError

BLOCKS = ("identity_block", "convolutional_block")
#: Checks that read an argument: left out where the solution's blocks lack it.
NEEDS = {"training argument": "training", "initializer argument": "initializer"}


def new_edition(
    name: str, solution: Path, folder: Path, *, like: str | None = None
) -> tuple[Path, list[str]]:
    """Write ``folder/name/`` from ``solution``; return its data file and notes.

    ``like`` (default: the edition the solution's signatures fit best) lends
    its probes, checks and examples: arguments the solution's functions do
    not take are dropped, and each note says what to look at.
    """
    if not solution.is_file():
        raise EditionError(f"{solution}: no such solution notebook")
    target = folder / name
    if (target / FILE).exists():
        raise EditionError(f"{target / FILE}: exists already; edit it instead")
    signatures = solution_signatures(solution)
    missing = [f for f in FUNCTIONS if f not in signatures]
    if missing:
        raise EditionError(f"{solution}: defines no {missing[0]}")
    model = get(like or _resembled(solution))
    taken = {f: _parameters(signatures[f]) for f in FUNCTIONS}
    notes = [f"made like the {model.name} edition"]
    probes = []
    for probe in model.probes:
        dropped = [k for k in probe.kwargs if k not in taken[probe.function]]
        if dropped:
            notes.append(
                f"{probe.function} probe {probe.key!r}: dropped "
                f"{', '.join(dropped)} (not a parameter of the solution's)"
            )
        kept = {k: v for k, v in probe.kwargs.items() if k not in dropped}
        probes.append(replace(probe, kwargs=kept))
    blocks = [set(taken[f]) for f in BLOCKS]
    checks = tuple(
        row
        for row in model.checks
        if row.name not in NEEDS or all(NEEDS[row.name] in b for b in blocks)
    )
    if sum(row.points for row in checks) != model.points:
        notes.append(
            f"checks total {sum(r.points for r in checks):g} of "
            f"{model.points:g}: set points in {FILE}"
        )
    target.mkdir(parents=True, exist_ok=True)
    copied = target / "Residual_Networks.ipynb"
    shutil.copyfile(solution, copied)
    from grader.judging.judge import Expected

    edition = Edition(
        name=name,
        description=f"made from {solution.name}, like the {model.name} edition",
        signatures=signatures,
        probes=tuple(probes),
        checks=checks,
        expected="",
        layer_table="",
        layer_names=model.layer_names,
        training=False,
        initializer=False,
        solution=copied,
        examples=dict(Expected.load(model).example),
    )
    notes.append(
        "no published numbers: a student's answers are compared with the "
        f"solution's (add [published] to {FILE} where the course published some)"
    )
    return write(edition, target), notes


def _resembled(solution: Path) -> str:
    """The edition the solution's signatures fit best; ``EditionError`` if none."""
    from grader.notebooks.read import find_graded_cells, read_notebook
    from grader.notebooks.recognise import best_edition, fits

    graded = find_graded_cells(read_notebook(solution))
    table = fits(graded)
    try:
        like = best_edition(graded, str(solution))
    except NotAssignmentError:  # a tie, or no fit: the instructor says
        like = ""
    if not like or not any(table[f][like] for f in table):
        raise EditionError(
            f"{solution}: its signatures fit no one edition best; say which "
            "it is like with --like EDITION"
        )
    return like


def _parameters(signature: str) -> dict[str, Any]:
    """A signature's parameters, each with its default where it is a literal."""
    node = ast.parse(f"def {signature}: pass").body[0]
    assert isinstance(node, ast.FunctionDef)
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[Any] = [None] * (len(positional) - len(args.defaults))
    defaults += list(args.defaults)
    found: dict[str, Any] = {}
    pairs = [
        *zip(positional, defaults, strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    for arg, default in pairs:
        try:
            found[arg.arg] = ast.literal_eval(default) if default else NO_DEFAULT
        except ValueError:
            found[arg.arg] = UNKNOWN  # a name: any value passed changes it
    return found


NO_DEFAULT = object()
UNKNOWN = object()


def unexercised(edition: Edition) -> list[str]:
    """Each parameter of each graded function that no hidden probe changes.

    A hidden probe changes a parameter when it passes it with a value other
    than its default (one without a default: when it passes it at all). A
    block's first parameter, its input, is the probe's input.
    """
    missing = []
    for function in FUNCTIONS:
        parameters = _parameters(edition.signatures[function])
        names = list(parameters)[1:] if function in BLOCKS else list(parameters)
        hidden = [p for p in edition.probes if p.function == function and not p.visible]
        for name in names:
            default = parameters[name]
            if not any(_changes(p, name, default) for p in hidden):
                missing.append(f"{function}: {name}")
    return missing


def _changes(probe: Probe, name: str, default: Any) -> bool:
    if name not in probe.kwargs:
        return False
    value = probe.kwargs[name]
    if default in (NO_DEFAULT, UNKNOWN):
        return True
    return bool(_plain(value) != _plain(default))


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Proof:
    """What ``check_edition`` found: a line per finding, and whether all hold."""

    lines: tuple[str, ...]
    holds: bool


def check_edition(folder: Path) -> Proof:
    """Prove the edition in ``folder`` (see the module docstring)."""
    import os

    from grader.distribution.assign import assign
    from grader.editions import FOLDER_VARIABLE
    from grader.grading import grade

    edition = load(folder)  # refused at once where the data file is wrong
    os.environ.setdefault(FOLDER_VARIABLE, str(folder.resolve()))
    reload()  # as the file is now
    edition = get(edition.name)
    lines, holds = [], True

    def say(ok: bool, text: str) -> None:
        nonlocal holds
        holds = holds and ok
        lines.append(f"{'ok  ' if ok else 'FAIL'}  {text}")

    say(edition.points > 0, f"checks: {len(edition.checks)}, {edition.points:g} points")
    missing = unexercised(edition)
    say(
        not missing,
        "every parameter is changed by a hidden probe"
        if not missing
        else "no hidden probe changes " + "; ".join(missing),
    )
    solution = grade(edition.solution, edition=edition.name)
    wrong = [f"{c.title}: {c.message}" for c in solution.checks if not c.passed]
    say(
        not wrong,
        f"the solution earns {solution.score:g}/{solution.max_score:g}"
        + ("" if not wrong else f" ({wrong[0]})"),
    )
    shown = [c for c in solution.checks if c.visible]
    say(
        all(c.passed for c in shown),
        f"the checks students see pass on the solution ({len(shown)})",
    )
    with tempfile.TemporaryDirectory(prefix="grader-edition-") as scratch:
        written = assign(edition.solution, Path(scratch) / "stub")
        (stub,) = (path for path in written if path.suffix == ".ipynb")
        report = grade(stub, edition=edition.name)
        say(report.score == 0, f"its stub earns {report.score:g}")
        failed = public_checks(edition, Path(scratch) / "handout")
    say(
        not failed,
        "the hand-out's public checks pass on the solution"
        + ("" if not failed else f" ({failed[0]})"),
    )
    return Proof(tuple(lines), holds)


PUBLIC_RUN = """\
import json
{prelude}
{imports}
{cells}
from resnet_checks.distribution.public import check_function
failed = []
for name in {functions!r}:
    for result in check_function(name, globals()[name]):
        if not result.passed:
            failed.append(f"{{result.title}}: {{result.message}}")
print(json.dumps(failed))
"""
"""The solution's cells, then the hand-out's public checks on each function."""


def public_checks(edition: Edition, folder: Path) -> list[str]:
    """The hand-out's public checks that fail on the solution's functions.

    ``grader release`` writes the hand-out into ``folder``; its public
    checks (``resnet_checks.distribution.public``, as the student's notebook runs them)
    run on the solution's graded cells, in a Python of their own that sees
    the hand-out and not the grader.
    """
    import json
    import subprocess
    import sys

    from grader.distribution.release import release
    from grader.kernel.kernel_side import PRELUDE
    from grader.notebooks.read import find_graded_cells, own_imports, read_notebook

    release(folder, edition=edition.name)
    nb = read_notebook(edition.solution)
    code = PUBLIC_RUN.format(
        prelude=PRELUDE,  # the names the kernel gives the graded cells
        imports=own_imports(nb),
        cells="\n\n".join(cell.source for cell in find_graded_cells(nb).values()),
        functions=list(FUNCTIONS),
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            "PYTHONPATH": str(folder),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PATH": "/usr/bin",
        },
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return [f"they did not run: {tail[0]}"]
    return [str(line) for line in json.loads(lines[-1])]
