"""The hand-out's copy of the checks' code: the package ``resnet_checks/``.

``write_package`` writes it: the grader's modules that the visible checks
need (``COPIED``), copied now with their imports rewritten (``rewrite``),
and two written anew (``WRITTEN``): ``probes.py`` with only the calls the
notebook shows (``visible_probes``) and ``reference.py``, which rebuilds the
reference models of those calls from their Keras configurations
(``reference_configs``) instead of building them.
"""

from __future__ import annotations

import ast
import json
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from grader import errors

if TYPE_CHECKING:
    import sys

    from grader.editions import Edition

    # importlib.resources.abc is Python 3.11's; 3.10 has only importlib.abc.
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable


PACKAGE = "resnet_checks"
"""The hand-out's copy of the checks' code, beside the notebook."""
COPIED = (
    "errors",
    "distribution/submit",
    "judging/checks",
    "judging/judge",
    "distribution/public",
    "kernel/kernel_side",
    "kernel/protocol",
    "models/graph",
    "models/graph_read",
    "models/graph_window",
    "models/rebuild",
    "notebooks/read",
    "reports/render",
    "reports/results",
)
"""Grader modules copied as they are, but for their imports, each at its path
in the package (``distribution/submit``: the notebook's ``submit()`` to a
grading service, which imports none). Each folder's ``__init__.py`` comes too."""
WRITTEN = ("editions/probes", "judging/reference")
"""Grader modules the hand-out gets a version of its own of (see the docstring)."""
EDITION_MODULES = ("__init__", "model")
"""The modules of ``grader/editions/`` the hand-out copies; its editions (the
2020 one and the one handed out) are written as modules of their own."""
LEFT_OUT = ("judging/hidden",)
"""Grader modules that copied ones import only where a hidden check runs."""
FIXTURES = ("expected.json", "resnet50_layers.tsv")
NOT_SHIPPED = (
    "grader/{module}.py imports grader.{name}, which the hand-out does not ship: "
    "add it to COPIED in grader/distribution/handout_code.py, or import it where "
    "only hidden checks run"
)
HEADER = (
    "# Written by `grader release` ({version}) from the grader's {source}.\n"
    "# Do not edit: the next release writes it again.\n"
)
IMPORT = re.compile(r"^(\s*(?:from|import)\s+)grader\b", re.MULTILINE)
MODULE_NAME = re.compile(r"""(["'])grader((?:\.\w+)+)\1""")


def write_package(target: Path, version: str, edition: Edition | None = None) -> None:
    """Write the checks' code, ``resnet_checks/``, into ``target``.

    ``edition`` (default 2020) is the one handed out: the package holds its
    visible probes (``probes.py``), its module and the 2020 edition's in
    ``editions/`` (written from their data, without hidden probes) and its
    fixtures.
    """
    from grader.editions import DEFAULT, get

    edition = edition or get(DEFAULT)
    source = resources.files("grader")
    target.mkdir()
    (target / "__init__.py").write_text(
        HEADER.format(version=version, source="modules")
        + '"""The code of the notebook\'s public checks, taken from the grader."""\n',
        encoding="utf-8",
    )
    # The editions' package, with the 2020 edition's module only: the others
    # hold hidden probes.
    editions = target / "editions"
    editions.mkdir()
    shipped = dict.fromkeys((DEFAULT, edition.name))  # 2020's, and the one out
    written = dict(
        edition_module(edition if name == edition.name else get(name))
        for name in shipped
    )
    for module in EDITION_MODULES:
        text = (
            source.joinpath("editions")
            .joinpath(f"{module}.py")
            .read_text(encoding="utf-8")
        )
        if module == "__init__":
            text = _modules_line(text, tuple(written))
        header = HEADER.format(version=version, source=f"grader/editions/{module}.py")
        (editions / f"{module}.py").write_text(header + rewrite(text), encoding="utf-8")
    for module, text in written.items():
        header = HEADER.format(version=version, source="the edition's data")
        (editions / f"{module}.py").write_text(header + text, encoding="utf-8")
    for module in COPIED:
        text = source.joinpath(f"{module}.py").read_text(encoding="utf-8")
        _check_imports(module, text)
        header = HEADER.format(version=version, source=f"grader/{module}.py")
        if module == "distribution/public" and edition.name != DEFAULT:
            # The 2020 edition is the public checks' own (None): copied as is.
            text = released_edition(text, edition)
        _write_module(target, module, header + rewrite(text), source, version)
    probes_text = source.joinpath("editions/probes.py").read_text(encoding="utf-8")
    header = HEADER.format(
        version=version,
        source="grader/editions/probes.py, keeping only the calls the notebook shows",
    )
    _write_module(
        target,
        "editions/probes",
        header + rewrite(visible_probes(probes_text, edition)),
        source,
        version,
    )
    header = HEADER.format(version=version, source="reference models")
    text = header + REFERENCE_MODULE
    _write_module(target, "judging/reference", text, source, version)
    (target / "references.json").write_text(
        json.dumps(reference_configs(edition)), encoding="utf-8"
    )
    fixtures = target / "fixtures"
    fixtures.mkdir()
    (fixtures / "__init__.py").write_text(
        '"""The assignment\'s expected values."""\n', encoding="utf-8"
    )
    for name in dict.fromkeys((*FIXTURES, edition.expected, edition.layer_table)):
        if not name:
            continue  # nothing published: the shipped references are expected
        if Path(name).is_absolute():  # an instructor's, beside its data file
            data = Path(name).read_bytes()
        else:
            data = resources.files("grader.fixtures").joinpath(name).read_bytes()
        (fixtures / Path(name).name).write_bytes(data)


