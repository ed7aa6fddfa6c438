"""The page templates the package ships, by name.

Apart from ``grader.reports.templating``, which draws pages from them, so
that naming them (``--templates``' help does, on every command line) does
not load Jinja2.
"""

from __future__ import annotations

#: The heading every page includes: what a course replaces first.
HEADER = "header.html.j2"
#: The batch's pages: the document around each page, its heading, the
#: feedback page, the class report and the similarity page.
PAGES = (
    "page.html.j2",
    HEADER,
    "feedback.html.j2",
    "report.html.j2",
    "similarity.html.j2",
)
#: The grading service's pages (``grader serve``).
SERVICE_PAGES = (
    "service_signin.html.j2",
    "service_student.html.j2",
    "service_submission.html.j2",
    "service_refused.html.j2",
    "service_class.html.j2",
    "service_history.html.j2",
)
#: The templates the package ships; an instructor's folder may replace any.
SHIPPED = (*PAGES, *SERVICE_PAGES)
