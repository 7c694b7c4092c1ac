"""rebuild_site(): the stages of pipeline.build_site, for ``paperboy serve``, each wrapped in the
cache of RebuildState (incremental.py), writing only the files whose bytes changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from generator.config import SiteConfig
from generator.diagnostics import Diagnostics
from generator.exports import render_exports
from generator.pipeline import BuildResult, Timer, fit_topics, load_theme
from generator.render import render_routes, template_fingerprints
from generator.search import SearchRecord, records_for
from generator.serve import incremental as inc
from generator.serve.search_refresh import refresh_bundle
from generator.serve.stages import site_files

# (site folder, language or None: no search, search records or None: index the pages)
Reindex = Callable[[Path, "str | None", "Sequence[SearchRecord] | None"], None]


def rebuild_site(site_root: Path, config: SiteConfig, cache: inc.RebuildState, target: Path, *,
                 refit_topics: bool = False,
                 lock: Callable[[], AbstractContextManager[Any]] = nullcontext,
                 reindex: Reindex | None = None,
                 changed: tuple[str, ...] | None = None) -> BuildResult:
    """Incremental build into ``target``: the same stages and the same bytes as build_site,
    but unchanged entries are not parsed again, topics are not refitted unless titles or
    abstracts changed (and then only with ``refit_topics``; else cheaply assigned), only pages
    whose inputs changed are rendered, and only files whose bytes changed are written.
    ``cache`` is updated only by a build that succeeds.

    The search bundle is refreshed through ``reindex`` when pages changed; by default in place
    before returning, while ``paperboy serve`` passes one that works in the background.
    ``changed``: the only entry files (site-relative) edited since the last call, when known;
    None rescans the content folder."""
    timer = Timer()
    with timer.phase("load"):
        loaded = inc.load_entries(site_root, config, cache, changed)
    diagnostics = Diagnostics(list(loaded.diagnostics))
    if diagnostics.has_errors:
        return timer.result(diagnostics)
    with timer.phase("topics"):
        topic_model = (inc.reuse_topics(cache, loaded.papers, config, refit=refit_topics,
                                        site_root=site_root)
                       or fit_topics(loaded.papers, config, site_root))
    with timer.phase("plan"):
        plan = inc.plan_pages(cache, config, loaded.papers, topic_model)
        model = plan.model
        theme = load_theme(site_root, config, model.urls, remember_fragments=True)
        prints = template_fingerprints(theme.env, {r.template for r in model.routes},
                                       theme.assets)
        todo = inc.changed_routes(plan.candidates(prints, cache), prints, cache)
    with timer.phase("render"):
        files, problems = render_routes(theme.env, todo, site_root, jobs=1)  # few pages
    diagnostics.extend(problems)
    if diagnostics.has_errors:
        return timer.result(diagnostics)
    with timer.phase("feeds"):
        files += site_files(cache.site_files, config, model, theme.env, theme.assets)
    with timer.phase("exports"):
        files += render_exports(config, model)
    with timer.phase("write"):
        rendered = {f.path for f in files}
        kept = [p for p in inc.page_paths(model.routes, cache.paths) if p not in rendered]
        report = inc.sync_files(target, cache, files, kept, lock)
    pages_changed = bool(report.written or report.removed)
    if (config.search.enabled and pages_changed) or config.search.enabled != cache.search_enabled:
        with timer.phase("search"):
            language = config.language if config.search.enabled else None
            records = (records_for(theme.env, ((p, model.cards[p.slug]) for p in model.papers))
                       if language else None)
            if reindex is None:
                # The bundle is rebuilt whole: Pagefind's fragment names change with the index.
                refresh_bundle(target, language, lock, records=records)
            else:
                reindex(target, language, records)
    cache.search_enabled = config.search.enabled
    inc.remember_topics(cache, loaded.papers, config, topic_model, site_root)
    inc.remember_pages(cache, plan, prints)
    return timer.result(diagnostics, len(loaded.papers), len(topic_model.topics),
                        len(report.written))
