"""build_site(): the only place the stages are chained.

load_content -> cluster_topics -> plan_site -> render pages (written by the render workers into
the staged output folder), assets, feeds -> swap the staged folder into place.
Content and template problems come back as diagnostics; nothing is written unless all is well.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import TYPE_CHECKING

from generator.config import SiteConfig
from generator.content import load_content
from generator.diagnostics import Diagnostic, Diagnostics
from generator.models import Paper, Progress, TopicModel

if TYPE_CHECKING:
    from generator.cache import DiskCache
    from generator.serve.incremental import RebuildState


@dataclass(frozen=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    papers: int = 0
    topics: int = 0
    files: int = 0
    timings: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ok(self) -> bool:
        return not any(d.level == "error" for d in self.diagnostics)


class _Timer:
    """Seconds per phase. A phase inside another (search inside write, e-mail inside feeds)
    counts only for itself, so the phases add up to the build's time."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._inner = [0.0]  # per open phase: time spent in phases nested in it

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            own = elapsed - self._inner.pop()
            self.timings[name] = self.timings.get(name, 0.0) + own
            self._inner[-1] += elapsed


def check_site(site_root: Path, config: SiteConfig) -> tuple[Diagnostic, ...]:
    """Validate content without building."""
    return load_content(site_root, config.content_dir, include_drafts=config.include_drafts,
                        max_entry_bytes=config.max_entry_bytes).diagnostics


def build_site(site_root: Path, config: SiteConfig, *, progress: Progress | None = None,
               write: bool = True, jobs: int | None = None, cache: bool = True) -> BuildResult:
    """``jobs``: worker processes for rendering (default: every core); ``cache``: reuse
    content-hashed results under .paperboy-cache/ (never changes the output bytes)."""
    from generator.cache import CACHE_DIR, DiskCache

    build_cache = DiskCache(site_root / CACHE_DIR if cache else None)
    timer = _Timer()
    with timer.phase("load"):
        loaded = load_content(site_root, config.content_dir, include_drafts=config.include_drafts,
                              max_entry_bytes=config.max_entry_bytes)
    diagnostics = Diagnostics(list(loaded.diagnostics))
    if diagnostics.has_errors:
        return BuildResult(diagnostics.sorted(), timings=MappingProxyType(timer.timings))
    with timer.phase("markup"):
        from generator.markup import start_markup
        from generator.workers import default_jobs

        markup = start_markup(loaded.papers, build_cache, jobs or default_jobs())
    # Topic fitting needs no markup and keeps one core busy: it runs while the markup workers do.
    with markup.cancelled_on_error(), timer.phase("topics"):
        topic_model = fit_topics(loaded.papers, config, site_root, build_cache, jobs)
    with timer.phase("markup"):
        markup.finish()
    with timer.phase("plan"):
        # lazy: paper page contexts are built by the render workers, page by page
        model, env, assets = _plan(site_root, config, loaded.papers, topic_model, lazy=True)
    if write:
        count, render_problems = _write_everything(site_root, config, model, env, assets, timer,
                                                   progress, jobs)
    else:
        count, render_problems = 0, _render_everything(site_root, config, model, env, assets,
                                                       timer, progress, jobs)
    diagnostics.extend(render_problems)
    if not diagnostics.has_errors and write and config.topics.enabled:
        from generator.topics import render_lock, write_lock

        write_lock(site_root, render_lock(topic_model, _locked_size(site_root,
                                                                    len(loaded.papers))))
    return BuildResult(diagnostics.sorted(), len(loaded.papers), len(topic_model.topics), count,
                       MappingProxyType(timer.timings))


def _finisher(config: SiteConfig, timer: _Timer) -> Callable[[Path], None] | None:
    """Steps that work on the written tree, run in the temporary folder before the swap."""
    if not config.search.enabled:
        return None
    from generator.search import index_site

    def finish(temp: Path) -> None:
        with timer.phase("search"):
            index_site(temp, config.language)
    return finish


def fit_topics(papers: tuple[Paper, ...], config: SiteConfig,
               site_root: Path | None = None,
               build_cache: DiskCache | None = None, jobs: int | None = None) -> TopicModel:
    """Cluster the papers, aligned to site_root/topics.lock.yaml when there is one; the result
    is cached by the papers' text, the settings and the lock."""
    if not config.topics.enabled:
        return TopicModel((), MappingProxyType({}), MappingProxyType({}))
    from generator.topics import cached_topics, load_lock

    lock = load_lock(site_root) if site_root is not None else None

    def compute() -> TopicModel:
        from threadpoolctl import threadpool_limits

        from generator.topics import cluster_topics

        # One BLAS/OpenMP thread: the same floating-point order on every machine, and no
        # oversubscribed spinning threads on a busy one (measured: 4x faster under load).
        with threadpool_limits(limits=1):
            return cluster_topics(papers, count=config.topics.count,
                                  related_count=config.topics.related, seed=config.topics.seed,
                                  renames=config.topics.renames, lock=lock, jobs=jobs)
    return cached_topics(papers, (config.topics, lock), build_cache, compute)


