"""``python -m grader.batch``: a batch's child process.

``NOTEBOOK ANSWER OPTIONS`` grades one notebook (``child_main``);
``--worker FOLDER OPTIONS`` is a warm worker that grades the notebooks named on its
standard input (``worker_main``).
"""

import sys

from grader.batch.workers import child_main, worker_main

if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        raise SystemExit(worker_main(*sys.argv[2:4]))
    raise SystemExit(child_main(*sys.argv[1:4]))
