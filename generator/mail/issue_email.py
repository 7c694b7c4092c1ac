"""E-mail edition of each digest issue: inlined HTML, plain text and the .eml holding both.

HTML goes through the theme's ``email/issue.html`` (autoescaped) and then css-inline, so every
style is an attribute, as mail clients need. An issue too big for Gmail (it clips messages over
102 KB of HTML) lists its top papers and links "N more on the site".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import css_inline
import jinja2

from generator import urls
from generator.config import SiteConfig
from generator.mail.message import build_message
from generator.models import OutputFile, Paper
from generator.site import Issue, Link, SiteModel, paper_links
from generator.workers import map_forked

GMAIL_CLIP_BYTES = 102_000  # "102 KB"; the decimal reading is the stricter one
HTML_BUDGET = 100_000  # a margin under the clip for what a sending service adds
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class EmailPaper:
    title: str
    url: str
    authors: str
    summary: str
    upvotes: int | None
    links: tuple[Link, ...]


@dataclass(frozen=True)
class EmailGroup:
    label: str
    url: str | None
    papers: tuple[EmailPaper, ...]


@dataclass(frozen=True)
class EmailView:
    """Everything the e-mail templates see: plain text (escaped by Jinja) and absolute URLs."""

    language: str
    site_title: str
    home_url: str
    issue_label: str
    title: str  # for <title>: no "<", since HTML serialisers write title text raw
    subject: str
    preheader: str
    intro: str
    web_url: str
    unsubscribe_url: str | None
    groups: tuple[EmailGroup, ...]
    more: int  # papers of the period not listed in the e-mail


@dataclass(frozen=True)
class IssueEmail:
    key: str
    html: str
    text: str
    view: EmailView


TEMPLATES = ("email/issue.html", "email/issue.txt")


def issue_view(config: SiteConfig, model: SiteModel, issue: Issue) -> EmailView:
    """The view of a whole issue (the digest feed's item shows it)."""
    return email_view(config, model, issue, issue.papers)


def render_issue_emails(config: SiteConfig, model: SiteModel,
                        env: jinja2.Environment) -> list[OutputFile]:
    """``digests/<issue>/email.html``, ``email.txt`` and ``email.eml`` for every issue, on
    every core: each issue is independent and inlining CSS is costly."""
    return [file for files in map_forked(lambda issue: issue_files(config, model, env, issue),
                                         model.issues) for file in files]


def render_emails_of(config: SiteConfig, model: SiteModel, env: jinja2.Environment,
                     issues: Sequence[Issue]) -> list[list[OutputFile]]:
    """The e-mail files of ``issues`` only, one list per issue (on every core)."""
    return map_forked(lambda issue: issue_files(config, model, env, issue), issues)


def email_inputs(model: SiteModel, issue: Issue) -> tuple[object, ...]:
    """What an issue's e-mail files are a function of besides the configuration and the
    e-mail templates: the issue (its papers, in rank order) and the cards of its papers
    (email_view and _groups read them). Keep in step with them."""
    return issue, tuple(model.cards[p.slug] for p in issue.papers)


def issue_files(config: SiteConfig, model: SiteModel, env: jinja2.Environment,
                issue: Issue) -> list[OutputFile]:
    mail = render_issue_email(config, model, env, issue)
    folder = urls.issue(issue.key)
    message = build_message(config, issue, mail.view.subject, mail.html, mail.text)
    return [OutputFile(PurePosixPath(folder + "email.html"), mail.html.encode("utf-8")),
            OutputFile(PurePosixPath(folder + "email.txt"), mail.text.encode("utf-8")),
            OutputFile(PurePosixPath(folder + "email.eml"), message)]


def render_issue_email(config: SiteConfig, model: SiteModel, env: jinja2.Environment,
                       issue: Issue) -> IssueEmail:
    """The largest top-of-issue selection whose inlined HTML fits under HTML_BUDGET."""
    html_template, text_template = (env.get_template(name) for name in TEMPLATES)

    def attempt(count: int) -> tuple[EmailView, str]:
        view = email_view(config, model, issue, issue.papers[:count])
        return view, _INLINER.inline(html_template.render(email=view))

    def finished(best: tuple[EmailView, str]) -> IssueEmail:
        # Only the HTML size decides the selection: the text is rendered once, for the winner.
        return IssueEmail(issue.key, best[1], text_template.render(email=best[0]), best[0])

    best = attempt(len(issue.papers))
    if _size(best[1]) <= HTML_BUDGET:
        return finished(best)
    low, high = 0, len(issue.papers) - 1  # invariant: attempt(low) fits or low == 0
    best = attempt(0)
    while low < high:
        middle = (low + high + 1) // 2
        candidate = attempt(middle)
        if _size(candidate[1]) <= HTML_BUDGET:
            low, best = middle, candidate
        else:
            high = middle - 1
    return finished(best)


def _size(html: str) -> int:
    return len(html.encode("utf-8"))


def email_view(config: SiteConfig, model: SiteModel, issue: Issue,
               papers: Sequence[Paper]) -> EmailView:
    """``papers`` is a ranked prefix of the issue; they are shown grouped by topic."""
    link = model.urls
    web_url = link.absolute(urls.issue(issue.key))
    count = len(papers)
    intro = (f"{count} paper{'s' if count != 1 else ''}, grouped by topic, most upvoted first."
             if count == issue.total else
             f"The top {count} of {issue.total} papers, grouped by topic, most upvoted first.")
    top = ", ".join(model.cards[p.slug].title_text for p in papers[:3])
    return EmailView(
        language=config.language, site_title=config.title, home_url=config.base_url,
        issue_label=issue.label, title=re.sub(r"[<>&]", "", f"{config.title}: {issue.label}"),
        subject=email_subject(config, issue, model),
        preheader=_clip(f"{issue.total} papers. {top}", 150), intro=intro, web_url=web_url,
        unsubscribe_url=next((u for u in config.smtp.list_unsubscribe
                              if u.startswith("http")), None),
        groups=_groups(model, papers), more=issue.total - count)


def email_subject(config: SiteConfig, issue: Issue, model: SiteModel) -> str:
    """Raw text; mail_headers.header_text flattens it before it becomes a header."""
    if not issue.papers:
        return f"{config.title}: {issue.label}"
    top = model.cards[issue.papers[0].slug].title_text
    others = issue.total - 1
    tail = f" and {others} more" if others else ""
    return f"{config.title}, {issue.label}: {_clip(top, 80)}{tail}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _groups(model: SiteModel, papers: Sequence[Paper]) -> tuple[EmailGroup, ...]:
    """Topics in order of size, then label; papers keep their ranked order inside a topic."""
    groups: dict[str, list[EmailPaper]] = defaultdict(list)
    where: dict[str, tuple[str, str | None]] = {}
    for paper in papers:
        card = model.cards[paper.slug]
        key = card.topic.slug if card.topic else ""
        where[key] = ((card.topic.label, model.urls.absolute(urls.topic(card.topic.slug)))
                      if card.topic else ("Other papers", None))
        groups[key].append(EmailPaper(
            title=card.title_text, url=model.urls.absolute(urls.paper(paper.slug)),
            authors=card.authors_short, summary=card.summary, upvotes=card.upvotes,
            links=paper_links(paper)))
    order = sorted(groups, key=lambda k: (-len(groups[k]), k == "", where[k][0]))
    return tuple(EmailGroup(where[k][0], where[k][1], tuple(groups[k])) for k in order)
