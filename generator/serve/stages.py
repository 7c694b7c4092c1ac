"""The site-wide files of a rebuild (feeds, sitemap, digest feed, e-mails) through the same
stage functions as a full build, each wrapped in a typed memo keyed by what it is made from.

At 10k papers there are hundreds of feed sets and a few hundred issue e-mails: serialising
and inlining them all again after every save would cost seconds. Inputs are compared by
identity where the stages before hand the same objects on for what did not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field

import jinja2

from generator.config import SiteConfig
from generator.feeds.digest import TEMPLATE as DIGEST_TEMPLATE
from generator.feeds.digest import digest_feed_set, digest_item
from generator.feeds.site_feeds import feed_sets, paper_item, render_feed_set, render_sitemap
from generator.feeds.writers import FeedItem
from generator.mail.issue_email import TEMPLATES as EMAIL_TEMPLATES
from generator.mail.issue_email import EmailView, email_view, issue_files
from generator.models import OutputFile, Paper
from generator.pipeline import fixed_files, reader_files
from generator.render import Asset, template_fingerprints
from generator.serve.memo import Memo, same_objects
from generator.site import Issue, SiteModel


@dataclass
class SiteFileMemos:
    """One memo per stage whose output serve reuses between saves."""

    paper_items: Memo[FeedItem] = field(default_factory=lambda: Memo(same_objects))
    feed_sets: Memo[list[OutputFile]] = field(default_factory=Memo)
    sitemap: Memo[list[OutputFile]] = field(default_factory=Memo)
    issue_views: Memo[EmailView] = field(default_factory=lambda: Memo(same_objects))
    digest_items: Memo[FeedItem] = field(default_factory=lambda: Memo(same_objects))
    digest_feed: Memo[list[OutputFile]] = field(default_factory=Memo)
    emails: Memo[list[OutputFile]] = field(default_factory=Memo)

    def all(self) -> tuple[Memo, ...]:
        return (self.paper_items, self.feed_sets, self.sitemap, self.issue_views,
                self.digest_items, self.digest_feed, self.emails)


def feed_files(memos: SiteFileMemos, config: SiteConfig, model: SiteModel) -> list[OutputFile]:
    """feeds.render_feeds, reusing items of unchanged papers and files of unchanged sets."""

    made: dict[str, FeedItem] = {}  # a paper is in several feeds: ask the memo once

    def item_of(paper: Paper) -> FeedItem:
        item = made.get(paper.slug)
        if item is None:
            inputs = (paper, model.cards[paper.slug], model.urls)
            item = made[paper.slug] = memos.paper_items.get(
                paper.slug, inputs, lambda: paper_item(model, paper))
        return item

    files = []
    for feed in feed_sets(config, model, item_of):
        inputs = (config.base_url, config.feeds, feed)
        files += memos.feed_sets.get(feed.route, inputs, lambda f=feed: render_feed_set(config, f))
    return files


def sitemap_files(memos: SiteFileMemos, model: SiteModel) -> list[OutputFile]:
    inputs = (model.urls, tuple(r.route for r in model.routes),
              tuple(card.date for card in model.cards.values()))
    return memos.sitemap.get("sitemap", inputs, lambda: render_sitemap(model))


def _issue_view(memos: SiteFileMemos, config: SiteConfig, model: SiteModel,
                issue: Issue) -> EmailView:
    inputs = (issue, config, model.urls, *(model.cards[p.slug] for p in issue.papers))
    return memos.issue_views.get(issue.key, inputs,
                                 lambda: email_view(config, model, issue, issue.papers))


def digest_feed_files(memos: SiteFileMemos, config: SiteConfig, model: SiteModel,
                      env: jinja2.Environment, template_print: str) -> list[OutputFile]:
    """feeds.render_digest_feed, reusing the items of issues whose view did not change."""
    template = env.get_template(DIGEST_TEMPLATE)
    items = []
    for issue in model.issues[: config.feeds.items]:
        view = _issue_view(memos, config, model, issue)
        items.append(memos.digest_items.get(
            (issue.key, template_print), (config, issue, view),
            lambda issue=issue, view=view: digest_item(config, template, issue, view)))
    feed = digest_feed_set(config, model, tuple(items))
    return memos.digest_feed.get("digest", (config, feed),
                                 lambda: render_feed_set(config, feed))


def email_files(memos: SiteFileMemos, config: SiteConfig, model: SiteModel,
                env: jinja2.Environment, templates_print: str) -> list[OutputFile]:
    """mail.render_issue_emails, reusing the files of issues whose inputs did not change."""
    files = []
    for issue in model.issues:
        inputs = (templates_print, config, tuple(p.date for p in issue.papers), issue.end,
                  _issue_view(memos, config, model, issue))
        files += memos.emails.get(issue.key, inputs,
                                  lambda issue=issue: issue_files(config, model, env, issue))
    return files


def site_files(memos: SiteFileMemos, config: SiteConfig, model: SiteModel,
               env: jinja2.Environment, assets: Mapping[str, Asset]) -> list[OutputFile]:
    """What pipeline.site_files makes, in the same order, through the memos."""
    with ExitStack() as runs:
        for memo in memos.all():
            runs.enter_context(memo.run())
        files = [*feed_files(memos, config, model), *sitemap_files(memos, model)]
        prints = template_fingerprints(env, (DIGEST_TEMPLATE, *EMAIL_TEMPLATES), assets)
        if config.feeds.digest:
            files += digest_feed_files(memos, config, model, env, prints[DIGEST_TEMPLATE])
        if config.digest.email:
            files += email_files(memos, config, model, env,
                                 "\n".join(prints[name] for name in EMAIL_TEMPLATES))
        files += reader_files(config, model, None)
        files += fixed_files(config, model, assets)
    return files
