"""What an incremental rebuild may reuse: parsed entries, the topic model, and which pages and
files changed since the last good build.

A page is re-rendered when its template (or any template it extends or includes), the theme's
asset names, or its context differ from last time; contexts are frozen values compared by
equality, so a list page that shows an edited paper always differs. Nothing here chains stages
(pipeline.py does) and only ``sync_files`` writes to disk.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from generator.config import SiteConfig
from generator.content import EntryCache, load_scan
from generator.content.delta import LoadState, apply_edits, remember_scan
from generator.models import LoadResult, OutputFile, Paper, Topic, TopicModel
from generator.serve.stages import SiteFileMemos
from generator.site import Route, SiteModel
from generator.site.delta import PlanState, plan_everything, replan
from generator.topics import fit_fingerprint, lock_bytes
from generator.urls import output_path
from generator.write import safe_target

_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass
class RebuildState:
    """State kept between rebuilds by one ``paperboy serve`` process (never shared)."""

    entries: EntryCache = field(default_factory=EntryCache)
    topic_params: str | None = None  # topics.fit_fingerprint of the last fit
    topic_texts: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    topic_model: TopicModel | None = None
    topic_dates: Mapping[str, Any] = field(default_factory=dict)  # the model's papers' dates
    pages: dict[str, tuple[str, str, Mapping[str, Any]]] = field(default_factory=dict)
    digests: dict[PurePosixPath, str] = field(default_factory=dict)  # output file -> sha256
    search_enabled: bool = False  # whether the folder holds a search bundle
    site_files: SiteFileMemos = field(default_factory=SiteFileMemos)  # feeds, e-mails...
    load_state: LoadState | None = None  # see content/delta.py
    plan: PlanState | None = None  # the last good build's plan, see site/delta.py
    prints: Mapping[str, str] = field(default_factory=dict)  # its template fingerprints
    paths: dict[str, PurePosixPath] = field(default_factory=dict)  # route -> output file
    # output file -> (the bytes object last synced, its sha256): feeds and e-mails reused
    # from their memos are the same objects, and need no hashing again
    written: dict[PurePosixPath, tuple[bytes, str]] = field(default_factory=dict)

    def forget_files(self) -> None:
        """After a failed write the folder's state is unknown: the next build rewrites all."""
        self.pages.clear()
        self.digests.clear()
        self.written.clear()
        self.plan = None


@dataclass(frozen=True)
class SyncReport:
    written: tuple[PurePosixPath, ...]
    removed: tuple[PurePosixPath, ...]
    unchanged: int


# ----------------------------------------------------------------------------------- load


def load_entries(site_root: Path, config: SiteConfig, cache: RebuildState,
                 changed: Iterable[str] | None = None) -> LoadResult:
    """All entries; with ``changed`` (the only entry files that changed since the last load,
    site-relative) just those are read when that is provably enough."""
    options = (config.content_dir, config.include_drafts, config.max_entry_bytes,
               config.timezone)
    state = cache.load_state
    if changed is not None and state is not None and state.options == options:
        result = apply_edits(state, site_root, changed, cache.entries)
        if result is not None:
            return result
    scan = load_scan(site_root, config.content_dir, include_drafts=config.include_drafts,
                     max_entry_bytes=config.max_entry_bytes, cache=cache.entries,
                     timezone=config.timezone)
    cache.load_state = remember_scan(scan, options)
    return scan.result


# ---------------------------------------------------------------------------------- topics


def topic_params(config: SiteConfig, site_root: Path | None = None) -> str:
    """What a fit depends on besides the texts: the same fingerprint the disk cache keys on."""
    return fit_fingerprint(config.topics, lock_bytes(site_root))


def topic_texts(papers: Sequence[Paper]) -> dict[str, tuple[str, str]]:
    return {p.slug: (p.title, p.abstract) for p in papers}


def topic_dates(papers: Sequence[Paper]) -> dict[str, Any]:
    return {p.slug: p.date for p in papers}


