"""build_site(): the only place the build's stages are chained, top to bottom.

load entries -> start the markup workers -> fit topics (meanwhile) -> plan the site -> load the
theme -> render pages (the render workers write them into the staged output folder) -> feeds,
sitemap, e-mails, assets -> search index -> swap the staged folder into place -> topic lock.

Each stage is a function of the values before it. ``paperboy serve`` (generator/serve/) runs
the same stages wrapped in its caches; nothing here knows of it. Content and template problems
come back as diagnostics; nothing is written unless all is well.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from types import MappingProxyType

import jinja2
from threadpoolctl import threadpool_limits

from generator.cache import DiskCache, open_build_cache
from generator.config import SiteConfig
from generator.content import load_content
from generator.diagnostics import Diagnostic, Diagnostics
from generator.exports import export_units, render_exports
from generator.feeds import (
    FeedItem,
    feed_units,
    render_digest_feed,
    render_feeds,
    render_opml,
    render_robots,
    render_sitemap,
)
from generator.filters import render_filter_index
from generator.mail import EMAIL_TEMPLATES, email_inputs, render_emails_of, render_issue_emails
from generator.markup import start_markup
from generator.models import LoadResult, OutputFile, Paper, Progress, TopicModel
from generator.ranking import render_ranking_files
from generator.render import (
    Asset,
    PageReuse,
    asset_url_function,
    collect_assets,
    make_environment,
    render_routes,
    template_fingerprints,
    theme_chain,
    write_routes,
)
from generator.reuse import OutputStore, Unkeyable, build_salt
from generator.search import BUNDLE_DIR, SearchStats, has_search_records, index_papers
from generator.site import SHARED_VIEWS, CitationSource, SiteModel, plan_site
from generator.topics import (
    BaseCache,
    base_fingerprint,
    cached_topics,
    cluster_topics,
    fit_fingerprint,
    follows_lock,
    load_lock,
    lock_bytes,
    read_lock,
    render_lock,
    write_lock,
)
from generator.urls import Urls
from generator.workers import default_jobs, in_background, release_freed_memory, thaw
from generator.write import Stage, staged_site

NO_TOPICS = TopicModel((), MappingProxyType({}), MappingProxyType({}))


@dataclass(frozen=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    papers: int = 0
    topics: int = 0
    files: int = 0
    timings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # what the build did, by name ("pages rendered", "pages reused", ...): see Timer.count
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ok(self) -> bool:
        return not any(d.level == "error" for d in self.diagnostics)


@dataclass(frozen=True)
class LoadedTheme:
    """The template environment of the site's theme chain and its content-hashed assets."""

    env: jinja2.Environment
    assets: Mapping[str, Asset]


