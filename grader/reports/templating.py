"""The Jinja2 templates the HTML pages are drawn from, and an instructor's own.

The package ships ``grader/reports/templates/*.html.j2``: ``page.html.j2`` (the
document around a page, with its style), ``header.html.j2`` (a page's
heading), ``feedback.html.j2``, ``report.html.j2`` and ``similarity.html.j2``.
A folder given as ``templates`` (``--templates DIR``) is searched first, so a
file there with a shipped template's name replaces that one alone: a course's
header, wording or language, the rest as shipped.

Values are escaped as ``html.escape`` escapes them (quotes included), so the
shipped templates draw the pages byte for byte as the string-built renderers
before them did. A template that cannot be read, compiled or rendered raises
``TemplateError``, one line naming the file.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from grader import errors
from grader.reports import shipped

#: The templates the package ships (``grader.reports.shipped``), named here
#: too: an instructor's folder may replace any.
SHIPPED = shipped.SHIPPED
#: The folders ``checked`` holds checked (``None``: the shipped templates
#: alone) while it draws pages from them.
_CHECKED: ContextVar[frozenset[Path | None]] = ContextVar(
    "checked", default=frozenset()
)


def _escaped(value: Any) -> Any:
    # Jinja2 escapes quotes as &#34; and &#39;; html.escape, which the pages
    # were written with, as &quot; and &#x27;. Text is escaped here first, and
    # the Markup it becomes is left alone by autoescaping.
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return Markup(html.escape(value))
    return value


def points(value: float) -> str:
    """Points as the reports write them: ``4``, ``4.95``, ``100``."""
    return f"{value:g}"


def duration(seconds: float) -> str:
    """A span of time in words: ``12.3 s``, ``4 min 5 s``."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"


@cache
def environment(templates: Path | None = None) -> jinja2.Environment:
    """The environment that loads ``templates``' files first, then the shipped.

    Made once per folder and kept (``functools.cache``), with the templates
    it compiled: every page drawn from a folder is drawn from one. Raises
    ``TemplateError`` where ``templates`` is no folder.
    """
    shipped = jinja2.PackageLoader("grader.reports", "templates")
    loader: jinja2.BaseLoader = shipped
    if templates is not None:
        if not templates.is_dir():
            raise errors.TemplateError(
                errors.NO_TEMPLATE_FOLDER.format(path=templates), path=str(templates)
            )
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(templates), shipped])
    made = jinja2.Environment(
        loader=loader,
        autoescape=True,
        finalize=_escaped,
        # A name a template misspells is an error, not an empty string.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    made.filters.update(
        points=points, duration=duration, fmt=lambda value, spec: format(value, spec)
    )
    return made


def check_templates(templates: Path | None) -> None:
    """Compile every template of ``templates`` and every shipped one.

    Raises ``TemplateError`` for a missing folder or a template that does
    not compile, before any page is drawn (a batch checks before grading).
    """
    env = environment(templates)
    own = []
    if templates is not None:
        own = jinja2.FileSystemLoader(templates).list_templates()
    for name in dict.fromkeys([*SHIPPED, *own]):
        _load(env, name, templates)


@contextmanager
def checked(templates: Path | None) -> Iterator[None]:
    """Check ``templates`` once for all the pages drawn inside.

    A batch draws a page per student from one folder: ``render`` checks
    every template before each page it draws, but not inside this, where
    the check was made once on entry (``check_templates``, which raises
    ``TemplateError`` as it does). The environment is one per folder either
    way (``environment``).
    """
    check_templates(templates)
    token = _CHECKED.set(_CHECKED.get() | {templates})
    try:
        yield
    finally:
        _CHECKED.reset(token)


def render(name: str, templates: Path | None = None, **context: Any) -> str:
    """Draw the page of template ``name`` with ``context``.

    Every template is checked first (``check_templates``), unless inside
    ``checked`` for the same folder. Raises ``TemplateError`` where a
    template cannot be loaded or fails, naming the file (and the line) at
    fault.
    """
    if templates not in _CHECKED.get():
        check_templates(templates)
    template = _load(environment(templates), name, templates)
    try:
        return template.render(**context)
    # Whatever a template does wrong (a name misspelt, a filter given text
    # for a number) is the template's mistake, told in one line.
    except Exception as exc:
        path = _failed_at(exc) or _where(name, templates)
        raise errors.TemplateError(
            errors.TEMPLATE_FAILED.format(path=path, reason=_reason(exc)), path=path
        ) from None


def _failed_at(exc: BaseException) -> str | None:
    """The template file and line an error was raised in, from its traceback.

    Jinja2 gives a template's frames the template's file and line.
    """
    where = None
    trace = exc.__traceback__
    while trace is not None:
        code = trace.tb_frame.f_code
        if code.co_filename.endswith(".j2"):
            where = f"{code.co_filename}, line {trace.tb_lineno}"
        trace = trace.tb_next
    return where


def _load(
    env: jinja2.Environment, name: str, templates: Path | None
) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        path = exc.filename or _where(exc.name or name, templates)
        raise errors.TemplateError(
            errors.TEMPLATE_SYNTAX.format(
                path=path, line=exc.lineno, reason=exc.message
            ),
            path=path,
        ) from None
    except (jinja2.TemplateError, OSError, UnicodeDecodeError) as exc:
        path = _where(name, templates)
        raise errors.TemplateError(
            errors.TEMPLATE_FAILED.format(path=path, reason=_reason(exc)), path=path
        ) from None


def _where(name: str, templates: Path | None) -> str:
    """The file a template name stands for: the instructor's, else the shipped."""
    if templates is not None and (templates / name).is_file():
        return str(templates / name)
    return name


def _reason(exc: BaseException) -> str:
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"no template {exc.name!r}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
