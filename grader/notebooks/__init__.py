"""Notebooks as files: read once, recognised, found in folders. Nothing runs.

``read`` reads a submission into one value (``Notebook``: its graded cells,
its own imports, its edition, its notes) that everything after reading is
handed; ``recognise`` tells the edition from the graded functions' ``def``
lines and refuses another assignment; ``discover`` finds the notebooks a
folder holds and gives each one student id.

May import: ``grader.errors``, ``grader.editions``. The kernel, the judge and
the reports receive what this folder read; they never call back into it (a
test: ``tests/test_layout.py``).
"""