class Timer:
    """Seconds per phase and counts of work. A phase inside another (search inside write,
    e-mail inside feeds) counts only for itself, so the phases add up to the build's time."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}
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

    def count(self, name: str, n: int) -> None:
        """Add ``n`` to the count ``name`` (e.g. "pages rendered"), shown with the timings."""
        self.counts[name] = self.counts.get(name, 0) + n

    def result(self, diagnostics: Diagnostics, papers: int = 0, topics: int = 0,
               files: int = 0) -> BuildResult:
        return BuildResult(diagnostics.sorted(), papers, topics, files,
                           MappingProxyType(self.timings), MappingProxyType(self.counts))


class _RenderFailed(Exception):
    """Raised inside the staged output when pages failed: nothing is swapped into place."""

    def __init__(self, problems: list[Diagnostic]) -> None:
        super().__init__(f"{len(problems)} page(s) failed")
        self.problems = problems


# ----------------------------------------------------------------------------- the build


def build_site(site_root: Path, config: SiteConfig, *, progress: Progress | None = None,
               write: bool = True, jobs: int | None = None, cache: bool = True) -> BuildResult:
    """``jobs``: worker processes for rendering (default: every core); ``cache``: reuse
    signed, content-hashed results from the user's cache folder (see generator/cache.py;
    never changes the output bytes); ``write=False`` renders everything and writes nothing."""
    try:
        return _build(site_root, config, progress, write, jobs, cache)
    finally:
        thaw()  # every worker has finished: what was frozen for them can be collected again


def _build(site_root: Path, config: SiteConfig, progress: Progress | None, write: bool,
           jobs: int | None, cache: bool) -> BuildResult:
    disk_cache, cache_warnings = open_build_cache(site_root, cache)
    jobs = jobs or default_jobs()
    timer = Timer()
    with timer.phase("load"):
        loaded = load_entries(site_root, config, disk_cache)
    diagnostics = Diagnostics([*loaded.diagnostics, *cache_warnings])
    if diagnostics.has_errors:
        return timer.result(diagnostics)
    papers = loaded.papers
    with timer.phase("markup"):
        markup = start_markup(papers, disk_cache, jobs)
    # Topic fitting needs no markup and keeps one core busy: it runs while the markup workers do.
    with markup.cancelled_on_error(), timer.phase("topics"):
        topic_model = fit_topics(papers, config, site_root, disk_cache, jobs)
    with timer.phase("markup"):
        markup.finish()
    with timer.phase("plan"):
        # lazy: paper page contexts are built by the render workers, page by page
        model = plan_site(config, papers, topic_model, lazy=True)
        theme = load_theme(site_root, config, model.urls)
    if write:
        files, problems = write_site(site_root, config, model, theme, timer, progress, jobs,
                                     disk_cache)
    else:
        files, problems = 0, render_site(site_root, config, model, theme, timer, progress, jobs)
    diagnostics.extend(problems)
    if not diagnostics.has_errors and write and config.topics.enabled:
        write_lock(site_root, render_lock(topic_model, locked_size(site_root, len(papers))))
    return timer.result(diagnostics, len(papers), len(topic_model.topics), files)


def check_site(site_root: Path, config: SiteConfig) -> tuple[Diagnostic, ...]:
    """Validate content without building."""
    return load_entries(site_root, config).diagnostics


# ---------------------------------------------------------------------------- the stages


def load_entries(site_root: Path, config: SiteConfig,
                 disk_cache: DiskCache | None = None) -> LoadResult:
    """Every entry, validated; with ``disk_cache``, files whose bytes are unchanged since the
    last build are not parsed again (content/stored.py)."""
    return load_content(site_root, config.content_dir, include_drafts=config.include_drafts,
                        max_entry_bytes=config.max_entry_bytes, timezone=config.timezone,
                        disk_cache=disk_cache)


def fit_topics(papers: tuple[Paper, ...], config: SiteConfig, site_root: Path | None = None,
               disk_cache: DiskCache | None = None, jobs: int | None = None) -> TopicModel:
    """Cluster the papers, aligned to site_root/topics.lock.yaml when there is one. A followed
    lock's base is cached on disk by its papers' text (a day's new papers are placed in it);
    a re-fit is cached whole by the papers' text and ``topics.fit_fingerprint`` (which serve
    keys on too)."""
    if not config.topics.enabled:
        return NO_TOPICS
    lock_text = lock_bytes(site_root)  # read once: the fit follows it and is cached by it
    lock = read_lock(lock_text)
    bases = (BaseCache(disk_cache, base_fingerprint(config.topics))
             if disk_cache is not None and disk_cache.folder is not None else None)

    def compute() -> TopicModel:
        # One BLAS/OpenMP thread: the same floating-point order on every machine, and no
        # oversubscribed spinning threads on a busy one (measured: 4x faster under load).
        with threadpool_limits(limits=1):
            return cluster_topics(papers, count=config.topics.count,
                                  related_count=config.topics.related, seed=config.topics.seed,
                                  renames=config.topics.renames, lock=lock, jobs=jobs,
                                  bases=bases)
    if follows_lock(lock, config.topics.count, len(papers)):
        return compute()  # the cached base makes this cheap; the whole model would miss daily
    fingerprint = fit_fingerprint(config.topics, lock_text)
    return cached_topics(papers, fingerprint, disk_cache, compute)


def locked_size(site_root: Path, papers: int) -> int:
    """The paper count to record: kept while the lock's topics are followed (see topics/fit.py)."""
    lock = load_lock(site_root)
    return lock.papers if lock and lock.papers and papers < 2 * lock.papers else papers


