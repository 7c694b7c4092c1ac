"""arXiv's RSS feeds (the format of the 2024 rewrite): one announcement of some categories.

``https://rss.arxiv.org/rss/cs.LG+cs.CL`` lists the latest announcement of those categories.
The channel's ``pubDate`` is the morning after the announcement evening (arXiv's listing
date); each item carries ``arxiv:announce_type`` (``new``, ``cross``, ``replace``,
``replace-cross``), its ID and version in the ``guid`` (``oai:arXiv.org:2412.01234v2``), the
authors in ``dc:creator``, categories, and the abstract inside the description after
"Abstract:". The XML is untrusted and parsed with defusedxml.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from generator.importers.arxiv_atom import ArxivError, AtomPaper
from generator.importers.entry_writer import normalise_arxiv_id

DEFAULT_RSS_URL = "https://rss.arxiv.org/rss/"
RSS_URL_ENV = "PAPERBOY_ARXIV_RSS"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_VERSION = re.compile(r"v([1-9]\d*)$")
_SPACES = re.compile(r"\s+")
_DOI = re.compile(r"10\.\d{4,9}/\S+")


@dataclass(frozen=True)
class FeedItem:
    paper: AtomPaper
    announce_type: str  # new | cross | replace | replace-cross


@dataclass(frozen=True)
class Feed:
    published: dt.datetime | None  # the channel's pubDate (None when missing or unreadable)
    items: tuple[FeedItem, ...]
    problems: tuple[str, ...]


def rss_url(explicit: str = "") -> str:
    """The feed base: ``explicit`` (site.yaml), else $PAPERBOY_ARXIV_RSS, else arXiv's own."""
    base = explicit or os.environ.get(RSS_URL_ENV) or DEFAULT_RSS_URL
    return base if base.endswith("/") else base + "/"


def feed_url(base: str, categories: tuple[str, ...]) -> str:
    return base + "+".join(categories)


def parse_feed(data: bytes) -> Feed:
    """The feed's date and items; ArxivError when it is not an RSS document."""
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException) as error:
        raise ArxivError(f"the feed is not valid XML: {error}") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ArxivError("the answer is not an RSS feed")
    items: list[FeedItem] = []
    problems: list[str] = []
    for number, element in enumerate(channel.iter("item"), start=1):
        try:
            items.append(_item(element))
        except ValueError as error:
            problems.append(f"feed item {number}: {error}")
    return Feed(_date(channel.findtext("pubDate") or channel.findtext("lastBuildDate") or ""),
                tuple(items), tuple(problems))


def _item(element: Element) -> FeedItem:
    guid = (element.findtext("guid") or element.findtext("link") or "").strip()
    arxiv = normalise_arxiv_id(guid.removeprefix("oai:arXiv.org:"))
    title = _one_line(element.findtext("title") or "")
    if not arxiv or not title:
        raise ValueError(f"no arXiv ID or title (guid '{guid[:60]}')")
    version = _VERSION.search(guid)
    description = element.findtext("description") or ""
    abstract = description.split("Abstract:", 1)[1] if "Abstract:" in description else ""
    creators = _one_line(element.findtext(f"{_DC}creator") or "")
    authors = tuple(name.strip() for name in re.split(r",\s*|\s+and\s+", creators)
                    if name.strip())
    categories = tuple(dict.fromkeys(c.text.strip() for c in element.iter("category")
                                     if c.text and c.text.strip()))
    kind = (element.findtext(f"{_ARXIV}announce_type") or "new").strip().lower()
    doi = next((d for d in (element.findtext(f"{_ARXIV}DOI") or "").split()
                if _DOI.fullmatch(d)), None)
    journal = _one_line(element.findtext(f"{_ARXIV}journal_reference") or "") or None
    paper = AtomPaper(arxiv=arxiv, title=title, abstract=_one_line(abstract), authors=authors,
                      categories=categories, version=int(version.group(1)) if version else 1,
                      doi=doi, journal_ref=journal)
    return FeedItem(paper, kind)


def _date(text: str) -> dt.datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text.strip())
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