def _write_module(
    target: Path, module: str, text: str, source: Traversable, version: str
) -> None:
    """Write ``module`` (a path such as ``judging/checks``) into ``target``.

    Its folder is made where it is not yet, with the grader's ``__init__.py``
    of that folder (the concept's docstring) copied beside it.
    """
    folder, _, name = module.rpartition("/")
    where = target / folder if folder else target
    if folder and not where.is_dir():
        where.mkdir(parents=True)
        init = source.joinpath(f"{folder}/__init__.py").read_text(encoding="utf-8")
        _check_imports(f"{folder}/__init__", init)
        header = HEADER.format(version=version, source=f"grader/{folder}/__init__.py")
        (where / "__init__.py").write_text(header + rewrite(init), encoding="utf-8")
    (where / f"{name}.py").write_text(text, encoding="utf-8")


def _modules_line(text: str, modules: tuple[str, ...]) -> str:
    """``grader/editions/__init__.py``'s text with ``MODULES`` naming ``modules``."""
    line = re.compile(r"^MODULES(?:: [^=\n]+)? = \(.*?\)\n", re.MULTILINE | re.DOTALL)
    if not line.search(text):
        raise errors.GraderError("grader/editions/__init__.py has no MODULES line")
    return line.sub(lambda m: f"MODULES = {modules!r}\n", text, count=1)


def rewrite(text: str) -> str:
    """``text`` with its imports of ``grader`` made imports of the hand-out's copy.

    Only import statements and strings that are a module name
    (``"grader.fixtures"``) change; prose that names the grader stays.
    """
    text = IMPORT.sub(lambda m: m.group(1) + PACKAGE, text)
    return MODULE_NAME.sub(
        lambda m: f"{m.group(1)}{PACKAGE}{m.group(2)}{m.group(1)}", text
    )


