"""render_route(): one Route through Jinja into an OutputFile; template errors become
diagnostics that name the template file and line."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from generator import urls
from generator.diagnostics import Diagnostic, Level
from generator.models import OutputFile
from generator.render.themes import Asset
from generator.site import Route


class TemplateFailure(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.format())
        self.diagnostic = diagnostic


def asset_url_function(assets: Mapping[str, Asset], link: urls.Urls) -> Callable[[str], str]:
    def asset(name: str) -> str:
        if name not in assets:
            raise jinja2.TemplateRuntimeError(f"asset('{name}'): no such file in the theme")
        return link.link(assets[name].route)
    return asset


def render_route(env: jinja2.Environment, route: Route, site_root: Path,
                 context: Mapping[str, Any] | None = None) -> OutputFile:
    """Raises TemplateFailure (with template path:line) on any template problem.
    ``context``: the route's page context when the caller has built it already."""
    try:
        html = env.get_template(route.template).render(
            route.page_context() if context is None else context)
    except jinja2.TemplateError as exc:
        raise TemplateFailure(_template_diagnostic(exc, route, site_root)) from None
    return OutputFile(urls.output_path(route.route), html.encode("utf-8"))


def _template_diagnostic(exc: jinja2.TemplateError, route: Route, root: Path) -> Diagnostic:
    filename, line = None, 0
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        filename, line = exc.filename, exc.lineno
    else:  # runtime errors: the innermost traceback frame that is a template
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".html", ".xml", ".txt")):
                filename, line = frame.filename, frame.lineno or 0
                break
    path = _display_path(filename, root) if filename else route.template
    message = f"{exc.message or type(exc).__name__} (rendering /{route.route})"
    return Diagnostic(path, line, 0, Level.ERROR, "template", message)


def _display_path(filename: str, root: Path) -> str:
    path = Path(filename).resolve()
    for base in (root.resolve(), Path(__file__).resolve().parents[2]):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.as_posix()
