"""Render routes on every core: forked worker processes share the planned site and the Jinja
environment (no pickling of contexts) and send back finished files, in route order.

The output is byte-identical to rendering in one process; small sites stay in-process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from generator.diagnostics import Diagnostic
from generator.models import OutputFile, Progress
from generator.render.pages import TemplateFailure, render_route
from generator.site import Route
from generator.workers import can_fork, default_jobs, process_pool
from generator.write import write_files

MIN_ROUTES_PER_WORKER = 500  # below this, starting processes costs more than it saves
CHUNK = 250

Failure = tuple[int, str, Diagnostic]  # (route index, template, diagnostic)

# Set in the parent just before forking; the workers read it instead of receiving it pickled.
# The last item: the folder the workers write their pages into, or None to send them back.
_SHARED: tuple[jinja2.Environment, Sequence[Route], Path, Path | None] | None = None


def render_routes(env: jinja2.Environment, routes: Sequence[Route], site_root: Path, *,
                  jobs: int | None = None, progress: Progress | None = None,
                  min_per_worker: int | None = None
                  ) -> tuple[list[OutputFile], list[Diagnostic]]:
    """Every route to a file; a broken template is reported once, for its first route."""
    files: list[OutputFile] = []
    problems = _render(env, routes, site_root, None, files.extend, jobs, progress,
                       min_per_worker)
    return files, problems


def write_routes(env: jinja2.Environment, routes: Sequence[Route], site_root: Path,
                 folder: Path, *, jobs: int | None = None, progress: Progress | None = None,
                 min_per_worker: int | None = None) -> tuple[int, list[Diagnostic]]:
    """Like render_routes, but each worker writes its pages under ``folder`` as it goes (see
    write.staged_site), so no process holds every page: returns the number of files written."""
    written = 0

    def count(files: list[OutputFile] | int) -> None:
        nonlocal written
        written += files if isinstance(files, int) else write_files(files, folder)

    problems = _render(env, routes, site_root, folder, count, jobs, progress, min_per_worker)
    return written, problems


def _render(env: jinja2.Environment, routes: Sequence[Route], site_root: Path,
            folder: Path | None, take: Callable[[Any], None], jobs: int | None,
            progress: Progress | None, min_per_worker: int | None) -> list[Diagnostic]:
    """Renders spans of routes in order and hands each span's result to ``take``: its files,
    or with a ``folder``, in forked workers, the number of files the worker wrote there."""
    jobs = min(jobs or default_jobs(), len(routes) // (min_per_worker or MIN_ROUTES_PER_WORKER))
    failures: list[Failure] = []
    if jobs <= 1 or not can_fork():
        for start in range(0, len(routes), CHUNK):  # in spans, so pages can go to disk early
            stop = min(start + CHUNK, len(routes))
            files, span_failures = _render_chunk_with(env, routes, site_root, start, stop,
                                                      progress)
            take(files)
            failures.extend(span_failures)
        return _first_per_template(failures)
    return _render_forked(env, routes, site_root, folder, take, jobs, progress)


def _render_forked(env: jinja2.Environment, routes: Sequence[Route], site_root: Path,
                   folder: Path | None, take: Callable[[Any], None], jobs: int,
                   progress: Progress | None) -> list[Diagnostic]:
    global _SHARED
    for template in sorted({r.template for r in routes}):
        # Compile once, before the fork; a broken template is reported by the worker that
        # meets it, with its route.
        with contextlib.suppress(jinja2.TemplateError):
            env.get_template(template)
    _SHARED = (env, routes, site_root, folder)
    size = max(1, min(CHUNK, -(-len(routes) // (jobs * 4))))  # several chunks per worker
    spans = [(start, min(start + size, len(routes))) for start in range(0, len(routes), size)]
    failures: list[Failure] = []
    try:
        pool = process_pool(jobs)
        if pool is None:  # another thread started since can_fork(): render here
            files, failures = _render_chunk_with(env, routes, site_root, 0, len(routes), progress)
            take(files)
            return _first_per_template(failures)
        with pool:
            for (_, stop), (result, chunk_failures) in zip(
                    spans, pool.map(_render_shared_span, spans), strict=True):
                take(result)
                failures.extend(chunk_failures)
                if progress:
                    progress("render", stop, len(routes))
    finally:
        _SHARED = None
    return _first_per_template(failures)


def _render_shared_span(span: tuple[int, int]) -> tuple[list[OutputFile] | int, list[Failure]]:
    assert _SHARED is not None, "workers are forked from render_routes"
    env, routes, site_root, folder = _SHARED
    files, failures = _render_chunk_with(env, routes, site_root, span[0], span[1], None)
    if folder is None:
        return files, failures
    return write_files(files, folder), failures


def _render_chunk_with(env: jinja2.Environment, routes: Sequence[Route], site_root: Path,
                       start: int, stop: int, progress: Progress | None):
    files: list[OutputFile] = []
    failures: list[Failure] = []
    failed: set[str] = set()
    for index in range(start, stop):
        route = routes[index]
        if route.template in failed:
            continue
        try:
            files.append(render_route(env, route, site_root))
        except TemplateFailure as failure:
            failures.append((index, route.template, failure.diagnostic))
            failed.add(route.template)
        if progress and ((index + 1) % 200 == 0 or index + 1 == stop):
            progress("render", index + 1, len(routes))
    return files, failures


def _first_per_template(failures: list[Failure]) -> list[Diagnostic]:
    first: dict[str, tuple[int, Diagnostic]] = {}
    for index, template, diagnostic in failures:
        if template not in first or index < first[template][0]:
            first[template] = (index, diagnostic)
    return [d for _, d in sorted(first.values(), key=lambda item: item[0])]
