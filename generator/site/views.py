"""Template-facing views: what themes may use, built once per paper from domain values.

Templates never see Paper or Topic. HTML in a view is already sanitised (``Markup``); every
other string is plain text that Jinja escapes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True)
class TopicRef:
    slug: str
    label: str
    url: str
    count: int
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagRef:
    slug: str
    url: str
    count: int


@dataclass(frozen=True)
class TopicLink:
    """A topic as a paper card or a group names it: without the paper count, so that a card
    and the pages showing it stay the same as papers join the topic."""

    slug: str
    label: str
    url: str


@dataclass(frozen=True)
class TagLink:
    """A tag as a paper card names it (without the count, as TopicLink)."""

    slug: str
    url: str


@dataclass(frozen=True)
class DigestRef:
    date: dt.date
    label: str  # "4 July 2026"
    url: str
    count: int  # papers shown in the issue
    key: str = ""  # "2026-07-04" or "2026-W27"
    total: int = 0  # papers of the period before the per-issue limit


@dataclass(frozen=True)
class RollupRef:
    """A week's or a month's rollup of the digest."""

    key: str  # "2026-W27" or "2026-07"
    kind: str  # "week" or "month"
    label: str  # "Week 27, 2026 (29 June – 5 July 2026)" or "July 2026"
    url: str
    count: int  # papers in the period


@dataclass(frozen=True)
class RollupLink:
    """A week or a month as another issue or rollup links it: without the count, so that the
    page linking it keeps its bytes as papers join the period."""

    key: str
    kind: str
    label: str
    url: str


@dataclass(frozen=True)
class Downloads:
    """Reference-manager files of a page's papers (BibTeX, RIS, CSL-JSON); None: not made."""

    bibtex: str | None = None
    ris: str | None = None
    csl_json: str | None = None


@dataclass(frozen=True)
class FeedRef:
    """One feed in its formats (absolute URLs; None: that format is off) and the page it
    follows."""

    title: str
    page_url: str  # absolute
    rss: str | None
    atom: str | None
    json: str | None
    kind: str  # site, digest, topic, tag

    @property
    def first(self) -> str:
        return self.rss or self.atom or self.json or self.page_url


@dataclass(frozen=True)
class SubscribeView:
    """A sign-up form posting to a newsletter service; ``hidden``: (name, value) pairs."""

    action: str
    email_field: str
    hidden: tuple[tuple[str, str], ...]
    text: str


@dataclass(frozen=True)
class PaperCard:
    """A paper as shown in lists."""

    slug: str
    url: str
    title_html: Markup
    title_text: str
    date: dt.date
    date_label: str
    authors_short: str  # "A, B, C et al."
    summary: str  # plain text, shortened
    topic: TopicLink | None
    tags: tuple[TagLink, ...]
    upvotes: int | None
    # ContextObject in SPAN (COinS): Zotero's connector offers every paper of a list page
    coins: str = ""
    # the paper's number in the filter index: its place counted from the oldest paper, so
    # adding newer papers leaves it alone (generator/filters)
    pid: int = 0


@dataclass(frozen=True)
class PaperView:
    """A paper on its own page."""

    card: PaperCard
    abstract_html: Markup
    description: str  # plain text for <meta name=description>
    absolute_url: str
    authors: tuple[str, ...]
    links: tuple[Link, ...]
    arxiv: str | None
    doi: str | None
    submitted_by: str | None
    thumbnail: str | None
    digest: DigestRef
    related: tuple[PaperCard, ...]
    scholarly: ScholarlyMeta | None = None
    comment: str | None = None
    journal_ref: str | None = None
    downloads: Downloads | None = None


@dataclass(frozen=True)
class TopicGroup:
    """Papers of one topic inside a digest or on the home page."""

    topic: TopicLink | None
    papers: tuple[PaperCard, ...]


@dataclass(frozen=True)
class Pagination:
    """A page of the archive. Pages are numbered from the oldest papers, so a numbered page
    keeps its papers and links as papers are added; the newest page (``archive/``) has the
    highest number and holds the papers newer than the last numbered page."""

    number: int
    prev_url: str | None  # the next newer page
    next_url: str | None  # the next older page
    newest: bool = False


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str  # the section it leads to: pages whose ``page.section`` equals it are current


@dataclass(frozen=True)
class SiteLinks:
    """The site's fixed pages by name, so templates never count positions in ``site.nav``."""

    home: str
    topics: str
    tags: str
    digests: str
    archive: str
    search: str | None  # None: search is switched off
    feeds_page: str | None = None  # the page listing every feed; None: every feed is off
    opml: str | None = None  # every feed in one OPML file
    for_you: str | None = None  # the page ranking papers by the reader's stars


@dataclass(frozen=True)
class FeedLinks:
    """One listing's feeds (the site, a topic, a tag): None for a format switched off."""

    title: str
    rss: str | None
    atom: str | None


@dataclass(frozen=True)
class SiteView:
    title: str
    description: str
    language: str
    base_url: str
    base_path: str
    home_url: str
    links: SiteLinks
    nav: tuple[NavItem, ...]
    feeds: FeedLinks | None  # the whole site's feeds; None: RSS and Atom are off
    search_url: str | None = None  # None: search is switched off
    search_script: str | None = None  # Pagefind's module, when search is on
    subscribe: SubscribeView | None = None
    filters_url: str | None = None  # the folder of the filter index (generator/filters)
    ranking_url: str | None = None  # the folder of the ranking vectors (generator/ranking)


@dataclass(frozen=True)
class PageMeta:
    kind: str  # home, paper, topic, topics, tag, tags, digest, digests, archive, search, 404
    title: str
    description: str
    url: str  # root-relative
    canonical: str  # absolute
    section: str | None = None  # the NavItem.key this page belongs under (aria-current)
    feeds: FeedLinks | None = None  # the feeds of this very listing (home, a topic, a tag)


@dataclass(frozen=True)
class MetaTag:
    """One ``<meta>``: ``attr`` is "name" or "property" (Open Graph); content is plain text."""

    attr: str
    key: str
    content: str


@dataclass(frozen=True)
class ScholarlyMeta:
    """Citation metadata of a paper page (see generator/site/scholarly.py)."""

    tags: tuple[MetaTag, ...]
    json_ld: Markup  # JSON, already safe inside <script type="application/ld+json">
    bibtex: str  # plain text


# Views the plan makes once and shows on many pages: digested once per build (render/reuse.py)
SHARED_VIEWS = (PaperCard, TopicRef, TagRef, DigestRef, RollupRef, RollupLink, SiteView)