def _grader_imports(tree: ast.AST) -> set[str]:
    """The ``grader`` modules a module imports, outside ``if TYPE_CHECKING:``.

    Each as its path in the package (``judging/checks``); a name imported
    from a folder (``from grader.models import graph``) is that module's.
    """
    found: set[str] = set()

    def walk(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "grader" or node.module.startswith("grader."):
                base = node.module.removeprefix("grader").lstrip(".").replace(".", "/")
                for alias in node.names:
                    found.add(_module_path(base, alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("grader."):
                    found.add(alias.name.removeprefix("grader.").replace(".", "/"))
        for child in ast.iter_child_nodes(node):
            walk(child)

    walk(tree)
    return found


def _module_path(base: str, name: str) -> str:
    """What ``from grader.<base> import <name>`` imports, as a path.

    A module where ``name`` is one, else ``base`` itself (a folder or a module).
    """
    candidate = f"{base}/{name}" if base else name
    source = resources.files("grader")
    if (
        source.joinpath(f"{candidate}.py").is_file()
        or source.joinpath(candidate).is_dir()
    ):
        return candidate
    return base


def _check_imports(module: str, text: str) -> None:
    """Refuse to release a module that needs a grader module the hand-out lacks."""
    shipped = {*COPIED, *WRITTEN, *LEFT_OUT, "fixtures", "editions", "editions/model"}
    folders = {name.rpartition("/")[0] for name in shipped}
    missing = sorted(_grader_imports(ast.parse(text)) - shipped - folders)
    if missing:
        raise errors.GraderError(
            NOT_SHIPPED.format(module=module, name=missing[0].replace("/", "."))
        )


def visible_probes(text: str, edition: Edition | None = None) -> str:
    """``grader/editions/probes.py``'s text, ``PROBES`` cut to the visible probes.

    They are ``edition``'s (default: the 2020 edition's, the module's own).
    """
    from grader.editions.probes import PROBES

    probes = PROBES if edition is None else edition.probes

    tree = ast.parse(text)
    node = next(
        n
        for n in tree.body
        if isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "PROBES" for t in n.targets)
    )
    lines = text.splitlines(keepends=True)
    kept = "".join(f"    {probe!r},\n" for probe in probes if probe.visible)
    replacement = f"PROBES = (\n{kept})\n"
    end = node.end_lineno or node.lineno
    return "".join([*lines[: node.lineno - 1], replacement, *lines[end:]])


def _config_key(
    function: str, kwargs: object, input_shape: object, options: object
) -> str:
    shape = None if input_shape is None else list(input_shape)  # type: ignore[call-overload]
    return json.dumps([function, kwargs, shape, options], sort_keys=True)


def reference_configs(edition: Edition | None = None) -> dict[str, object]:
    """The reference model of each visible probe, as its Keras configuration.

    The reference is the edition's solution's answer (``grader.judging.solution``).
    For an edition without layer names, also the named twin of each that
    the judge builds to say where a layer sits (``Judge._position_labels``),
    where the 2020 edition's builder takes the probe's arguments.
    """
    from grader.editions import DEFAULT, get
    from grader.judging import reference
    from grader.judging.solution import Solution
    from grader.notebooks.notebook import read_solution
    from grader.sandbox.choice import choose

    edition = edition or get(DEFAULT)
    solution = Solution(edition, choose(), read_solution(edition))
    configs: dict[str, object] = {}
    for probe in edition.probes:
        if not probe.visible:
            continue
        options = {} if edition.layer_names else {"layer_names": False}
        key = _config_key(probe.function, probe.kwargs, probe.input_shape, options)
        configs[key] = json.loads(solution.answer(probe.function, probe.key))
        if edition.layer_names:
            continue
        twin = probe.kwargs
        if probe.input_shape is not None:  # as Judge._position_labels builds it
            twin = {**probe.kwargs, "stage": 1, "block": "a"}
        try:
            model = reference.build(probe.function, twin, probe.input_shape)
        except TypeError:  # an argument the 2020 builder lacks: no twin
            continue
        key = _config_key(probe.function, twin, probe.input_shape, {})
        configs[key] = json.loads(model.to_json())
    return configs


def edition_module(edition: Edition) -> tuple[str, str]:
    """An edition's module for the hand-out: its name and text.

    The edition as data, with the hand-out's visible probes in place of its
    own (which hold hidden ones) and its solution's file name only.
    """
    module = "edition_" + re.sub(r"\W", "_", edition.name)
    fields = {
        "name": repr(edition.name),
        "description": repr(edition.description),
        "signatures": repr(dict(edition.signatures)),
        "probes": "PROBES",
        "checks": "(\n"
        + "".join(f"        {row!r},\n" for row in edition.checks)
        + "    )",
        "expected": repr(Path(edition.expected).name if edition.expected else ""),
        "layer_table": repr(
            Path(edition.layer_table).name if edition.layer_table else ""
        ),
        "layer_names": repr(edition.layer_names),
        "training": repr(edition.training),
        "initializer": repr(edition.initializer),
        "solution": f"Path({edition.solution.name!r})",
        "examples": repr(dict(edition.examples)),
    }
    lines = "".join(f"    {key}={value},\n" for key, value in fields.items())
    text = (
        f'"""The {edition.name} edition, as the hand-out knows it."""\n\n'
        "from pathlib import Path\n\n"
        f"from {PACKAGE}.editions import CheckRow, Edition, Example\n"
        f"from {PACKAGE}.editions.probes import PROBES\n\n"
        f"EDITION = Edition(\n{lines})\n"
    )
    return module, text


def released_edition(text: str, edition: Edition) -> str:
    """``grader/distribution/public.py``'s text, ``EDITION`` the released one's."""
    line = "EDITION: str | None = None\n"
    if line not in text:
        raise errors.GraderError(
            "grader/distribution/public.py has no `EDITION = None` line"
        )
    return text.replace(line, f"EDITION: str | None = {edition.name!r}\n", 1)


REFERENCE_MODULE = '''"""The reference models of the calls the notebook shows.

The grader builds these itself; the hand-out carries their Keras
configurations instead (references.json, written by `grader release`), from
which they are rebuilt with Keras' built-in layers only. Checks compare your
model's layers with them, and only for the notebook's own example calls.
"""

import json
from functools import cache
from importlib import resources

from resnet_checks.models import rebuild


@cache
def _configs():
    folder = resources.files("resnet_checks")
    return json.loads(folder.joinpath("references.json").read_text(encoding="utf-8"))


def build(function, kwargs, input_shape, **options):
    """Rebuild the reference model of one of the notebook's example calls."""
    shape = None if input_shape is None else list(input_shape)
    key = json.dumps([function, kwargs, shape, options], sort_keys=True)
    return rebuild.rebuild(json.dumps(_configs()[key]))
'''
