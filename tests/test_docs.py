"""The user guide in docs/ and the README that fronts it.

The guide must build with ``mkdocs build --strict`` (mkdocs.yml turns a
broken link, a missing anchor and a page left out of ``nav`` into warnings,
and strict makes any warning fatal), and the README must stay a short front
page whose set-up commands are the ones CI runs. No kernel, no TensorFlow.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.fast

ROOT = Path(__file__).resolve().parent.parent
README_MOST_LINES = 150


def test_the_guide_builds_strictly_without_a_warning():
    # Material prints an end-of-life banner on every build unless told not to;
    # it is not a warning about the guide.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryDirectory(prefix="grader-docs-") as site:
        built = subprocess.run(
            [
                sys.executable,
                "-m",
                "mkdocs",
                "build",
                "--strict",
                "--config-file",
                str(ROOT / "mkdocs.yml"),
                "--site-dir",
                site,
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        log = built.stdout + built.stderr
        assert built.returncode == 0, log
        assert "WARNING" not in log, log
        # mkdocs checks the guide's own links; the README's into it are
        # checked here, against the pages and anchors it built.
        assert broken_readme_links(Path(site)) == []


def broken_readme_links(site: Path) -> list[str]:
    """The README's relative links whose file, page or anchor is missing."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    broken = []
    for link in re.findall(r"\]\(([^)\s]+)\)", readme):
        if "://" in link:
            continue
        path, _, anchor = link.partition("#")
        if not (ROOT / path).exists():
            broken.append(link)
        elif anchor:
            name = Path(path).relative_to("docs").with_suffix("")
            page = site / ("" if name.name == "index" else name) / "index.html"
            if f'id="{anchor}"' not in page.read_text(encoding="utf-8"):
                broken.append(link)
    return broken


def test_every_guide_page_is_in_the_navigation():
    # mkdocs warns about pages left out of nav; this names them without a build.
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\s+- [^:\n]+: (\S+\.md)$", config, re.MULTILINE))
    pages = {path.name for path in (ROOT / "docs").glob("*.md")}
    assert listed == pages


def test_the_readme_is_a_short_front_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < README_MOST_LINES


def test_the_readme_set_up_commands_are_the_ones_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Set-up: two commands\n.*?```sh\n(.*?)```", readme, re.S)
    assert block is not None, "the README has no set-up block"
    commands = block.group(1).strip().splitlines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert len(commands) == 2
    assert [line for line in ci if line in commands] == commands
