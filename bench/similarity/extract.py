"""Write the benchmark's public notebooks into a folder, from bare git copies.

    python bench/similarity/extract.py --mirrors DIR --out FOLDER

``DIR`` holds a bare git copy of each repository that ``notebooks.tsv``
(the 2020 class) and ``later.tsv`` (notebooks of the later editions) name,
as ``DIR/OWNER+NAME/repo`` (what the search tool's ``fetch`` leaves in
``/work/.mirror``; ``git clone --bare`` gives the same). Each listed file is
read at its commit and written as ``FOLDER/2020/OWNER__REPO.ipynb`` or
``FOLDER/<edition>/OWNER__REPO.ipynb``: ``run.py FOLDER/2020`` and
``mixed.py FOLDER`` read them there. Nothing of them is committed.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LISTS = {"notebooks.tsv": "2020", "later.tsv": None}


def _git_dir(mirrors: Path, repo: str) -> Path:
    folder = mirrors / repo.replace("/", "+") / "repo"
    return folder / ".git" if (folder / ".git").is_dir() else folder


def extract(mirrors: Path, out: Path) -> int:
    """Write every listed notebook; return how many could not be read."""
    missing = 0
    for name, edition in LISTS.items():
        with (HERE / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                folder = out / (edition or row["edition"])
                folder.mkdir(parents=True, exist_ok=True)
                shown = subprocess.run(
                    [
                        "git",
                        "--git-dir",
                        str(_git_dir(mirrors, row["repo"])),
                        "show",
                        f"{row['commit']}:{row['path']}",
                    ],
                    capture_output=True,
                    check=False,
                )
                if shown.returncode != 0:
                    print(f"{row['repo']}: not read ({shown.stderr.decode().strip()})")
                    missing += 1
                    continue
                target = folder / f"{row['repo'].replace('/', '__')}.ipynb"
                target.write_bytes(shown.stdout)
    return missing


def main() -> None:
    """Extract into the folder named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sys.exit(1 if extract(args.mirrors, args.out) else 0)


if __name__ == "__main__":
    main()
