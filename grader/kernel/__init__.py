"""The kernel: where a submission's cells run, and what comes back.

``submission`` starts a submission's run and lets the grading wait for each
function's answers; ``work`` is what the kernel runs for it and how far it
got; ``pool`` gives each grading a kernel on a thread of its own and starts
the next ahead; ``session`` feeds one sandboxed kernel its cells through
nbclient; ``kernel_side`` is the only code sent into the kernel; ``protocol``
reads what the kernel hands back (cell outcomes, probe answers), with a size
limit and a schema: the only thing that crosses from the kernel.

May import: ``grader.errors``, ``grader.reports``, ``grader.editions``,
``grader.sandbox``; types only of ``grader.notebooks``.
"""
