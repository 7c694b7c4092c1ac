"""build_site(): the only place the stages are chained.

load_content -> cluster_topics -> plan_site -> render pages, assets, feeds -> write_site.
Content and template problems come back as diagnostics; nothing is written unless all is well.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from generator.cache import BuildCache
from generator.config import SiteConfig
from generator.content import load_content
from generator.diagnostics import Diagnostic, Diagnostics
from generator.models import Paper, TopicModel

Progress = Callable[[str, int, int], None]  # (phase, done, total)


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
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def check_site(site_root: Path, config: SiteConfig) -> tuple[Diagnostic, ...]:
    """Validate content without building."""
    return load_content(site_root, config.content_dir, include_drafts=config.include_drafts,
                        max_entry_bytes=config.max_entry_bytes).diagnostics


def build_site(site_root: Path, config: SiteConfig, *, progress: Progress | None = None,
               write: bool = True, jobs: int | None = None, cache: bool = True) -> BuildResult:
    """``jobs``: worker processes for rendering (default: every core); ``cache``: reuse
    content-hashed results under .paperboy-cache/ (never changes the output bytes)."""
    from generator.cache import CACHE_DIR, BuildCache

    build_cache = BuildCache(site_root / CACHE_DIR if cache else None)
    timer = _Timer()
    with timer.phase("load"):
        loaded = load_content(site_root, config.content_dir, include_drafts=config.include_drafts,
                              max_entry_bytes=config.max_entry_bytes)
    diagnostics = Diagnostics(list(loaded.diagnostics))
    if diagnostics.has_errors:
        return BuildResult(diagnostics.sorted(), timings=MappingProxyType(timer.timings))
    with timer.phase("markup"):
        from generator.markup_cache import warm_markup
        from generator.parallel import default_jobs

        warm_markup(loaded.papers, build_cache, jobs or default_jobs())
    with timer.phase("topics"):
        topic_model = fit_topics(loaded.papers, config, site_root, build_cache)
    files, render_problems = _render_everything(site_root, config, loaded.papers, topic_model,
                                                timer, progress, jobs)
    diagnostics.extend(render_problems)
    count = 0
    if not diagnostics.has_errors and write:
        from generator.write import write_site

        with timer.phase("write"):
            count = write_site(files, site_root / config.output_dir)
        if config.topics.enabled:
            from generator.topic_lock import render_lock, write_lock

            write_lock(site_root, render_lock(topic_model, _locked_size(site_root,
                                                                        len(loaded.papers))))
    return BuildResult(diagnostics.sorted(), len(loaded.papers), len(topic_model.topics), count,
                       MappingProxyType(timer.timings))


def fit_topics(papers: tuple[Paper, ...], config: SiteConfig,
               site_root: Path | None = None,
               build_cache: BuildCache | None = None) -> TopicModel:
    """Cluster the papers, aligned to site_root/topics.lock.yaml when there is one; the result
    is cached by the papers' text, the settings and the lock."""
    if not config.topics.enabled:
        return TopicModel((), MappingProxyType({}), MappingProxyType({}))
    from generator.topic_cache import cached_topics
    from generator.topic_lock import load_lock

    lock = load_lock(site_root) if site_root is not None else None

    def compute() -> TopicModel:
        from threadpoolctl import threadpool_limits

        from generator.topics import cluster_topics

        # One BLAS/OpenMP thread: the same floating-point order on every machine, and no
        # oversubscribed spinning threads on a busy one (measured: 4x faster under load).
        with threadpool_limits(limits=1):
            return cluster_topics(papers, count=config.topics.count,
                                  related_count=config.topics.related, seed=config.topics.seed,
                                  renames=config.topics.renames, lock=lock)
    return cached_topics(papers, (config.topics, lock), build_cache, compute)


def _locked_size(site_root: Path, papers: int) -> int:
    """The paper count to record: kept while the lock's topics are followed (see topics.py)."""
    from generator.topic_lock import load_lock

    lock = load_lock(site_root)
    return lock.papers if lock and lock.papers and papers < 2 * lock.papers else papers


def _render_everything(site_root: Path, config: SiteConfig, papers: tuple[Paper, ...],
                       topic_model: TopicModel, timer: _Timer, progress: Progress | None,
                       jobs: int | None = None):
    from generator.feeds import render_feeds, render_robots, render_sitemap
    from generator.parallel import render_routes
    from generator.render import OutputFile, asset_url_function
    from generator.site import plan_site
    from generator.themes import collect_assets, make_environment, theme_chain

    with timer.phase("plan"):
        model = plan_site(config, papers, topic_model)
        chain = theme_chain(site_root, config.theme)
        assets = collect_assets(chain)
        env = make_environment(chain)
        env.globals["asset"] = asset_url_function(assets, model.urls)
    with timer.phase("render"):
        files, problems = render_routes(env, model.routes, site_root, jobs=jobs,
                                        progress=progress)
    with timer.phase("feeds"):
        files.extend(render_feeds(config, model))
        files.append(render_sitemap(model))
        files.append(render_robots(model))
        if config.feeds.digest:
            from generator.digest_feed import render_digest_feed

            files.extend(render_digest_feed(config, model, env))
    if config.digest.email:
        from generator.email_issue import render_issue_emails

        with timer.phase("email"):
            files.extend(render_issue_emails(config, model, env))
    files.extend(OutputFile(PurePosixPath(a.route), a.source.read_bytes())
                 for a in assets.values())
    files.append(OutputFile(PurePosixPath(".nojekyll"), b""))
    if config.cname:  # GitHub Pages reads the custom domain from this file
        files.append(OutputFile(PurePosixPath("CNAME"), f"{config.cname}\n".encode()))
    return files, problems
