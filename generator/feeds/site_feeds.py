"""Paper feeds (site, per topic, per tag) in RSS 2.0, Atom and JSON Feed, plus sitemap.xml and
robots.txt.

Dates come from the papers, never from the clock, so feeds are byte-identical across builds.
A paper's GUID is its permalink, built from its slug, which adding papers never changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
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

RSS_PATH, ATOM_PATH, JSON_PATH = urls.RSS_FILE, urls.ATOM_FILE, urls.JSON_FILE


@dataclass(frozen=True)
class FeedSet:
    """One feed in every enabled format: its site-relative folder, metadata and items."""

    route: str
    meta: FeedMeta
    items: tuple[FeedItem, ...]


def render_feeds(config: SiteConfig, model: SiteModel) -> list[OutputFile]:
    """The site feeds, then one set per topic and per tag (newest ``feeds.items`` papers)."""
    return [file for _, _, make in feed_units(config, model) for file in make()]


def feed_units(config: SiteConfig, model: SiteModel
               ) -> Iterator[tuple[str, FeedSet, Callable[[], list[OutputFile]]]]:
    """The feeds in units: (name, the FeedSet its files are a function of besides the
    configuration, a function that makes them), for the build cache (generator/reuse.py) to
    key them by. A day's papers change the site feed and the feeds of their topics and tags."""
    for feed in feed_sets(config, model, PaperItems(model).get):
        yield feed.route or "/", feed, partial(render_feed_set, config, feed)


def feed_sets(config: SiteConfig, model: SiteModel,
              item_of: Callable[[Paper], FeedItem]) -> list[FeedSet]:
    """What each feed holds, without serialising it: ``item_of`` makes a paper's item."""
    limit = config.feeds.items
    sets = [FeedSet("", _meta(config, config.title, config.description, config.base_url),
                    tuple(item_of(p) for p in model.papers[:limit]))]
    for route, title, papers in _groups(config, model):
        meta = _meta(config, f"{config.title}: {title}", config.description,
                     model.urls.absolute(route))
        sets.append(FeedSet(route, meta, tuple(item_of(p) for p in papers[:limit])))
    return sets


def render_feed_set(config: SiteConfig, feed: FeedSet) -> list[OutputFile]:
    """The enabled formats of one feed, under its site-relative folder."""
    route, meta, items = feed.route, feed.meta, feed.items
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


class PaperItems:
    """One FeedItem per paper, made once however many feeds list it."""

    def __init__(self, model: SiteModel) -> None:
        self.model = model
        self.made: dict[str, FeedItem] = {}

    def get(self, paper: Paper) -> FeedItem:
        item = self.made.get(paper.slug)
        if item is None:
            item = self.made[paper.slug] = paper_item(self.model, paper)
        return item


def paper_item(model: SiteModel, paper: Paper) -> FeedItem:
    card = model.cards[paper.slug]
    url = model.urls.absolute(urls.paper(paper.slug))
    categories = [Category(card.topic.slug, card.topic.label)] if card.topic else []
    categories += [Category(tag.slug, tag.slug) for tag in card.tags]
    return FeedItem(guid=url, url=url, title=card.title_text, summary=card.summary,
                    content_html=render_abstract(paper.abstract), date=timestamp(paper.date),
                    authors=paper.authors, categories=tuple(categories))


# The sitemap protocol's limits for one file; a larger site gets a sitemap index.
SITEMAP_MAX_URLS = 50_000
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
_SITEMAP_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')
_SITEMAP_TAIL = "</urlset>\n"


def render_sitemap(model: SiteModel) -> list[OutputFile]:
    """sitemap.xml: every page's URL, or, past the protocol's limits (50,000 URLs or 50 MB per
    file), a sitemap index of sitemap-1.xml, sitemap-2.xml, ..."""
    return _sitemap(model)


def _sitemap(model: SiteModel, max_urls: int = SITEMAP_MAX_URLS,
             max_bytes: int = SITEMAP_MAX_BYTES) -> list[OutputFile]:
    lastmod = {card.url: card.date for card in model.cards.values()}
    entries = []
    for route in model.routes:
        if route.route.endswith(".html") and route.route != "index.html":
            continue  # 404.html
        link = model.urls.link(route.route)
        entries.append(f"  <url><loc>{escape(model.urls.absolute(route.route))}</loc>"
                       + (f"<lastmod>{lastmod[link].isoformat()}</lastmod>" if link in lastmod
                          else "") + "</url>\n")
    parts = _split(entries, max_urls, max_bytes - len(_SITEMAP_HEAD) - len(_SITEMAP_TAIL))
    if len(parts) == 1:
        return [_sitemap_file("sitemap.xml", _SITEMAP_HEAD + "".join(parts[0]) + _SITEMAP_TAIL)]
    names = [f"sitemap-{number}.xml" for number in range(1, len(parts) + 1)]
    index = ['<?xml version="1.0" encoding="UTF-8"?>\n'
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n',
             *(f"  <sitemap><loc>{escape(model.urls.absolute(name))}</loc></sitemap>\n"
               for name in names), "</sitemapindex>\n"]
    return [_sitemap_file("sitemap.xml", "".join(index)),
            *(_sitemap_file(name, _SITEMAP_HEAD + "".join(part) + _SITEMAP_TAIL)
              for name, part in zip(names, parts, strict=True))]


def _split(entries: list[str], max_urls: int, max_bytes: int) -> list[list[str]]:
    """Consecutive runs of entries, each within both limits (one part when there are none)."""
    parts: list[list[str]] = [[]]
    size = 0
    for entry in entries:
        length = len(entry.encode("utf-8"))
        if parts[-1] and (len(parts[-1]) >= max_urls or size + length > max_bytes):
            parts.append([])
            size = 0
        parts[-1].append(entry)
        size += length
    return parts


def _sitemap_file(name: str, text: str) -> OutputFile:
    return OutputFile(PurePosixPath(name), text.encode("utf-8"))


def render_robots(model: SiteModel) -> OutputFile:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {model.urls.absolute('sitemap.xml')}\n"
    return OutputFile(PurePosixPath("robots.txt"), text.encode("utf-8"))
