"""Reports and rendering: what a grading found, and every way it is shown.

``results`` holds the results as frozen plain data (``CheckResult``,
``GradeReport``, a batch's ``SubmissionResult``) with their totals derived,
and ``tally`` a batch's counts; ``points`` reads a points file into a policy
and re-scores results without grading. The renderers make text from them and
compute nothing: ``render`` (text, Gradescope's JSON, the gradebook, JUnit),
``html`` with ``templating`` and ``templates/`` (the feedback page and the
class report; ``shipped`` names the templates), ``figures`` (their SVG
pictures) and ``class_summary`` (the class's figures).

May import: ``grader.errors`` only. Everything else imports it.
"""
