"""Paper feeds (site, per topic, per tag) in RSS 2.0, Atom and JSON Feed, plus sitemap.xml and
robots.txt.

Dates come from the papers, never from the clock, so feeds are byte-identical across builds.
A paper's GUID is its permalink, built from its slug, which adding papers never changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from xml.sax.saxutils import escape

from generator import urls
from generator.config import SiteConfig
from generator.dates import timestamp
from generator.feeds.writers import (
    Category,
    FeedItem,
    FeedMeta,
    render_atom,
    render_json_feed,
    render_rss,
)
from generator.markup import render_abstract
from generator.models import OutputFile, Paper
from generator.site import SiteModel

RSS_PATH = "feed.xml"
ATOM_PATH = "atom.xml"
JSON_PATH = "feed.json"


# feed folder -> (what its files were made from, the files); kept by paperboy serve. The key
# ITEMS holds each paper's FeedItem with what it was made from (see _PaperItems).
FeedMemo = dict[str, tuple[object, Any]]
ITEMS = "\0items"


def render_feeds(config: SiteConfig, model: SiteModel,
                 memo: FeedMemo | None = None) -> tuple[OutputFile, ...]:
    """The site feeds, then one set per topic and per tag (newest ``feeds.items`` papers).

    With ``memo``, a feed set whose items and metadata equal last time's reuses its files:
    at 10k papers there are hundreds of sets and serializing them all costs seconds."""
    known = memo.get(ITEMS) if memo is not None else None
    items = _PaperItems(model, known[1] if known is not None else {})
    limit = config.feeds.items
    sets = [("", _meta(config, config.title, config.description, config.base_url),
             model.papers[:limit])]
    for route, title, papers in _groups(config, model):
        meta = _meta(config, f"{config.title}: {title}", config.description,
                     model.urls.absolute(route))
        sets.append((route, meta, papers[:limit]))
    files, fresh = [], {}
    for route, meta, papers in sets:
        feed_items = tuple(items.get(p) for p in papers)
        inputs = (config.base_url, config.feeds, meta, feed_items)
        hit = memo.get(route) if memo is not None else None
        made = hit[1] if hit is not None and hit[0] == inputs else write_feed_set(
            config, route, meta, feed_items)
        fresh[route] = (inputs, made)
        files.extend(made)
    if memo is not None:
        memo.clear()
        memo.update(fresh)
        memo[ITEMS] = (None, items.made)
    return tuple(files)


def write_feed_set(config: SiteConfig, route: str, meta: FeedMeta,
                   items: Sequence[FeedItem]) -> list[OutputFile]:
    """The enabled formats of one feed, under the site-relative folder ``route``."""
    absolute = config.base_url + route
    files = []
    if config.feeds.rss:
        files.append(OutputFile(PurePosixPath(route + RSS_PATH),
                                render_rss(meta, items, absolute + RSS_PATH)))
    if config.feeds.atom:
        files.append(OutputFile(PurePosixPath(route + ATOM_PATH),
                                render_atom(meta, items, absolute + ATOM_PATH)))
    if config.feeds.json:
        files.append(OutputFile(PurePosixPath(route + JSON_PATH),
                                render_json_feed(meta, items, absolute + JSON_PATH)))
    return files


def _meta(config: SiteConfig, title: str, description: str, home_url: str) -> FeedMeta:
    return FeedMeta(title, description, home_url, config.language, config.title)


def _groups(config: SiteConfig, model: SiteModel) -> list[tuple[str, str, list[Paper]]]:
    """(route, title, papers newest first) for every topic and tag feed that is enabled."""
    by_topic: dict[str, list[Paper]] = defaultdict(list)
    by_tag: dict[str, list[Paper]] = defaultdict(list)
    for paper in model.papers:
        card = model.cards[paper.slug]
        if card.topic:
            by_topic[card.topic.slug].append(paper)
        for tag in card.tags:
            by_tag[tag.slug].append(paper)
    groups = []
    if config.feeds.topics:
        groups += [(urls.topic(t.slug), t.label, by_topic[t.slug]) for t in model.topics]
    if config.feeds.tags:
        groups += [(urls.tag(t.slug), f"#{t.slug}", by_tag[t.slug]) for t in model.tags]
    return groups


class _PaperItems:
    """One FeedItem per paper, made once however many feeds list it; ``known`` holds items
    of an earlier build, reused while their paper, card and URLs are the same objects."""

    def __init__(self, model: SiteModel,
                 known: dict[str, tuple[tuple, FeedItem]] | None = None) -> None:
        self.model = model
        self.known = known or {}
        self.made: dict[str, tuple[tuple, FeedItem]] = {}

    def get(self, paper: Paper) -> FeedItem:
        made = self.made.get(paper.slug)
        if made is not None:
            return made[1]
        inputs = (paper, self.model.cards[paper.slug], self.model.urls)
        hit = self.known.get(paper.slug)
        if hit is not None and all(a is b for a, b in zip(hit[0], inputs, strict=True)):
            item = hit[1]
        else:
            item = self._make(paper)
        self.made[paper.slug] = (inputs, item)
        return item

    def _make(self, paper: Paper) -> FeedItem:
        card = self.model.cards[paper.slug]
        url = self.model.urls.absolute(urls.paper(paper.slug))
        categories = [Category(card.topic.slug, card.topic.label)] if card.topic else []
        categories += [Category(tag.slug, tag.slug) for tag in card.tags]
        return FeedItem(guid=url, url=url, title=card.title_text, summary=card.summary,
                        content_html=render_abstract(paper.abstract),
                        date=timestamp(paper.date), authors=paper.authors,
                        categories=tuple(categories))


def render_sitemap(model: SiteModel, memo: dict | None = None) -> OutputFile:
    """With ``memo`` (serve), the last sitemap while the pages and paper dates are the same."""
    if memo is None:
        return _sitemap(model)
    inputs = (model.urls, tuple(r.route for r in model.routes),
              tuple(card.date for card in model.cards.values()))
    hit = memo.get("sitemap")
    if hit is None or hit[0] != inputs:
        hit = memo["sitemap"] = (inputs, _sitemap(model))
    return hit[1]


def _sitemap(model: SiteModel) -> OutputFile:
    lastmod = {card.url: card.date for card in model.cards.values()}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for route in model.routes:
        if route.route.endswith(".html") and route.route != "index.html":
            continue  # 404.html
        link = model.urls.link(route.route)
        lines.append(f"  <url><loc>{escape(model.urls.absolute(route.route))}</loc>"
                     + (f"<lastmod>{lastmod[link].isoformat()}</lastmod>" if link in lastmod
                        else "") + "</url>")
    lines.append("</urlset>")
    return OutputFile(PurePosixPath("sitemap.xml"), ("\n".join(lines) + "\n").encode("utf-8"))


def render_robots(model: SiteModel) -> OutputFile:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {model.urls.absolute('sitemap.xml')}\n"
    return OutputFile(PurePosixPath("robots.txt"), text.encode("utf-8"))