def reuse_topics(cache: RebuildState, papers: Sequence[Paper], config: SiteConfig, *,
                 refit: bool, site_root: Path | None = None) -> TopicModel | None:
    """The cached model when no title or abstract changed (topics re-sorted by date, as a fit
    would); with ``refit`` False, a cheap assignment of new and edited papers. None: fit."""
    model = cache.topic_model
    if model is None or cache.topic_params != topic_params(config, site_root):
        return None
    texts = topic_texts(papers)
    if texts == cache.topic_texts:
        if topic_dates(papers) == cache.topic_dates:
            return model  # already in date order: the same object tells later stages so
        return _resort(model, papers)
    if refit or not model.topics:
        return None
    if (texts.keys() == cache.topic_texts.keys() and topic_dates(papers) == cache.topic_dates
            and not _any_moves(model, cache.topic_texts, texts)):
        return model  # what assign_topics would return, as the same object
    return assign_topics(model, cache.topic_texts, texts, papers, config.topics.related)


def _any_moves(model: TopicModel, old_texts: Mapping[str, tuple[str, str]],
               texts: Mapping[str, tuple[str, str]]) -> bool:
    """Whether assign_topics would move any edited paper to another topic."""
    for slug, text in texts.items():
        if old_texts[slug] != text:
            current = model.topic_of.get(slug)
            if current is None or _closest_topic(model.topics, " ".join(text).lower(),
                                                 current) != current:
                return True
    return False


def remember_topics(cache: RebuildState, papers: Sequence[Paper], config: SiteConfig,
                    model: TopicModel, site_root: Path | None = None) -> None:
    cache.topic_params = topic_params(config, site_root)
    cache.topic_texts = topic_texts(papers)
    cache.topic_dates = topic_dates(papers)
    cache.topic_model = model


def _newest_first(slugs: Iterable[str], dates: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(slugs, key=lambda s: (-dates[s].toordinal(), s)))


def _resort(model: TopicModel, papers: Sequence[Paper]) -> TopicModel:
    dates = {p.slug: p.date for p in papers}
    topics = tuple(replace(t, papers=_newest_first(t.papers, dates)) for t in model.topics)
    return replace(model, topics=topics)  # keeps every other field of the fit


def assign_topics(model: TopicModel, old_texts: Mapping[str, tuple[str, str]],
                  texts: Mapping[str, tuple[str, str]], papers: Sequence[Paper],
                  related_count: int) -> TopicModel:
    """Keep every topic; put each new or edited paper in the topic whose terms its text shares
    most (ties keep its topic); drop deleted papers. ``paperboy build`` refits for real."""
    dates = {p.slug: p.date for p in papers}
    members = {t.slug: [s for s in t.papers if s in texts] for t in model.topics}
    topic_of = {s: t for t, slugs in members.items() for s in slugs}
    for slug in sorted(texts):
        if old_texts.get(slug) == texts[slug]:
            continue
        current = topic_of.get(slug)
        best = _closest_topic(model.topics, " ".join(texts[slug]).lower(), current)
        if current != best:
            if current is not None:
                members[current].remove(slug)
            members[best].append(slug)
            topic_of[slug] = best
    related = {s: tuple(r for r in model.related.get(s, ()) if r in texts) for s in texts}
    for slug in texts:
        if slug not in old_texts:
            peers = _newest_first((s for s in members[topic_of[slug]] if s != slug), dates)
            related[slug] = peers[:related_count]
    kept = [replace(t, papers=_newest_first(members[t.slug], dates))
            for t in model.topics if members[t.slug]]
    topics = tuple(sorted(kept, key=lambda t: (-len(t.papers), t.slug)))  # as a fit orders them
    return replace(model, topics=topics, topic_of=MappingProxyType(dict(sorted(topic_of.items()))),
                   related=MappingProxyType(dict(sorted(related.items()))))


def _closest_topic(topics: Sequence[Topic], text: str, current: str | None) -> str:
    def score(topic: Topic) -> tuple[int, bool, int]:
        shared = sum(1 for term in topic.terms if _contains_word(text, term.lower()))
        return (shared, topic.slug == current, len(topic.papers))
    return max(topics, key=score).slug


def _contains_word(text: str, term: str) -> bool:
    start = text.find(term)
    while start >= 0:
        end = start + len(term)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before not in _WORD_CHARS and after not in _WORD_CHARS:
            return True
        start = text.find(term, start + 1)
    return False


# ----------------------------------------------------------------------------------- pages


