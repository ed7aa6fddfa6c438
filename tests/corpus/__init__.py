"""Solutions with known verdicts: wrong ones in ``wrong.py``, correct rewrites
in ``correct/`` (one file of graded cells per rewrite)."""
