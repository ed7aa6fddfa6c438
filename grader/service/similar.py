"""Similarity across the latest submissions, drawn from the database."""

from __future__ import annotations

from grader.files import temporary_folder
from grader.service.context import Service
from grader.service.worker import shown_name


def similarity_page(service: Service) -> str:
    """The similarity page of each student's latest submission."""
    from grader.notebooks.discover import Submission
    from grader.similarity import HANDOUT, compare
    from grader.similarity.outputs import failed_checks
    from grader.similarity.render import render_similarity_html

    latest: dict[str, dict[str, object]] = {}
    for row in service.store.submissions():  # newest first
        latest.setdefault(str(row["login"]), row)
    with temporary_folder("grader-similar-") as tmp:
        submissions = []
        for login, row in sorted(latest.items()):
            folder = tmp / str(row["id"])
            folder.mkdir()
            path = folder / shown_name(str(row["filename"]))
            path.write_bytes(service.store.notebook(int(str(row["id"]))))
            submissions.append(Submission(login, path, str(row["filename"])))
        handout = (HANDOUT,) if HANDOUT.is_file() else ()
        found = compare(
            submissions,
            boilerplate=handout,
            mistakes=failed_checks(service.results("latest")),
        )
        return render_similarity_html(found, templates=service.templates)