@dataclass(frozen=True)
class PagePlan:
    """The plan of a rebuild: the whole site, and which routes were planned again."""

    model: SiteModel
    state: PlanState
    replanned: tuple[Route, ...] | None = None  # None: every route
    removed: tuple[str, ...] = ()

    def candidates(self, fingerprints: Mapping[str, str], cache: RebuildState) -> Sequence[Route]:
        """The routes that may differ from the last good build: after a local edit with the
        same templates only those planned again, else all of them."""
        if self.replanned is None or fingerprints != cache.prints or not cache.pages:
            return self.model.routes
        return self.replanned


def plan_pages(cache: RebuildState, config: SiteConfig, papers: Sequence[Paper],
               model: TopicModel) -> PagePlan:
    """Re-plan only the pages a local edit reaches (site/delta.py), else every page. The
    cached plan is taken out while building and put back by remember_pages."""
    state, cache.plan = cache.plan, None
    if state is not None:
        delta = replan(state, config, papers, model)
        if delta is not None:
            return PagePlan(delta.model, state, delta.routes, delta.removed)
    site, state = plan_everything(config, papers, model)
    return PagePlan(site, state)


def changed_routes(routes: Sequence[Route], fingerprints: Mapping[str, str],
                   cache: RebuildState) -> list[Route]:
    """Routes whose output may differ from the file written by the last good build."""
    changed = []
    for route in routes:
        old = cache.pages.get(route.route)
        if (old is None or old[0] != route.template or old[1] != fingerprints[route.template]
                or old[2] != route.context):
            changed.append(route)
    return changed


def remember_pages(cache: RebuildState, plan: PagePlan, fingerprints: Mapping[str, str]) -> None:
    """After a good build: what each page was made from, and the plan to start from next."""
    if plan.replanned is not None and fingerprints == cache.prints and cache.pages:
        for name in plan.removed:
            del cache.pages[name]
        routes: Sequence[Route] = plan.replanned
    else:
        cache.pages = {}
        routes = plan.model.routes
    for r in routes:
        cache.pages[r.route] = (r.template, fingerprints[r.template], r.context)
    cache.prints = dict(fingerprints)
    cache.plan = plan.state


def page_paths(routes: Sequence[Route],
               memo: dict[str, PurePosixPath] | None = None) -> list[PurePosixPath]:
    if memo is None:
        return [output_path(r.route) for r in routes]
    paths = []
    for route in routes:
        path = memo.get(route.route)
        if path is None:
            path = memo[route.route] = output_path(route.route)
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------------- files


def sync_files(target: Path, cache: RebuildState, fresh: Iterable[OutputFile],
               kept: Iterable[PurePosixPath],
               lock: Callable[[], AbstractContextManager[Any]] = nullcontext) -> SyncReport:
    """Make ``target`` hold exactly ``fresh`` plus the ``kept`` files of the last build.

    Files whose bytes did not change are not rewritten; files no longer built are deleted
    (and folders left empty). The writes happen inside ``lock()`` so readers that take the
    same lock only ever see a complete site.
    """
    new_digests = {path: cache.digests[path] for path in kept if path in cache.digests}
    to_write = []
    known, cache.written = cache.written, {}
    for file in fresh:
        last = known.get(file.path)
        if last is not None and last[0] is file.data:  # reused from a memo: same bytes
            digest = last[1]
        else:
            digest = hashlib.sha256(file.data).hexdigest()
        cache.written[file.path] = (file.data, digest)
        new_digests[file.path] = digest
        if cache.digests.get(file.path) != digest:
            to_write.append(file)
    removed = sorted(set(cache.digests) - set(new_digests))
    with lock():
        try:
            for file in to_write:
                _write_file(target, file)
            for path in removed:
                _remove_file(target, path)
        except BaseException:
            cache.forget_files()
            raise
    cache.digests = new_digests
    return SyncReport(tuple(f.path for f in to_write), tuple(removed),
                      len(new_digests) - len(to_write))


def _write_file(root: Path, file: OutputFile) -> None:
    destination = safe_target(root, file.path)
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.paperboy-part")
    temporary.write_bytes(file.data)
    os.replace(temporary, destination)


def _remove_file(root: Path, path: PurePosixPath) -> None:
    destination = safe_target(root, path)
    destination.unlink(missing_ok=True)
    folder = destination.parent
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            break  # not empty
        folder = folder.parent
