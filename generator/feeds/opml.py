"""``feeds.opml``: every feed of the site in one OPML 2.0 file, so a reader subscribes to the
site, the digest, every topic and every tag with one import.

The list comes from generator.site (``feed_refs``), which the feeds page shows too, so the page
and the file never disagree. Deterministic: no dates from the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath
from xml.sax.saxutils import escape, quoteattr

from generator import urls
from generator.config import SiteConfig
from generator.models import OutputFile
from generator.site import SiteModel, feed_refs
from generator.site.views import FeedRef

GROUPS = (("site", "Site"), ("digest", "Digest"), ("topic", "Topics"), ("tag", "Tags"))


def render_opml(config: SiteConfig, model: SiteModel) -> OutputFile | None:
    """None when every feed format is switched off."""
    feeds = feed_refs(config, model.urls, model.topics, model.tags)
    if not feeds:
        return None
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', "  <head>",
             f"    <title>{escape(config.title)}: feeds</title>",
             f"    <docs>{escape('http://opml.org/spec2.opml')}</docs>", "  </head>", "  <body>"]
    for kind, label in GROUPS:
        members = [f for f in feeds if f.kind == kind]
        if members:
            lines.append(f"    <outline text={quoteattr(label)}>")
            lines.extend(f"      {_outline(feed)}" for feed in members)
            lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return OutputFile(PurePosixPath(urls.OPML), "\n".join(lines).encode())


def _outline(feed: FeedRef) -> str:
    kind = "rss" if feed.rss or feed.atom else "link"  # OPML's type for any feed format
    attrs: Sequence[tuple[str, str]] = (("type", kind), ("text", feed.title),
                                        ("title", feed.title), ("xmlUrl", feed.first),
                                        ("htmlUrl", feed.page_url))
    return "<outline " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs) + "/>"
