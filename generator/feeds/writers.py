"""Feed writers: one list of FeedItem -> RSS 2.0 and Atom (feedgen) and JSON Feed 1.1.

The callers decide what goes in a feed (papers of a topic, issues of the digest); this module
only serialises. Dates come from the items, never from the clock, so output is reproducible.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Category:
    term: str  # slug
    label: str


@dataclass(frozen=True)
class FeedItem:
    guid: str  # stable across rebuilds: the permalink of a paper or an issue
    url: str  # absolute
    title: str  # plain text
    summary: str  # plain text
    content_html: str  # sanitised HTML, absolute links
    date: dt.datetime
    authors: tuple[str, ...] = ()
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class FeedMeta:
    title: str
    description: str
    home_url: str  # the page the feed belongs to (absolute)
    language: str
    author: str  # feed-level author, so every Atom entry has one


def render_rss(meta: FeedMeta, items: Sequence[FeedItem], self_url: str) -> bytes:
    return _feedgen(meta, items, self_url).rss_str(pretty=True)


def render_atom(meta: FeedMeta, items: Sequence[FeedItem], self_url: str) -> bytes:
    return _feedgen(meta, items, self_url).atom_str(pretty=True)


def _feedgen(meta: FeedMeta, items: Sequence[FeedItem], self_url: str) -> FeedGenerator:
    updated = max((i.date for i in items), default=_EPOCH)
    feed = FeedGenerator()
    feed.load_extension("dc", atom=False, rss=True)
    feed.id(self_url)
    feed.title(meta.title)
    feed.subtitle(meta.description or meta.title)
    feed.author(name=meta.author)
    # feedgen takes the RSS <link> from the last link set: the page, not the feed itself.
    feed.link(href=self_url, rel="self")
    feed.link(href=meta.home_url, rel="alternate")
    feed.language(meta.language)
    feed.generator("Paperboy")
    feed.updated(updated)
    feed.lastBuildDate(updated)
    for item in items:
        _add_entry(feed, item)
    return feed


def _add_entry(feed: FeedGenerator, item: FeedItem) -> None:
    entry = feed.add_entry(order="append")
    entry.id(item.guid)
    entry.guid(item.guid, permalink=item.guid == item.url)
    entry.title(item.title)
    entry.link(href=item.url, rel="alternate")
    entry.published(item.date)
    entry.updated(item.date)
    # RSS <description> is HTML to readers: the plain-text summary may hold a decoded
    # "<script>", so it is escaped and declared as HTML in Atom too.
    summary = html.escape(item.summary, quote=False)
    entry.description(summary)
    entry.summary(summary, type="html")
    entry.content(item.content_html, type="html")  # RSS <content:encoded>; Atom <content>
    # Whole lists in one call: feedgen re-checks its list on every call (quadratic).
    if item.authors:
        entry.author([{"name": name} for name in item.authors])
        entry.dc.dc_creator(", ".join(item.authors))
    if item.categories:
        entry.category([{"term": c.term, "label": c.label} for c in item.categories])


def render_json_feed(meta: FeedMeta, items: Sequence[FeedItem], self_url: str) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1); plain JSON needs no library."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": self_url,
        "description": meta.description or meta.title,
        "language": meta.language,
        "authors": [{"name": meta.author}],
        "items": [_json_item(item) for item in items],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _json_item(item: FeedItem) -> dict[str, object]:
    data: dict[str, object] = {
        "id": item.guid,
        "url": item.url,
        "title": item.title,
        "summary": item.summary,
        "content_html": item.content_html,
        "date_published": item.date.isoformat(),
    }
    if item.authors:
        data["authors"] = [{"name": name} for name in item.authors]
    if item.categories:
        data["tags"] = [c.label for c in item.categories]
    return data
