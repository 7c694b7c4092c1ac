"""The digest feed: one item per issue holding the whole issue, for RSS-to-email services.

Buttondown and Mailchimp RSS campaigns mail an item's ``content:encoded``; here that is the
theme's ``email/issue_feed.html`` with every paper of the issue and absolute links.
"""

from __future__ import annotations

from typing import Any

import jinja2

from generator import urls
from generator.config import SiteConfig
from generator.dates import timestamp
from generator.feeds.site_feeds import write_feed_set
from generator.feeds.writers import FeedItem, FeedMeta
from generator.mail.issue_email import EmailView, ViewMemo, issue_view
from generator.models import OutputFile
from generator.site import Issue, SiteModel

DIGEST_FEED_DIR = urls.digests_index()  # digests/feed.xml, digests/atom.xml, digests/feed.json


TEMPLATE = "email/issue_feed.html"
# (what the feed was made from, its files) and issue key -> (what its item was made from,
# the item); kept by paperboy serve
DigestFeedMemo = dict[str, tuple[object, Any]]
_FILES = "\0files"


def render_digest_feed(config: SiteConfig, model: SiteModel, env: jinja2.Environment,
                       memo: DigestFeedMemo | None = None, template_print: str = "",
                       views: ViewMemo | None = None) -> list[OutputFile]:
    """With ``memo`` (and ``template_print``, a fingerprint of the item template), an issue
    whose view is the same object as last time keeps its item, and unchanged items keep the
    files."""
    template = env.get_template(TEMPLATE)
    items, fresh = [], {}
    for issue in model.issues[: config.feeds.items]:
        view = issue_view(config, model, issue, views)
        inputs = (config, issue, view)
        hit = memo.get(issue.key) if memo is not None else None
        if hit is not None and hit[0][0] == template_print and all(
                a is b for a, b in zip(hit[0][1], inputs, strict=True)):
            item = hit[1]
        else:
            item = _item(config, template, issue, view)
        fresh[issue.key] = ((template_print, inputs), item)
        items.append(item)
    meta = FeedMeta(f"{config.title}: digest", config.description,
                    model.urls.absolute(DIGEST_FEED_DIR), config.language, config.title)
    if memo is None:
        return write_feed_set(config, DIGEST_FEED_DIR, meta, items)
    inputs = (config, meta, tuple(items))
    hit = memo.get(_FILES)
    files = hit[1] if hit is not None and hit[0] == inputs else write_feed_set(
        config, DIGEST_FEED_DIR, meta, items)
    memo.clear()
    memo.update(fresh)
    memo[_FILES] = (inputs, files)
    return files


def _item(config: SiteConfig, template: jinja2.Template, issue: Issue,
          view: EmailView) -> FeedItem:
    last = max((p.date for p in issue.papers), default=issue.end)
    return FeedItem(guid=view.web_url, url=view.web_url, title=f"{config.title}: {issue.label}",
                    summary=view.preheader, content_html=template.render(email=view),
                    date=timestamp(last))