def load_theme(site_root: Path, config: SiteConfig, links: Urls,
               remember_fragments: bool = False) -> LoadedTheme:
    """The template environment and the theme's assets (``remember_fragments``: serve)."""
    chain = theme_chain(site_root, config.theme)
    assets = collect_assets(chain)
    env = make_environment(chain, remember_fragments=remember_fragments)
    env.globals["asset"] = asset_url_function(assets, links)
    return LoadedTheme(env, assets)


@dataclass(frozen=True)
class OutputReuse:
    """The output files of the last build, by kind, to link unchanged ones from
    (generator/reuse.py), and to record this build's in for the next one."""

    pages: PageReuse
    emails: OutputStore
    exports: OutputStore
    feeds: OutputStore

    @property
    def stores(self) -> tuple[OutputStore, ...]:
        return self.pages.store, self.emails, self.exports, self.feeds

    def save(self) -> None:
        for store in self.stores:
            store.save()


def output_reuse(config: SiteConfig, model: SiteModel, theme: LoadedTheme,
                 disk_cache: DiskCache | None) -> OutputReuse | None:
    """The last build's outputs (None: no cache, or a setting the digest cannot key)."""
    if disk_cache is None or disk_cache.folder is None:
        return None
    try:
        salt = build_salt(config)
    except Unkeyable:
        return None
    names = {r.template for r in model.routes} | set(EMAIL_TEMPLATES)
    prints = template_fingerprints(theme.env, names, theme.assets)
    emails = "\n".join([salt, *(prints[name] for name in EMAIL_TEMPLATES)])
    return OutputReuse(PageReuse(OutputStore(disk_cache, "pages", salt, SHARED_VIEWS), prints),
                       OutputStore(disk_cache, "emails", emails, SHARED_VIEWS),
                       # a paper's source is in its own unit and its issue's and topic's
                       OutputStore(disk_cache, "exports", salt, (CitationSource,)),
                       # a paper's item is in the site feed and its topic's and tags' feeds
                       OutputStore(disk_cache, "feeds", salt, (FeedItem,)))


