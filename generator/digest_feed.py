"""The digest feed: one item per issue holding the whole issue, for RSS-to-email services.

Buttondown and Mailchimp RSS campaigns mail an item's ``content:encoded``; here that is the
theme's ``email/issue_feed.html`` with every paper of the issue and absolute links.
"""

from __future__ import annotations

import jinja2

from generator import urls
from generator.config import SiteConfig
from generator.email_issue import email_view
from generator.feed_writers import FeedItem, FeedMeta, timestamp
from generator.feeds import write_feed_set
from generator.issues import Issue
from generator.render import OutputFile
from generator.site import SiteModel

DIGEST_FEED_DIR = urls.digests_index()  # digests/feed.xml, digests/atom.xml, digests/feed.json


def render_digest_feed(config: SiteConfig, model: SiteModel,
                       env: jinja2.Environment) -> list[OutputFile]:
    template = env.get_template("email/issue_feed.html")
    items = [_item(config, model, template, issue) for issue in model.issues[: config.feeds.items]]
    meta = FeedMeta(f"{config.title}: digest", config.description,
                    model.urls.absolute(DIGEST_FEED_DIR), config.language, config.title)
    return write_feed_set(config, DIGEST_FEED_DIR, meta, items)


def _item(config: SiteConfig, model: SiteModel, template: jinja2.Template,
          issue: Issue) -> FeedItem:
    view = email_view(config, model, issue, issue.papers)
    last = max((p.date for p in issue.papers), default=issue.end)
    return FeedItem(guid=view.web_url, url=view.web_url, title=f"{config.title}: {issue.label}",
                    summary=view.preheader, content_html=template.render(email=view),
                    date=timestamp(last))
