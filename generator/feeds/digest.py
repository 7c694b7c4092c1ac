"""The digest feed: one item per issue holding the whole issue, for RSS-to-email services.

Buttondown and Mailchimp RSS campaigns mail an item's ``content:encoded``; here that is the
theme's ``email/issue_feed.html`` with every paper of the issue and absolute links.
"""

from __future__ import annotations

import jinja2

from generator import urls
from generator.config import SiteConfig
from generator.dates import timestamp
from generator.feeds.site_feeds import FeedSet, render_feed_set
from generator.feeds.writers import FeedItem, FeedMeta
from generator.mail.issue_email import EmailView, issue_view
from generator.models import OutputFile
from generator.site import Issue, SiteModel

DIGEST_FEED_DIR = urls.digests_index()  # digests/feed.xml, digests/atom.xml, digests/feed.json


TEMPLATE = "email/issue_feed.html"


def render_digest_feed(config: SiteConfig, model: SiteModel,
                       env: jinja2.Environment) -> list[OutputFile]:
    """The newest ``feeds.items`` issues, each item the whole issue."""
    template = env.get_template(TEMPLATE)
    items = tuple(digest_item(config, template, issue, issue_view(config, model, issue))
                  for issue in model.issues[: config.feeds.items])
    return render_feed_set(config, digest_feed_set(config, model, items))


def digest_feed_set(config: SiteConfig, model: SiteModel,
                    items: tuple[FeedItem, ...]) -> FeedSet:
    meta = FeedMeta(f"{config.title}: digest", config.description,
                    model.urls.absolute(DIGEST_FEED_DIR), config.language, config.title)
    return FeedSet(DIGEST_FEED_DIR, meta, items)


def digest_item(config: SiteConfig, template: jinja2.Template, issue: Issue,
          view: EmailView) -> FeedItem:
    last = max((p.date for p in issue.papers), default=issue.end)
    return FeedItem(guid=view.web_url, url=view.web_url, title=f"{config.title}: {issue.label}",
                    summary=view.preheader, content_html=template.render(email=view),
                    date=timestamp(last))