def write_site(site_root: Path, config: SiteConfig, model: SiteModel, theme: LoadedTheme,
               timer: Timer, progress: Progress | None, jobs: int | None,
               disk_cache: DiskCache | None = None) -> tuple[int, list[Diagnostic]]:
    """Pages go straight from the render workers into the staged output folder, in batches, so
    no process holds every page at once; then the site files. The search index (its unchanged
    shards from ``disk_cache``) is made meanwhile, or last when it must read the pages. With a
    ``disk_cache``, pages, e-mails and export files whose inputs are unchanged since the last
    build are hard-linked from it instead of being made and written. A template error leaves
    the previous output as it was. Returns (files written, problems)."""

    # Without records (no papers, or a theme without search_record.html) the pages are indexed.
    records_early = (config.search.enabled and bool(model.papers)
                     and has_search_records(theme.env))

    def index_search(folder: Path, pagefinds: int | None = None) -> SearchStats:
        return index_papers(folder, theme.env, ((p, model.cards[p.slug]) for p in model.papers),
                            config.language, disk_cache, jobs=pagefinds)

    def finish_search(stats: SearchStats) -> None:
        timer.count("search records re-indexed", stats.reindexed)
        timer.count("search shards reused", stats.reused)

    def search_last(folder: Path) -> None:
        with timer.phase("search"):
            finish_search(index_search(folder))

    last = search_last if config.search.enabled and not records_early else None
    try:
        with timer.phase("write"), staged_site(site_root / config.output_dir, last) as stage:
            with timer.phase("render"):
                reuse = output_reuse(config, model, theme, disk_cache)
                written, problems = write_routes(theme.env, model.routes, site_root,
                                                 stage.folder, jobs=jobs, progress=progress,
                                                 reuse=reuse.pages if reuse else None)
            if Diagnostics(list(problems)).has_errors:
                raise _RenderFailed(problems)
            if reuse is None:
                timer.count("pages rendered", len(model.routes))
            else:
                timer.count("pages rendered", reuse.pages.store.made)
                timer.count("pages reused", reuse.pages.store.linked)
            stage.wrote(written)
            # Records need no rendered page: Pagefind indexes them in a forked child while the
            # feeds, e-mails and citation files are made. It starts after the pages, one
            # Pagefind at a time, so the render workers, the child and Pagefind never hold
            # memory together (at 100k: 4.3 GiB of peak PSS when they did); the build waits
            # for it at the end.
            with (in_background(partial(index_search, stage.folder, 1)) if records_early
                  else nullcontext(None)) as search_result:
                with timer.phase("feeds"):
                    # each group written and dropped before the next is made (at 100k the
                    # e-mails and the filter index together were some 500 MB)
                    for files in site_files(config, model, theme, timer, emails=reuse is None,
                                            feeds=reuse is None):
                        with timer.phase("write"):
                            stage.write(files)
                        del files
                    if reuse is not None:
                        write_units(feed_units(config, model), stage, reuse.feeds)
                        timer.count("feeds made", reuse.feeds.made)
                        timer.count("feeds reused", reuse.feeds.linked)
                # What each step below drops goes back to the system before the next, so the
                # main process stays near its size after planning while search is indexed.
                release_freed_memory()
                if reuse is not None and config.digest.email:
                    with timer.phase("email"):
                        write_emails(config, model, theme, stage, reuse.emails, timer)
                    release_freed_memory()
                with timer.phase("exports"):  # one file at a time: BibTeX, RIS, CSL-JSON
                    if reuse is None:
                        stage.write(render_exports(config, model, remember=False))
                    else:
                        write_units(export_units(config, model, remember=False), stage,
                                    reuse.exports)
                        timer.count("export units made", reuse.exports.made)
                        timer.count("export units reused", reuse.exports.linked)
                release_freed_memory()
                if search_result is not None:
                    with timer.phase("search"):  # only the part not hidden behind the above
                        finish_search(search_result())
                    stage.wrote(sum(len(names)
                                    for _, _, names in os.walk(stage.folder / BUNDLE_DIR)))
    except _RenderFailed as failed:
        return 0, failed.problems
    if reuse is not None:  # only once the new output is in place: a failed build keeps the last
        with timer.phase("write"):
            reuse.save()
        timer.count("files linked", sum(store.files_linked for store in reuse.stores))
    return stage.written, problems


def write_emails(config: SiteConfig, model: SiteModel, theme: LoadedTheme, stage: Stage,
                 store: OutputStore, timer: Timer) -> None:
    """Every issue's e-mail files: linked from ``store`` when the issue's inputs are
    unchanged, the others rendered (on every core) and written."""
    todo, keys = [], {}
    for issue in model.issues:
        key = store.key(issue.key, email_inputs(model, issue))
        if not store.link(issue.key, key, stage.folder):
            todo.append(issue)
            keys[issue.key] = key
    for issue, files in zip(todo, render_emails_of(config, model, theme.env, todo),
                            strict=True):
        stage.write(files)
        store.keep(issue.key, keys[issue.key], files, stage.folder)
    stage.wrote(store.files_linked)
    timer.count("e-mails rendered", len(todo))
    timer.count("e-mails reused", store.linked)