def _locked_size(site_root: Path, papers: int) -> int:
    """The paper count to record: kept while the lock's topics are followed (see topics/fit.py)."""
    from generator.topics import load_lock

    lock = load_lock(site_root)
    return lock.papers if lock and lock.papers and papers < 2 * lock.papers else papers


class _RenderFailed(Exception):
    """Raised inside the staged output when pages failed: nothing is swapped into place."""

    def __init__(self, problems: list[Diagnostic]) -> None:
        super().__init__(f"{len(problems)} page(s) failed")
        self.problems = problems


def _write_everything(site_root: Path, config: SiteConfig, model, env, assets, timer: _Timer,
                      progress: Progress | None,
                      jobs: int | None) -> tuple[int, list[Diagnostic]]:
    """Pages go straight from the render workers into the staged output folder, in batches, so
    no process holds every page at once; then feeds and assets. A template error leaves the
    previous output as it was. Returns (files in the new site, render diagnostics)."""
    from generator.render import render_routes_into
    from generator.write import staged_site

    try:
        with timer.phase("write"), staged_site(site_root / config.output_dir,
                                               _finisher(config, timer)) as stage:
            with timer.phase("render"):
                written, problems = render_routes_into(env, model.routes, site_root,
                                                       stage.folder, jobs=jobs,
                                                       progress=progress)
            if Diagnostics(list(problems)).has_errors:
                raise _RenderFailed(problems)
            stage.wrote(written)
            with timer.phase("feeds"):
                files = _site_files(config, model, assets, env, timer=timer)
            stage.write(files)
            del files
    except _RenderFailed as failed:
        return 0, failed.problems
    return stage.written, problems


def _render_everything(site_root: Path, config: SiteConfig, model, env, assets, timer: _Timer,
                       progress: Progress | None, jobs: int | None) -> list[Diagnostic]:
    """Render every page and file without writing them (``build_site(write=False)``)."""
    from generator.render import render_routes

    with timer.phase("render"):
        _, problems = render_routes(env, model.routes, site_root, jobs=jobs, progress=progress)
    with timer.phase("feeds"):
        _site_files(config, model, assets, env, timer=timer)
    return problems


def _plan(site_root: Path, config: SiteConfig, papers: tuple[Paper, ...],
          topic_model: TopicModel, *, lazy: bool = False):
    from generator.site import plan_site

    model = plan_site(config, papers, topic_model, lazy=lazy)
    return (model, *_theme(site_root, config, model))


def _theme(site_root: Path, config: SiteConfig, model, remember_fragments: bool = False):
    """The template environment and the theme's assets."""
    from generator.render import asset_url_function, collect_assets, make_environment, theme_chain

    chain = theme_chain(site_root, config.theme)
    assets = collect_assets(chain)
    env = make_environment(chain, remember_fragments=remember_fragments)
    env.globals["asset"] = asset_url_function(assets, model.urls)
    return env, assets


def _site_files(config: SiteConfig, model, assets, env, memo: RebuildState | None = None,
                timer: _Timer | None = None) -> list:
    """Everything but the pages: feeds, sitemap, robots.txt, e-mails, theme assets, .nojekyll.
    With ``memo`` (serve), feed sets and issue e-mails whose inputs did not change are reused."""
    from generator.feeds import render_feeds, render_robots, render_sitemap
    from generator.models import OutputFile

    feed_memo = memo.feeds if memo is not None else None
    sitemap = render_sitemap(model, memo.sitemap if memo is not None else None)
    files = [*render_feeds(config, model, feed_memo), sitemap, render_robots(model)]
    if config.feeds.digest:
        from generator.feeds import render_digest_feed

        if memo is None:
            files.extend(render_digest_feed(config, model, env))
        else:
            from generator.serve.incremental import digest_feed_memo

            files.extend(render_digest_feed(config, model, env,
                                            *digest_feed_memo(memo, env, assets)))
    if config.digest.email:
        from generator.mail import render_issue_emails
        from generator.serve.incremental import email_memo

        emails = email_memo(memo, env, assets) if memo is not None else ()
        with timer.phase("email") if timer else nullcontext():
            files.extend(render_issue_emails(config, model, env, *emails))
    files.extend(OutputFile(PurePosixPath(a.route), a.source.read_bytes())
                 for a in assets.values())
    files.append(OutputFile(PurePosixPath(".nojekyll"), b""))
    if config.cname:  # GitHub Pages reads the custom domain from this file
        files.append(OutputFile(PurePosixPath("CNAME"), f"{config.cname}\n".encode()))
    return files


