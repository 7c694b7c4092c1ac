"""Render routes on every core: forked worker processes share the planned site and the Jinja
environment (no pickling of contexts) and send back finished files, in route order.

The output is byte-identical to rendering in one process; small sites stay in-process. With a
PageReuse, a page whose key is unchanged since the last build is hard-linked from the build
cache into the output folder instead of being rendered and written (generator/reuse.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from generator.diagnostics import Diagnostic
from generator.models import OutputFile, Progress
from generator.render.pages import TemplateFailure, render_route
from generator.reuse import OutputStore
from generator.site import Route
from generator.workers import can_fork, default_jobs, process_pool
from generator.write import write_files

MIN_ROUTES_PER_WORKER = 500  # below this, starting processes costs more than it saves
CHUNK = 250

Failure = tuple[int, str, Diagnostic]  # (route index, template, diagnostic)


@dataclass(frozen=True)
class PageReuse:
    """The pages of the last build (``store``) and the fingerprint of each template
    (fingerprints.py), which goes into its pages' keys."""

    store: OutputStore
    prints: Mapping[str, str]


@dataclass
class Span:
    """What rendering a span of routes gave: its files (or, once written, their number,
    linked pages included), its template failures, and what the store recorded."""

    files: list[OutputFile] | int
    failures: list[Failure] = field(default_factory=list)
    taken: Any = None


# Set in the parent just before forking; the workers read it instead of receiving it pickled.
# The folder: where the workers write their pages, or None to send them back.
_SHARED: tuple[jinja2.Environment, Sequence[Route], Path, Path | None,
               PageReuse | None] | None = None


def render_routes(env: jinja2.Environment, routes: Sequence[Route], site_root: Path, *,
                  jobs: int | None = None, progress: Progress | None = None,
                  min_per_worker: int | None = None
                  ) -> tuple[list[OutputFile], list[Diagnostic]]:
    """Every route to a file; a broken template is reported once, for its first route."""
    files: list[OutputFile] = []
    problems = _render(env, routes, site_root, None, files.extend, jobs, progress,
                       min_per_worker, None)
    return files, problems


def write_routes(env: jinja2.Environment, routes: Sequence[Route], site_root: Path,
                 folder: Path, *, jobs: int | None = None, progress: Progress | None = None,
                 min_per_worker: int | None = None, reuse: PageReuse | None = None
                 ) -> tuple[int, list[Diagnostic]]:
    """Like render_routes, but each worker writes its pages under ``folder`` as it goes (see
    write.staged_site), so no process holds every page: returns the number of files written.
    ``reuse``: link unchanged pages from its store, and record every page in it (its
    ``linked`` and ``made`` count them; the caller saves it)."""
    written = 0

    def count(files: int) -> None:
        nonlocal written
        written += files

    problems = _render(env, routes, site_root, folder, count, jobs, progress, min_per_worker,
                       reuse)
    return written, problems


