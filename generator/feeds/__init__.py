"""Machine-readable files: RSS, Atom and JSON feeds (site, topics, tags), the digest feed,
the OPML list of every feed, the sitemap and robots.txt."""

from generator.feeds.digest import render_digest_feed
from generator.feeds.opml import render_opml
from generator.feeds.site_feeds import (
    FeedItem,
    feed_units,
    render_feeds,
    render_robots,
    render_sitemap,
)

__all__ = ["FeedItem", "feed_units", "render_digest_feed", "render_feeds", "render_opml",
           "render_robots", "render_sitemap"]
