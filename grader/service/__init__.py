"""The grading service: students submit and see their grade in seconds.

``grader serve`` runs one web process (``app``: the HTTP API and the pages)
and, beside it, grading workers (``worker``) that take jobs from the
database (``store``) and grade each in a warm worker process of the batch's
(``grader.batch.workers.WarmWorker``: TensorFlow imported and a sandboxed
kernel started before the submission comes). The web process never imports
TensorFlow and never runs student code; student code runs only in the
sandboxed kernel, as in every other grading.

Every job's state lives in the database (``schema``, migrated by alembic
from ``migrations``): a job is claimed by one worker at a time under a
lease that the worker renews, a result is recorded once per generation of
its submission, and a service that starts again finds what was queued or
interrupted and grades it. This package may import the rest of the grader;
nothing else in the grader imports it.
"""