def _render(env: jinja2.Environment, routes: Sequence[Route], site_root: Path,
            folder: Path | None, take: Callable[[Any], None], jobs: int | None,
            progress: Progress | None, min_per_worker: int | None,
            reuse: PageReuse | None) -> list[Diagnostic]:
    """Renders spans of routes in order and hands each span's result to ``take``: its files,
    or with a ``folder``, the number of files written (or linked) there."""
    jobs = min(jobs or default_jobs(), len(routes) // (min_per_worker or MIN_ROUTES_PER_WORKER))
    failures: list[Failure] = []
    if jobs <= 1 or not can_fork():
        for start in range(0, len(routes), CHUNK):  # in spans, so pages can go to disk early
            stop = min(start + CHUNK, len(routes))
            span = _render_chunk_with(env, routes, site_root, start, stop, progress, folder,
                                      reuse)
            take(span.files)
            failures.extend(span.failures)
        return _first_per_template(failures)
    return _render_forked(env, routes, site_root, folder, take, jobs, progress, reuse)


def _render_forked(env: jinja2.Environment, routes: Sequence[Route], site_root: Path,
                   folder: Path | None, take: Callable[[Any], None], jobs: int,
                   progress: Progress | None, reuse: PageReuse | None) -> list[Diagnostic]:
    global _SHARED
    for template in sorted({r.template for r in routes}):
        # Compile once, before the fork; a broken template is reported by the worker that
        # meets it, with its route.
        with contextlib.suppress(jinja2.TemplateError):
            env.get_template(template)
    _SHARED = (env, routes, site_root, folder, reuse)
    size = max(1, min(CHUNK, -(-len(routes) // (jobs * 4))))  # several chunks per worker
    bounds = [(start, min(start + size, len(routes))) for start in range(0, len(routes), size)]
    failures: list[Failure] = []
    try:
        pool = process_pool(jobs)
        if pool is None:  # another thread started since can_fork(): render here
            span = _render_chunk_with(env, routes, site_root, 0, len(routes), progress, folder,
                                      reuse)
            take(span.files)
            return _first_per_template(span.failures)
        with pool:
            for (_, stop), span in zip(bounds, pool.map(_render_shared_span, bounds),
                                       strict=True):
                take(span.files)
                failures.extend(span.failures)
                if reuse is not None:
                    reuse.store.merge(span.taken)
                if progress:
                    progress("render", stop, len(routes))
    finally:
        _SHARED = None
    return _first_per_template(failures)


def _render_shared_span(bounds: tuple[int, int]) -> Span:
    assert _SHARED is not None, "workers are forked from render_routes"
    env, routes, site_root, folder, reuse = _SHARED
    span = _render_chunk_with(env, routes, site_root, bounds[0], bounds[1], None, folder,
                              reuse)
    if reuse is not None:  # this worker's records go to the parent, once
        span.taken = reuse.store.drain()
    return span


def _render_chunk_with(env: jinja2.Environment, routes: Sequence[Route], site_root: Path,
                       start: int, stop: int, progress: Progress | None,
                       folder: Path | None = None, reuse: PageReuse | None = None) -> Span:
    """Render routes[start:stop]; with a ``folder`` write them there (pages whose key is
    unchanged are linked instead, with ``reuse``)."""
    made: list[tuple[Route, str | None, OutputFile]] = []
    failures: list[Failure] = []
    failed: set[str] = set()
    linked = 0
    for index in range(start, stop):
        route = routes[index]
        if route.template in failed:
            continue
        try:
            key, context = None, None
            if reuse is not None and folder is not None:
                key, context = _page_key(route, reuse)
            if key is not None and reuse is not None and folder is not None \
                    and reuse.store.link(route.route, key, folder):
                linked += 1
            else:
                made.append((route, key, render_route(env, route, site_root, context)))
        except TemplateFailure as failure:
            failures.append((index, route.template, failure.diagnostic))
            failed.add(route.template)
        if progress and ((index + 1) % 200 == 0 or index + 1 == stop):
            progress("render", index + 1, len(routes))
    files = [file for _, _, file in made]
    if folder is None:
        return Span(files, failures)
    written = write_files(files, folder)
    if reuse is not None:
        for route, key, file in made:
            reuse.store.keep(route.route, key, [file], folder)
    return Span(written + linked, failures)


def _page_key(route: Route, reuse: PageReuse) -> tuple[str | None, Any]:
    """The page's key (None: unkeyed), and its context when building it was the only way to
    know what the page is made from."""
    salt = reuse.prints.get(route.template)
    if salt is None:
        return None, None
    values, context = route.key_values(), None
    if values is None:  # a lazy context that does not say what it is made from
        values = context = route.page_context()
    return reuse.store.key(route.route, values, salt), context


def _first_per_template(failures: list[Failure]) -> list[Diagnostic]:
    first: dict[str, tuple[int, Diagnostic]] = {}
    for index, template, diagnostic in failures:
        if template not in first or index < first[template][0]:
            first[template] = (index, diagnostic)
    return [d for _, d in sorted(first.values(), key=lambda item: item[0])]
