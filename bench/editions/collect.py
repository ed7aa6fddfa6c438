"""Collect public copies of the notebook into a folder per edition, and list them.

Usage: ``python bench/editions/collect.py --mirrors DIR --out /work/realnb
--tsv bench/editions/notebooks.tsv``

``DIR`` holds bare git copies named ``owner+name/repo`` (what the search
tool's ``fetch`` leaves in ``/work/.mirror``; ``git clone --bare`` of the
repositories in ``notebooks.tsv`` gives the same). Every notebook whose name
says Residual/ResNet is read with ``saved_verdicts``; those of a known
edition are written to ``OUT/<edition>/<slug>.ipynb`` (one copy per distinct
content: forks of one file count once) and listed in the TSV with the
repository, commit, path, edition and the course's saved verdicts. A
notebook whose blocks name two editions is kept as ``mixed``: the grader
must refuse it with one clear line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import saved_verdicts as sv  # noqa: E402

NAME = re.compile(r"(resid|resnet)[^/]*\.ipynb$", re.IGNORECASE)
COLUMNS = ("slug", "repo", "commit", "path", "edition", *sv.FUNCTIONS)


def _git(git_dir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), *args],
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def _git_dir(mirror: Path) -> Path:
    repo = mirror / "repo"
    return repo / ".git" if (repo / ".git").is_dir() else repo


def slug(repo: str, path: str, taken: set[str]) -> str:
    """A file name for one notebook: the repository, then the folder if needed."""
    base = re.sub(r"[^A-Za-z0-9]+", "-", repo).strip("-").lower()
    folder = re.sub(r"[^A-Za-z0-9]+", "-", str(Path(path).parent)).strip("-").lower()
    name = base if folder in ("", ".") else f"{base}--{folder}"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    taken.add(candidate)
    return candidate


def main() -> int:
    """Collect, write the notebooks and the TSV; print counts per edition."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tsv", type=Path, required=True)
    args = parser.parse_args()
    rows, seen, taken = [], set(), set()
    for mirror in sorted(args.mirrors.iterdir()):
        git_dir = _git_dir(mirror)
        commit = _git(git_dir, "rev-parse", "HEAD").strip()
        if not commit:
            continue
        repo = mirror.name.replace("+", "/", 1)
        for path in _git(git_dir, "ls-tree", "-r", "--name-only", "HEAD").splitlines():
            if not NAME.search(path) or "checkpoint" in path:
                continue
            blob = _git(git_dir, "show", f"HEAD:{path}")
            digest = hashlib.sha256(blob.encode()).hexdigest()
            if digest in seen:
                continue
            try:
                notebook = json.loads(blob)
            except ValueError:
                continue
            found = sv.signatures(notebook)
            which = sv.edition(found)
            if which not in (*sv.EDITIONS, "mixed"):
                continue
            seen.add(digest)
            name = slug(repo, path, taken)
            target = args.out / which / f"{name}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(blob, encoding="utf-8")
            verdicts = sv.verdicts(notebook, which)
            rows.append((name, repo, commit, path, which, *verdicts.values()))
    lines = ["\t".join(COLUMNS)] + ["\t".join(row) for row in rows]
    args.tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for which in (*sv.EDITIONS, "mixed"):
        print(which, sum(1 for row in rows if row[4] == which))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
