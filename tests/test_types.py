"""The package's types (mypy, as configured in pyproject.toml) and its API.

``__all__`` is the public API of ``grader`` and ``grader.batch``: it lists
every name the package binds itself, and every name it lists resolves.
"""

import importlib
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("grader", "grader.batch")


@pytest.mark.fast
def test_mypy_passes() -> None:
    # The configuration ([tool.mypy] in pyproject.toml) names what is checked.
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.fast
def test_ruff_passes() -> None:
    # The lint rules and what is left out are [tool.ruff] in pyproject.toml.
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _bound_here(package: types.ModuleType) -> set[str]:
    """The public names a package binds, less its submodules."""
    prefix = package.__name__ + "."
    return {
        name
        for name, value in vars(package).items()
        if not name.startswith("_")
        and not (
            isinstance(value, types.ModuleType) and value.__name__.startswith(prefix)
        )
    }


@pytest.mark.fast
@pytest.mark.parametrize("name", PACKAGES)
def test_all_lists_what_the_package_binds(name: str) -> None:
    package = importlib.import_module(name)
    listed = package.__all__
    assert len(set(listed)) == len(listed), "a name is listed twice"
    assert _bound_here(package) - set(listed) == set(), "public but not in __all__"
    # A name not bound yet is one the package imports when asked for it.
    lazy = set(listed) - set(vars(package))
    assert not lazy or "__getattr__" in vars(package), f"{lazy} cannot resolve"
    for each in set(listed) - lazy:
        getattr(package, each)


def _fresh(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.fast
def test_all_names_resolve() -> None:
    # In a fresh interpreter, where nothing has been imported yet.
    result = _fresh(
        f"""
        import importlib, types
        for name in {PACKAGES!r}:
            package = importlib.import_module(name)
            for each in package.__all__:
                value = getattr(package, each)
                assert not isinstance(value, types.ModuleType), (name, each)
        """
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.fast
def test_grade_stays_the_function() -> None:
    result = _fresh(
        """
        import grader
        first, second = grader.grade, grader.grade
        assert first is second, second
        import grader.grading
        from grader import grade
        assert grader.grade is grade is first and callable(first), grader.grade
        """
    )
    assert result.returncode == 0, result.stderr
