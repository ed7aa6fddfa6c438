"""Grading many submissions, each in its own process, with every result kept.

A result is reused while neither the notebook nor the grader changes.
``grade_many`` is the whole batch; its modules, one job each:

- ``options``: what a grading depends on besides the notebook (the
  notebooks and their student ids come from ``grader.notebooks.discover``,
  the grader's version from ``grader.version``);
- ``store``: the results kept under ``OUT/results/`` and when one is still
  good, and the batch's one way to write a file (whole or not at all);
- ``workers``: a child process grading one notebook (``python -m
  grader.batch``), and the runners: here, ``jobs`` at a time, or on a Dask
  cluster; either way the same function grades the same bytes;
- ``progress``: a batch's counts (``grader.reports.tally``) on standard error;
- ``outputs``: writing the gradebook, feedback, Gradescope and JUnit files,
  then the class report and the HTML feedback (``grader.reports.render`` and
  ``grader.reports.html`` make their text), and Canvas's import file;
- ``roster``: Canvas's gradebook export read as a roster, and the text of
  ``canvas-import.csv`` made from it and the results;
- ``many``: ``grade_many``, from the paths to the files.

May import: ``grader.grading`` and every folder below it, ``grader.similarity``
(the similarity page a batch ends with); never the service or the command
line.
"""

from grader.batch.many import DEFAULT_OUT, Interrupted, grade_many
from grader.batch.options import Options
from grader.batch.outputs import output_paths, write_outputs
from grader.batch.workers import Verdict, grade_bytes, grade_file
from grader.notebooks.discover import Submission, find_submissions
from grader.reports.tally import Tally
from grader.version import grader_version

__all__ = [
    "DEFAULT_OUT",
    "Interrupted",
    "Options",
    "Submission",
    "Tally",
    "Verdict",
    "find_submissions",
    "grade_bytes",
    "grade_file",
    "grade_many",
    "grader_version",
    "output_paths",
    "write_outputs",
]
