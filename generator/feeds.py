"""Site feeds (RSS 2.0 and Atom) through feedgen, plus sitemap.xml and robots.txt.

Dates come from the papers, never from the clock, so feeds are byte-identical across builds.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import PurePosixPath
from xml.sax.saxutils import escape

from feedgen.feed import FeedGenerator

from generator.config import SiteConfig
from generator.markup import render_abstract
from generator.render import OutputFile
from generator.site import SiteModel

RSS_PATH = "feed.xml"
ATOM_PATH = "atom.xml"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _timestamp(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


def render_feeds(config: SiteConfig, model: SiteModel) -> tuple[OutputFile, ...]:
    papers = model.papers[: config.feeds.items]
    files = []
    if config.feeds.rss:
        feed = _feed(config, model, papers, RSS_PATH)
        files.append(OutputFile(PurePosixPath(RSS_PATH), feed.rss_str(pretty=True)))
    if config.feeds.atom:
        feed = _feed(config, model, papers, ATOM_PATH)
        files.append(OutputFile(PurePosixPath(ATOM_PATH), feed.atom_str(pretty=True)))
    return tuple(files)


def _feed(config: SiteConfig, model: SiteModel, papers: Sequence, self_path: str) -> FeedGenerator:
    updated = _timestamp(papers[0].date) if papers else _EPOCH
    feed = FeedGenerator()
    feed.load_extension("dc", atom=False, rss=True)
    feed.id(config.base_url)
    feed.title(config.title)
    feed.subtitle(config.description or config.title)
    # feedgen takes the RSS <link> from the last link set: the site, not the feed itself.
    feed.link(href=model.urls.absolute(self_path), rel="self")
    feed.link(href=config.base_url, rel="alternate")
    feed.language(config.language)
    feed.generator("Paperboy")
    feed.updated(updated)
    feed.lastBuildDate(updated)
    for paper in papers:
        _add_entry(feed, model, paper)
    return feed


def _add_entry(feed: FeedGenerator, model: SiteModel, paper) -> None:
    card = model.cards[paper.slug]
    url = model.urls.absolute(card.url.removeprefix(model.urls.base_path))
    entry = feed.add_entry(order="append")
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(card.title_text)
    entry.link(href=url, rel="alternate")
    entry.published(_timestamp(paper.date))
    entry.updated(_timestamp(paper.date))
    # RSS <description> is HTML to readers: the plain-text summary may hold decoded "<script>".
    summary = html.escape(card.summary, quote=False)
    entry.description(summary)
    entry.summary(summary, type="html")
    entry.content(render_abstract(paper.abstract), type="html")
    for name in paper.authors:
        entry.author(name=name)
    if paper.authors:
        entry.dc.dc_creator(", ".join(paper.authors))
    if card.topic:
        entry.category(term=card.topic.slug, label=card.topic.label)
    for tag in card.tags:
        entry.category(term=tag.slug, label=tag.slug)


def render_sitemap(model: SiteModel) -> OutputFile:
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
