"""``python -m grader.batch NOTEBOOK ANSWER OPTIONS``: one batch child."""

import sys

from grader.batch.workers import child_main

if __name__ == "__main__":
    raise SystemExit(child_main(*sys.argv[1:4]))
