"""Judging: the expected values, the reference, and the checks.

``judge`` builds once what every check compares (``Expected``, ``Judge``);
``checks`` is the checks table and the visible checks, ``hidden`` the hidden
ones (kept apart, so the hand-out ships the first without the second) and
``public`` the notebook's own checks; ``solution`` is the reference, each
edition's solution notebook run through the same probes in the sandboxed
kernel and kept once per machine; ``reference`` is the grader's own
ResNet-50 from a stage table (the tests' oracle, and the named twin that says
where an unnamed layer sits); ``cache`` and ``check_cache`` keep what was
judged once.

May import: ``grader.errors``, ``grader.version``, ``grader.reports``,
``grader.editions``, ``grader.sandbox``, ``grader.kernel``, ``grader.models``;
types only of ``grader.notebooks``.
"""