Reindex = Callable[[Path, "str | None"], None]  # (site folder, language or None: no search)


def rebuild_site(site_root: Path, config: SiteConfig, cache: RebuildState, target: Path, *,
                 refit_topics: bool = False, lock: Callable = nullcontext,
                 reindex: Reindex | None = None,
                 changed: tuple[str, ...] | None = None) -> BuildResult:
    """Incremental build into ``target`` (used by ``paperboy serve``): the same stages and the
    same bytes as build_site, but unchanged entries are not parsed again, topics are not
    refitted unless titles or abstracts changed (and then only with ``refit_topics``; else
    cheaply assigned), only pages whose inputs changed are rendered, and only files whose
    bytes changed are written. ``cache`` is updated only by a build that succeeds.

    The search bundle is refreshed through ``reindex`` when pages changed; by default in place
    before returning, while ``paperboy serve`` passes one that works in the background.
    ``changed``: the only entry files (site-relative) edited since the last call, when known;
    None rescans the content folder."""
    from generator.serve import incremental as inc

    timer = _Timer()
    with timer.phase("load"):
        loaded = inc.load_entries(site_root, config, cache, changed)
    diagnostics = Diagnostics(list(loaded.diagnostics))
    if diagnostics.has_errors:
        return BuildResult(diagnostics.sorted(), timings=MappingProxyType(timer.timings))
    with timer.phase("topics"):
        topic_model = (inc.reuse_topics(cache, loaded.papers, config, refit=refit_topics,
                                        site_root=site_root)
                       or fit_topics(loaded.papers, config, site_root))
    with timer.phase("plan"):
        plan = inc.plan_pages(cache, config, loaded.papers, topic_model)
        model = plan.model
        env, assets = _theme(site_root, config, model, remember_fragments=True)
        prints = inc.template_fingerprints(env, {r.template for r in model.routes}, assets)
        todo = inc.changed_routes(plan.candidates(prints, cache), prints, cache)
    with timer.phase("render"):
        files, problems = _render_pages(env, todo, site_root, None)
    diagnostics.extend(problems)
    if diagnostics.has_errors:
        return BuildResult(diagnostics.sorted(), timings=MappingProxyType(timer.timings))
    with timer.phase("feeds"):
        files.extend(_site_files(config, model, assets, env, cache, timer))
    with timer.phase("write"):
        rendered = {f.path for f in files}
        kept = [p for p in inc.page_paths(model.routes, cache.paths) if p not in rendered]
        report = inc.sync_files(target, cache, files, kept, lock)
    pages_changed = bool(report.written or report.removed)
    if (config.search.enabled and pages_changed) or config.search.enabled != cache.search_enabled:
        with timer.phase("search"):
            language = config.language if config.search.enabled else None
            if reindex is None:
                _reindex_search(target, language, lock)
            else:
                reindex(target, language)
    cache.search_enabled = config.search.enabled
    inc.remember_topics(cache, loaded.papers, config, topic_model, site_root)
    inc.remember_pages(cache, plan, prints)
    return BuildResult(diagnostics.sorted(), len(loaded.papers), len(topic_model.topics),
                       len(report.written), MappingProxyType(timer.timings))


def _reindex_search(target: Path, language: str | None, lock: Callable) -> None:
    """The search bundle is rebuilt whole: Pagefind's fragment names change with the index."""
    from generator.serve.search_refresh import refresh_bundle

    refresh_bundle(target, language, lock)


def _render_pages(env, routes, site_root: Path, progress: Progress | None):
    from generator.render import TemplateFailure, render_route

    files, problems, failed_templates = [], [], set()
    for done, route in enumerate(routes, start=1):
        if route.template in failed_templates:
            continue  # one message per broken template, not one per page
        try:
            files.append(render_route(env, route, site_root))
        except TemplateFailure as failure:
            problems.append(failure.diagnostic)
            failed_templates.add(route.template)
        if progress and (done % 200 == 0 or done == len(routes)):
            progress("render", done, len(routes))
    return files, problems
