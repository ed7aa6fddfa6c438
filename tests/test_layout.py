"""The package's layout: rooms of one size and no import cycles.

Every module under ``grader/`` and ``bench/`` stays under 500 lines and every
function under 80, each says in a docstring what it is for, and no two
modules import each other, directly or through others. An import counts
wherever it is written (at the top of a module, inside a function, under
``TYPE_CHECKING``): a cycle hidden inside a function still means neither
module can be read without the other.

The bench's scripts run by their path (``python bench/bench.py``), so Python
puts the script's folder first on ``sys.path`` and a script imports its
neighbours by their bare names (``import blocks``, ``from course import
...``); such a name is looked for in the importing file's folder, then in
each folder above it up to ``bench/``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The package, imported by its name, and the bench, whose scripts run by path.
FOLDERS = (ROOT / "grader", ROOT / "bench")
SCRIPTS = "bench"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    """Every module of the folders by its dotted name (a package by its own)."""
    found = {}
    for folder in FOLDERS:
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(name: str, path: Path) -> set[str]:
    """The folders' modules that ``name`` imports, anywhere in its text.

    ``from grader.x import y`` counts as importing ``grader.x.y`` where that
    is a module, else ``grader.x``; a package's own ``__init__`` is not counted
    for the modules below it (importing ``grader.batch.store`` runs it, but
    that is Python's order, not a dependency the reader must follow).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.add(full if _found(full, path) else base)
    found = {_found(target, path) for target in targets}
    return {target for target in found if target is not None and target != name}


def _found(target: str, path: Path) -> str | None:
    """The module ``target`` names when the file at ``path`` imports it.

    A name of the folders' own (``grader.errors``) is itself; in the bench, a
    bare name is also looked for beside the importing file and in each folder
    above it, up to ``bench/`` (see the module's docstring).
    """
    if target in MODULES:
        return target
    if not path.is_relative_to(ROOT / SCRIPTS):
        return None
    folders = list(path.parent.relative_to(ROOT).parts)
    while folders:
        candidate = ".".join([*folders, target])
        if candidate in MODULES:
            return candidate
        folders.pop()
    return None


def _graph() -> dict[str, set[str]]:
    """Which of the folders' modules each module imports."""
    return {name: _imported(name, path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, each sorted.

    A group is a strongly connected component of more than one module
    (Tarjan's algorithm): every module in it reaches every other.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for after in sorted(graph.get(name, ())):
            if after not in index:
                visit(after)
                low[name] = min(low[name], low[after])
            elif after in stack:
                low[name] = min(low[name], index[after])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(groups)


def _functions(path: Path) -> list[tuple[str, int]]:
    """Each function or method of a module, with its length in lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append((node.name, (node.end_lineno or node.lineno) - first + 1))
    return found


@pytest.mark.fast
@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_under_500_lines(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines < MAX_MODULE_LINES, f"{name}: {lines} lines"


@pytest.mark.fast
@pytest.mark.parametrize("name", sorted(MODULES))
def test_functions_are_under_80_lines(name: str) -> None:
    long = [
        f"{function} ({lines} lines)"
        for function, lines in _functions(MODULES[name])
        if lines >= MAX_FUNCTION_LINES
    ]
    assert not long, f"{name}: {', '.join(long)}"


@pytest.mark.fast
@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_says_what_it_is_for(name: str) -> None:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{name}: no module docstring"


@pytest.mark.fast
def test_no_import_cycles() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "\n".join(" <-> ".join(group) for group in cycles)


@pytest.mark.fast
@pytest.mark.parametrize(
    ("graph", "cycles"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
    ],
)
def test_cycles_are_found(graph: dict[str, set[str]], cycles: list[list[str]]) -> None:
    assert _cycles(graph) == cycles


@pytest.mark.fast
@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("grader.commands.cli", "grader.errors"),  # from grader import errors
        ("grader.batch.workers", "grader.batch.options"),  # a module by its name
        ("grader.commands.grade", "grader.batch"),  # inside a function
        ("grader.reports.render", "grader.reports.tally"),  # under TYPE_CHECKING
        ("bench.editions.check_corpus", "bench.editions.blocks"),  # a neighbour
        ("bench.grading.measures", "bench.course"),  # a folder above, in a function
        ("bench.grading.report", "bench.grading.figures"),  # relative
        ("bench.bench", "bench.grading.main"),  # a package beside the script
        ("bench.grading.cgroups", "grader.sandbox.cgroup"),  # the package
    ],
)
def test_imports_are_read(module: str, imported: str) -> None:
    assert imported in _imported(module, MODULES[module])


@pytest.mark.fast
def test_relative_imports_are_read(tmp_path: Path) -> None:
    # The package writes none today; one written later still counts.
    path = tmp_path / "fake.py"
    path.write_text("from . import store\nfrom ..errors import GraderError\n")
    assert _imported("grader.batch.fake", path) == {
        "grader.batch.store",
        "grader.errors",
    }


#: The package's concepts from the bottom up: each may import those before it
#: and none after (``grading`` is ``grade()``, which walks the ones below it;
#: the package itself, ``grader`` and ``grader.__main__``, sits on top).
CONCEPTS = (
    "errors",
    "version",
    "files",
    "reports",
    "editions",
    "sandbox",
    "notebooks",
    "kernel",
    "models",
    "judging",
    "grading",
    "distribution",
    "similarity",
    "batch",
    "service",
    "commands",
    "",
)
#: The concepts a grading reaches after reading the notebook: they are handed
#: what was read and never call back into ``grader.notebooks``.
AFTER_READING = ("kernel", "models", "judging", "reports")


def _concept(module: str) -> str | None:
    """The concept of a module of the package (None: the bench's)."""
    parts = module.split(".")
    if parts[0] != "grader":
        return None
    if len(parts) == 1 or parts[1] == "__main__":
        return ""
    return parts[1]


@pytest.mark.fast
def test_every_module_of_the_package_belongs_to_a_concept() -> None:
    found = {_concept(name) for name in MODULES if name.startswith("grader")}
    assert found == set(CONCEPTS)
    for concept in CONCEPTS:
        folder = ROOT / "grader" / concept
        if concept and folder.is_dir():
            assert ast.get_docstring(ast.parse((folder / "__init__.py").read_text()))


@pytest.mark.fast
def test_concepts_import_only_those_below_them() -> None:
    rank = {concept: index for index, concept in enumerate(CONCEPTS)}
    upward = []
    for name, imported in _graph().items():
        concept = _concept(name)
        if concept is None:
            continue
        for target in imported:
            other = _concept(target)
            if other is not None and other != concept and rank[other] > rank[concept]:
                upward.append(f"{name} -> {target}")
    assert not upward, "imports that point up:\n" + "\n".join(sorted(upward))


def _runtime_imports(path: Path) -> set[str]:
    """What a module imports outside ``if TYPE_CHECKING:``, by dotted name."""
    found: set[str] = set()

    def walk(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            walk(child)

    walk(ast.parse(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.fast
def test_nothing_after_reading_calls_back_into_the_notebooks() -> None:
    called = [
        f"{name} imports {target}"
        for name, path in MODULES.items()
        if _concept(name) in AFTER_READING
        for target in sorted(_runtime_imports(path))
        if target == "grader.notebooks" or target.startswith("grader.notebooks.")
    ]
    assert not called, "\n".join(called)


def _guide_table() -> list[tuple[str, set[str]]]:
    """The guide's module table: each row's concept and the paths it names.

    A row names its folder (``reports/``, or ``grader/`` for the package's
    own modules) and, in backticks, files and folders of it.
    """
    text = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    table = text.split("## Where each concept lives", 1)[1].split("\n\n|", 1)[1]
    rows = []
    for line in ("|" + table).split("\n\n", 1)[0].splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        folder = cells[0].strip("`").removeprefix("grader/")
        named = {
            (folder + name).rstrip("/")
            for cell in cells[1:]
            for name in re.findall(r"`([\w./]+)`", cell)
            if name.endswith((".py", "/"))
        }
        concept = folder.rstrip("/")
        if not concept:
            first = sorted(named)[0]
            concept = "" if first.startswith("__") else first.removesuffix(".py")
        rows.append((concept, named))
    return rows


@pytest.mark.fast
def test_the_guides_module_table_follows_the_folders() -> None:
    rows = _guide_table()
    named = set().union(*(paths for _, paths in rows))
    package = ROOT / "grader"
    modules = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if path.name != "__init__.py" or path.parent == package
    }
    covered = {
        module
        for module in modules
        if module in named or any(module.startswith(f"{n}/") for n in named)
    }
    assert modules - covered == set(), "modules the guide's table leaves out"
    missing = {name for name in named if not (package / name).exists()}
    assert not missing, "the guide's table names what is not there"
    order = [CONCEPTS.index(concept) for concept, _ in rows]
    assert order == sorted(order), "the table's rows out of the folders' order"