def write_units(units: Iterable[tuple[str, object, Callable[[], list[OutputFile]]]],
                stage: Stage, store: OutputStore) -> None:
    """Files in units (name, the values they are made from, a function that makes them):
    linked from ``store`` when the values are unchanged, else made and written."""
    for name, values, make in units:
        key = store.key(name, values)
        if not store.link(name, key, stage.folder):
            files = make()
            stage.write(files)
            store.keep(name, key, files, stage.folder)
    stage.wrote(store.files_linked)


def render_site(site_root: Path, config: SiteConfig, model: SiteModel, theme: LoadedTheme,
                timer: Timer, progress: Progress | None,
                jobs: int | None) -> list[Diagnostic]:
    """Render every page and file without writing them (``build_site(write=False)``)."""
    with timer.phase("render"):
        _, problems = render_routes(theme.env, model.routes, site_root, jobs=jobs,
                                    progress=progress)
    with timer.phase("feeds"):
        for _ in site_files(config, model, theme, timer):
            pass
    with timer.phase("exports"):
        for _ in render_exports(config, model):
            pass
    return problems


def site_files(config: SiteConfig, model: SiteModel, theme: LoadedTheme, timer: Timer,
               emails: bool = True, feeds: bool = True) -> Iterator[list[OutputFile]]:
    """Everything but the pages, in groups to write one at a time: paper feeds (unless
    ``feeds`` is False: write_units makes them), sitemap, digest feed, e-mails (unless
    ``emails`` is False: write_emails makes them), the reader files, then fixed_files."""
    yield [*(render_feeds(config, model) if feeds else ()), *render_sitemap(model)]
    if config.feeds.digest:
        yield render_digest_feed(config, model, theme.env)
    if config.digest.email and emails:
        with timer.phase("email"):
            files = render_issue_emails(config, model, theme.env)
        timer.count("e-mails rendered", len(model.issues))
        yield files
        del files
    yield from reader_file_groups(config, model, timer, remember=False)
    yield fixed_files(config, model, theme.assets)


def reader_files(config: SiteConfig, model: SiteModel, timer: Timer | None, *,
                 remember: bool = True) -> list[OutputFile]:
    """What the reader features read: the OPML list of every feed, the filter index and the
    vectors of the "For you" ranking (``remember``: keep per-paper work for the next call, as
    serve makes them again after each save)."""
    return [file for group in reader_file_groups(config, model, timer, remember=remember)
            for file in group]


def reader_file_groups(config: SiteConfig, model: SiteModel, timer: Timer | None, *,
                       remember: bool = True) -> Iterator[list[OutputFile]]:
    """reader_files in groups (OPML, filter index, ranking vectors), made one at a time."""
    opml = render_opml(config, model)
    if opml is not None:
        yield [opml]
    with timer.phase("filters") if timer else nullcontext():
        files = render_filter_index(config, model, remember=remember)
    yield files
    del files
    if config.topics.enabled:
        with timer.phase("ranking") if timer else nullcontext():
            files = render_ranking_files(config, model)
        yield files


def fixed_files(config: SiteConfig, model: SiteModel,
                assets: Mapping[str, Asset]) -> list[OutputFile]:
    """robots.txt, the theme's assets, .nojekyll, CNAME and the marker of a Paperboy build."""
    from generator.write import BUILD_MARKER, MARKER_TEXT

    files = [render_robots(model)]
    files += [OutputFile(PurePosixPath(a.route), a.source.read_bytes()) for a in assets.values()]
    files.append(OutputFile(PurePosixPath(".nojekyll"), b""))
    files.append(OutputFile(PurePosixPath(BUILD_MARKER), MARKER_TEXT))
    if config.cname:  # GitHub Pages reads the custom domain from this file
        files.append(OutputFile(PurePosixPath("CNAME"), f"{config.cname}\n".encode()))
    return files
