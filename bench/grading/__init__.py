"""Issue 22's goals, measured for this code and an older commit in one run.

Run from the repository root, after the README's set-up command:

    .venv/bin/python bench/bench.py --runs 3

The older code (``--against``, default 9978bfd) is checked out with ``git
worktree add`` into a temporary folder, removed however the bench ends, and
run with the same virtual environment: ``PYTHONPATH`` puts its ``grader``,
``resnets_utils`` and ``public_tests`` ahead of the editable install, and
every command runs from a neutral folder (``python -m grader`` would put the
current folder first on ``sys.path``). The bench prints which files each
side imports before it measures anything.

This code runs as a user's would after ``grader cache warm``: with a cache
folder warmed once at the start (``GRADER_CACHE_DIR``); one grading with an
empty cache folder is shown as well. Memory is what a memory cgroup counts
(``memory.max_usage_in_bytes`` under v1, ``memory.peak`` under v2): each
command runs in a group of its own, made where the bench may make one
(root), and each worker of a batch is moved into a group of its own as soon
as it starts (its kernels, started later, are counted with it).

What it measures, old and new side by side:

- ``grader grade`` of the solution, ``--runs`` times each, old and new
  alternating: median, min and max wall time, each grading's group peak,
  where the median grading's time went (``--timings``);
- ``grader gradescope run`` (each side's own ``run_autograder``) in memory
  groups of ``--memory-limits`` MB, the group's limit also shown as the
  container's (bind-mounted over the root's limit file in a mount namespace
  of its own), as in a real container: the score, a refusal, or the OOM
  killer; this side's with the cache ``setup.sh`` would have warmed;
- a batch of ``--batch`` copies of the solution with ``-j 2``: submissions a
  minute and each worker's peak;
- ``grader check`` of one function, ``--runs`` times each, alternating;
- this side only: the course folder of ``bench/course.py`` graded with ``-j
  2``, its gradebook against ``bench/gradebook-before.csv`` (all columns but
  ``seconds``), and, unless skipped, the grading held to half a core, an
  endless loop in ``identity_block`` and the notebook run top to bottom.

For each goal missed it prints where the time or the memory went: the phases
of ``grader grade --timings`` and the top of a cProfile of the grader
process, or the processes and memory kinds at the group's peak.

Nothing here is asserted by a test: figures depend on the machine and on what
else runs on it.

The modules, each importing only those above it in this list:

- ``sides``: the two versions of the grader, how each runs, what it imports;
- ``cgroups``: the memory groups each command runs in, sampled near their
  peak, a batch's workers moved into groups of their own, and half a core;
- ``runs``: one command run and measured in a group; the machine's line;
- ``measures``: the gradings, checks, batches and this side's extras;
- ``memory``: ``run_autograder`` in a memory group with a limit;
- ``figures``: everything one run measured, and the goals it derives;
- ``explain``: for a goal missed, where the time went (phases, cProfile);
- ``report``: the figures as the Markdown table and the misses, text only;
- ``main``: the options, then one measure after another, then the report.
"""
