"""plan_site(): papers + topics -> the views and the list of pages to render.

Pure: no I/O and no Jinja. Work is linear in the number of papers: each paper's card is built
once and shared by every list that shows it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any, TypeVar

from markupsafe import Markup

from generator import urls
from generator.config import SiteConfig
from generator.markup import plain_text, render_abstract, render_title
from generator.models import Paper, TopicModel
from generator.site.issues import Issue, issue_key, plan_issues
from generator.site.rollups import Rollup, month_key, plan_calendar, plan_rollups
from generator.site.scholarly import CitationSource, coins, scholarly_meta
from generator.site.views import (
    DigestRef,
    Downloads,
    FeedLinks,
    FeedRef,
    Link,
    NavItem,
    PageMeta,
    Pagination,
    PaperCard,
    PaperView,
    RollupLink,
    RollupRef,
    SiteLinks,
    SiteView,
    SubscribeView,
    TagLink,
    TagRef,
    TopicGroup,
    TopicLink,
    TopicRef,
)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
SUMMARY_CHARS = 280
HOME_OLDER_DIGESTS = 30
# page kind -> the navigation section it is shown under (aria-current); others are in none
SECTIONS = {"home": "home", "topics": "topics", "topic": "topics", "tags": "tags", "tag": "tags",
            "digests": "digests", "digest": "digests", "rollup": "digests", "archive": "archive"}


class LazyContext(Mapping[str, Any]):
    """A page context built whenever it is read and never kept, so that the plan of a large
    site does not hold every page's view at once: each render worker builds the contexts of its
    own pages (Route.page_context) and drops them with the page."""

    __slots__ = ("_build", "inputs")

    def __init__(self, build: Callable[[], Mapping[str, Any]],
                 inputs: tuple[Any, ...] | None = None) -> None:
        """``inputs``: every value the built context is a function of besides the site
        configuration (and the planner's code), so that a page can be keyed without building
        its context (render/reuse.py)."""
        self._build = build
        self.inputs = inputs

    def build(self) -> Mapping[str, Any]:
        return self._build()

    def __getitem__(self, key: str) -> Any:
        return self._build()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())


@dataclass(frozen=True)
class Route:
    """One page to render: where it goes, with which template and what context."""

    route: str
    template: str
    context: Mapping[str, Any]  # a LazyContext for paper pages when planned with lazy=True

    def page_context(self) -> Mapping[str, Any]:
        """The context to render with, built now if it is lazy (built once per call)."""
        return self.context.build() if isinstance(self.context, LazyContext) else self.context

    def key_values(self) -> Any | None:
        """What the page's bytes are a function of besides its template and the site
        configuration: a lazy context's declared inputs, or else the context itself; None
        for a lazy context without declared inputs (build it to know)."""
        if isinstance(self.context, LazyContext):
            return None if self.context.inputs is None else ("inputs", self.context.inputs)
        return self.context


@dataclass(frozen=True)
class SiteModel:
    site: SiteView
    urls: urls.Urls
    papers: tuple[Paper, ...]  # newest first
    cards: Mapping[str, PaperCard]
    topics: tuple[TopicRef, ...]
    tags: tuple[TagRef, ...]
    digests: tuple[DigestRef, ...]  # newest first
    routes: tuple[Route, ...]
    issues: tuple[Issue, ...] = ()  # newest first, same order as ``digests``
    rollups: tuple[Rollup, ...] = ()  # weeks newest first, then months newest first
    term_rows: object | None = field(default=None, compare=False, repr=False)  # TopicModel's


def date_label(date: dt.date) -> str:
    """Locale-independent, so builds are identical on every machine."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def plan_site(config: SiteConfig, papers: Sequence[Paper], topic_model: TopicModel, *,
              lazy: bool = False) -> SiteModel:
    """``lazy``: paper pages get a LazyContext (same values, built when rendered) instead of a
    context built now; for a full build, where each page is rendered once."""
    return planner_for(config, papers, topic_model, lazy=lazy).site_model()


def planner_for(config: SiteConfig, papers: Sequence[Paper],
                topic_model: TopicModel, *, lazy: bool = False) -> Planner:
    """The planner of a whole site: ``.site_model()`` plans every page."""
    link = urls.Urls(config.base_url)
    papers = tuple(sorted(papers, key=lambda p: (-p.date.toordinal(), p.slug)))
    topic_refs = _topic_refs(topic_model, link, config.topics.renames)
    tag_refs = tag_refs_of(papers, link)
    issues = plan_issues(papers, config.digest.period, config.digest.limit)
    digests = _digest_refs(issues, link)
    cards = {p.slug: card_of(p, link, topic_refs, tag_refs, topic_model, len(papers) - 1 - i)
             for i, p in enumerate(papers)}
    site = _site_view(config, link)
    return Planner(config, link, site, papers, cards, topic_model, topic_refs, tag_refs, digests,
                   issues, lazy, plan_rollups(papers, config.digest.period))


def _site_view(config: SiteConfig, link: urls.Urls) -> SiteView:
    search = link.link(urls.search()) if config.search.enabled else None
    links = SiteLinks(home=link.link(urls.home()), topics=link.link(urls.topics_index()),
                      tags=link.link(urls.tags_index()), digests=link.link(urls.digests_index()),
                      archive=link.link(urls.archive()), search=search,
                      feeds_page=link.link(urls.feeds_index()) if _any_feed(config) else None,
                      opml=link.link(urls.OPML) if _any_feed(config) else None,
                      for_you=link.link(urls.for_you()) if config.topics.enabled else None)
    nav = (NavItem("Latest", links.home, "home"), NavItem("Topics", links.topics, "topics"),
           NavItem("Tags", links.tags, "tags"), NavItem("Digests", links.digests, "digests"),
           NavItem("Archive", links.archive, "archive"))
    return SiteView(
        title=config.title, description=config.description, language=config.language,
        base_url=config.base_url, base_path=link.base_path, home_url=links.home, links=links,
        nav=nav, feeds=feed_links(config, link, urls.home(), config.title),
        search_url=search,
        search_script=link.link(urls.SEARCH_SCRIPT) if config.search.enabled else None,
        subscribe=_subscribe_view(config),
        filters_url=link.link("filters/"),
        ranking_url=link.link("ranking/") if config.topics.enabled else None,
    )


def feed_links(config: SiteConfig, link: urls.Urls, route: str, title: str) -> FeedLinks | None:
    """The RSS and Atom links of the listing at ``route``; None when both are off."""
    if not (config.feeds.rss or config.feeds.atom):
        return None
    return FeedLinks(title, link.link(route + urls.RSS_FILE) if config.feeds.rss else None,
                     link.link(route + urls.ATOM_FILE) if config.feeds.atom else None)


def _any_feed(config: SiteConfig) -> bool:
    return config.feeds.rss or config.feeds.atom or config.feeds.json


def _subscribe_view(config: SiteConfig) -> SubscribeView | None:
    form = config.subscribe
    if not form.action:
        return None
    return SubscribeView(form.action, form.email_field, tuple(form.hidden.items()), form.text)


def _topic_refs(model: TopicModel, link: urls.Urls,
                renames: Mapping[str, str]) -> dict[str, TopicRef]:
    return {
        t.slug: TopicRef(t.slug, renames.get(t.slug, t.label), link.link(urls.topic(t.slug)),
                         len(t.papers), t.terms)
        for t in model.topics
    }


def tag_refs_of(papers: Sequence[Paper], link: urls.Urls) -> dict[str, TagRef]:
    counts: dict[str, int] = defaultdict(int)
    for paper in papers:
        for tag in paper.tags:
            counts[tag] += 1
    return {tag: TagRef(tag, link.link(urls.tag(tag)), counts[tag]) for tag in sorted(counts)}


def _digest_refs(issues: Sequence[Issue], link: urls.Urls) -> tuple[DigestRef, ...]:
    return tuple(DigestRef(i.start, i.label, link.link(urls.issue(i.key)), len(i.papers),
                           key=i.key, total=i.total) for i in issues)


def feed_refs(config: SiteConfig, link: urls.Urls, topics: Sequence[TopicRef],
              tags: Sequence[TagRef]) -> tuple[FeedRef, ...]:
    """Every feed the build writes, in the order of the feeds page and the OPML file."""
    feeds = config.feeds

    def ref(title: str, route: str, kind: str) -> FeedRef:
        at = link.absolute
        return FeedRef(title, at(route), at(route + "feed.xml") if feeds.rss else None,
                       at(route + "atom.xml") if feeds.atom else None,
                       at(route + "feed.json") if feeds.json else None, kind)

    if not _any_feed(config):
        return ()
    result = [ref(config.title, urls.home(), "site")]
    if feeds.digest:
        result.append(ref(f"{config.title}: digest issues", urls.digests_index(), "digest"))
    if feeds.topics:
        result += [ref(f"{config.title}: {t.label}", urls.topic(t.slug), "topic") for t in topics]
    if feeds.tags:
        result += [ref(f"{config.title}: #{t.slug}", urls.tag(t.slug), "tag") for t in tags]
    return tuple(result)


def card_of(paper: Paper, link: urls.Urls, topics: Mapping[str, TopicRef],
            tags: Mapping[str, TagRef], model: TopicModel, pid: int = 0) -> PaperCard:
    """``pid``: the paper's number in the filter index (see paper_ids)."""
    topic_slug = model.topic_of.get(paper.slug)
    title_text = plain_text(paper.title)
    url = urls.arxiv_abs(paper.arxiv) if paper.arxiv else link.absolute(urls.paper(paper.slug))
    topic = topics.get(topic_slug) if topic_slug else None
    return PaperCard(
        slug=paper.slug, url=link.link(urls.paper(paper.slug)),
        title_html=Markup(render_title(paper.title)), title_text=title_text,
        date=paper.date, date_label=date_label(paper.date),
        authors_short=_authors_short(paper.authors), summary=_shorten(plain_text(paper.abstract)),
        topic=topic_link(topic) if topic else None,
        tags=tuple(TagLink(tags[t].slug, tags[t].url) for t in paper.tags),
        upvotes=paper.upvotes,
        coins=coins(title_text, paper.authors, paper.date.isoformat(), url, doi=paper.doi,
                    arxiv=paper.arxiv),
        pid=pid,
    )


def topic_link(ref: TopicRef) -> TopicLink:
    return TopicLink(ref.slug, ref.label, ref.url)


def _authors_short(authors: Sequence[str]) -> str:
    if len(authors) <= 3:
        return ", ".join(authors)
    return ", ".join(authors[:3]) + " et al."


def _shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + "…"


def paper_links(paper: Paper) -> tuple[Link, ...]:
    links: list[Link] = []
    if paper.arxiv:
        links.append(Link("arXiv", urls.arxiv_abs(paper.arxiv, paper.arxiv_version)))
        links.append(Link("PDF", urls.arxiv_pdf(paper.arxiv, paper.arxiv_version)))
    if paper.pdf and not paper.arxiv:
        links.append(Link("PDF", paper.pdf))
    elif paper.pdf:
        links.append(Link("Publisher PDF", paper.pdf))
    if paper.doi:
        links.append(Link("DOI", urls.doi_url(paper.doi)))
    for label, href in (("Paper page", paper.url), ("Code", paper.code),
                        ("Project page", paper.project)):
        if href:
            links.append(Link(label, href))
    return tuple(links)


def citation_source(paper: Paper, card: PaperCard, link: urls.Urls,
                    config: SiteConfig) -> CitationSource:
    """What the citation formats of a paper (meta tags, BibTeX, RIS, CSL-JSON) are made from."""
    return CitationSource(
        title=card.title_text, authors=paper.authors,
        description=_shorten(plain_text(paper.abstract), 300),
        abstract=plain_text(paper.abstract), date_iso=paper.date.isoformat(),
        url=link.absolute(urls.paper(paper.slug)), site_title=config.title,
        language=config.language, arxiv=paper.arxiv,
        arxiv_url=urls.arxiv_abs(paper.arxiv, paper.arxiv_version) if paper.arxiv else None,
        pdf_url=(urls.arxiv_pdf(paper.arxiv, paper.arxiv_version) if paper.arxiv
                 else paper.pdf),
        doi=paper.doi, doi_url=urls.doi_url(paper.doi) if paper.doi else None,
        image=paper.thumbnail, keywords=paper.tags,
        topic=card.topic.label if card.topic else None,
    )


class Planner:
    """Builds every Route; holds the shared lookups so each method stays small. Each page has
    its own method, so that delta.py can re-plan only the pages an edit reaches."""

    def __init__(self, config: SiteConfig, link: urls.Urls, site: SiteView,
                 papers: tuple[Paper, ...], cards: Mapping[str, PaperCard], model: TopicModel,
                 topics: Mapping[str, TopicRef], tags: Mapping[str, TagRef],
                 digests: tuple[DigestRef, ...], issues: tuple[Issue, ...],
                 lazy: bool = False, rollups: tuple[Rollup, ...] = ()) -> None:
        self.config, self.link, self.site = config, link, site
        self.papers, self.cards, self.model = papers, cards, model
        self.topics, self.tags, self.digests = topics, tags, digests
        self.digest_of = {d.key: d for d in digests}
        self.issues = issues
        self.rollups = rollups
        self.rollup_refs = {(r.kind, r.key): RollupRef(r.key, r.kind, r.label,
                                                       link.link(urls.issue(r.key)), len(r.slugs))
                            for r in rollups}
        # what an issue or another rollup links: no count, which changes as papers arrive
        self.rollup_links = {at: RollupLink(r.key, r.kind, r.label, r.url)
                             for at, r in self.rollup_refs.items()}
        self.points: list | None = None  # topic map points, made when a map is drawn
        # topic index (None: the topics page) -> (its map, the slugs drawn as dots)
        self.maps: dict[int | None, tuple[Markup, frozenset[str]]] = {}
        self.lazy = lazy
        # Lazy (a full build): each paper page is built once, in a render worker, so the
        # memoised forms (kept for serve, which re-plans every page) would only grow the worker.
        self.render_abstract = render_abstract.__wrapped__ if lazy else render_abstract
        self.scholarly_meta = scholarly_meta.__wrapped__ if lazy else scholarly_meta

    def site_model(self) -> SiteModel:
        return SiteModel(self.site, self.link, self.papers, MappingProxyType(self.cards),
                         tuple(self.topics.values()), tuple(self.tags.values()), self.digests,
                         self.routes(), self.issues, self.rollups, self.model.term_rows)

    def routes(self) -> tuple[Route, ...]:
        return (
            self.home(),
            *(self.paper_page(paper) for paper in self.papers),
            self.topics_index(),
            *(route for index in range(len(self.model.topics))
              for route in self.topic_pages(index)),
            self.tags_index(),
            *self._tag_pages(),
            self.digests_index(),
            *(self.digest_page(index) for index in range(len(self.issues))),
            *(self.rollup_page(index) for index in range(len(self.rollups))),
            *(self.archive_page(number) for number in range(self.archive_total(), 0, -1)),
            self._page("404.html", "404.html", "404", "Page not found", {}),
            *self._search_pages(),
            *self._feeds_pages(),
            *self._for_you_pages(),
        )

    def _page(self, route: str, template: str, kind: str, title: str,
              extra: Mapping[str, Any], description: str = "",
              feeds: FeedLinks | None = None) -> Route:
        meta = PageMeta(kind, title, description or self.config.description,
                        self.link.link(route), self.link.absolute(route), SECTIONS.get(kind),
                        feeds)
        return Route(route, template, MappingProxyType({"site": self.site, "page": meta, **extra}))

    def _group_by_topic(self, papers: Sequence[Paper]) -> tuple[TopicGroup, ...]:
        groups: dict[str | None, list[PaperCard]] = defaultdict(list)
        for paper in sorted(papers, key=lambda p: (-(p.upvotes or 0), p.slug)):
            groups[self.model.topic_of.get(paper.slug)].append(self.cards[paper.slug])
        order = sorted(groups, key=lambda s: (-len(groups[s]), s is None,
                                              self.topics[s].label if s else ""))
        return tuple(TopicGroup(topic_link(self.topics[s]) if s else None, tuple(groups[s]))
                     for s in order)

    def home(self) -> Route:
        latest = self.digests[0] if self.digests else None
        groups = self._group_by_topic(self.issues[0].papers) if latest else ()
        context = {"digest": latest, "groups": groups,
                   "older_digests": self.digests[1:1 + HOME_OLDER_DIGESTS],
                   "archive_url": self.link.link(urls.archive())}
        return self._page(urls.home(), "index.html", "home", self.config.title, context)

    def paper_page(self, paper: Paper) -> Route:
        if self.lazy:
            return Route(urls.paper(paper.slug), "paper.html",
                         LazyContext(partial(self._paper_context, paper),
                                     self._paper_inputs(paper)))
        return self._eager_paper_page(paper)

    def _paper_inputs(self, paper: Paper) -> tuple[Any, ...]:
        """Everything _paper_view and _page read for this paper, besides the configuration
        (link and config are made from it): keep the two in step."""
        return (self.site, paper, self.cards[paper.slug], self._related_cards(paper),
                self.digest_of[issue_key(paper.date, self.config.digest.period)])

    def _related_cards(self, paper: Paper) -> tuple[PaperCard, ...]:
        return tuple(self.cards[s] for s in self.model.related.get(paper.slug, ())
                     if s in self.cards)

    def _eager_paper_page(self, paper: Paper) -> Route:
        view = self._paper_view(paper)
        return self._page(urls.paper(paper.slug), "paper.html", "paper", view.card.title_text,
                          {"paper": view}, view.description)

    def _paper_context(self, paper: Paper) -> Mapping[str, Any]:
        return self._eager_paper_page(paper).context

    def _paper_view(self, paper: Paper) -> PaperView:
        card = self.cards[paper.slug]
        related = self._related_cards(paper)
        return PaperView(
            card=card, abstract_html=Markup(self.render_abstract(paper.abstract)),
            description=_shorten(plain_text(paper.abstract), 300),
            absolute_url=self.link.absolute(urls.paper(paper.slug)), authors=paper.authors,
            links=paper_links(paper), arxiv=paper.arxiv, doi=paper.doi,
            submitted_by=paper.submitted_by, thumbnail=paper.thumbnail,
            digest=self.digest_of[issue_key(paper.date, self.config.digest.period)],
            related=related,
            scholarly=self.scholarly_meta(self._citation_source(paper, card)),
            comment=paper.comment, journal_ref=paper.journal_ref,
            # no citation files per paper: the page shows its BibTeX (and the citation_* tags
            # reference managers read); its issue's files hold it in every format
            downloads=self.downloads(
                urls.issue(issue_key(paper.date, self.config.digest.period))),
        )

    def _citation_source(self, paper: Paper, card: PaperCard) -> CitationSource:
        return citation_source(paper, card, self.link, self.config)

    def _search_pages(self) -> list[Route]:
        if not self.config.search.enabled:
            return []
        return [self._page(urls.search(), "search.html", "search", "Search", {})]

    def topics_index(self) -> Route:
        return self._page(urls.topics_index(), "topics.html", "topics", "Topics",
                          {"topics": tuple(self.topics.values()),
                           "topic_map": self.topic_map(None)})

    def topic_pages(self, index: int) -> list[Route]:
        """The topic's pages: the newest (its map, timeline and downloads, and its newest
        papers), then the numbered ones (see paged)."""
        from generator.site.topic_map import render_timeline

        topic = self.model.topics[index]
        ref = self.topics[topic.slug]
        papers = tuple(self.cards[s] for s in topic.papers if s in self.cards)
        route = urls.topic(topic.slug)
        feeds = (feed_links(self.config, self.link, route, f"{self.config.title}: {ref.label}")
                 if self.config.feeds.topics else None)
        return self._paged_listing(
            partial(urls.topic, topic.slug), "topic", f"Topic: {ref.label}", papers,
            {"topic": ref, "downloads": self.downloads(route), "topic_map": self.topic_map(index),
             "timeline": render_timeline([c.date for c in papers])},
            {"topic": topic_link(ref), "downloads": None}, feeds)

    def topic_map(self, focus: int | None) -> Markup:
        """The map of all topics (``focus`` None) or of one; drawn once per planner."""
        from generator.site.topic_map import draw_topic_map

        if focus not in self.maps:
            if self.points is None:
                self.points = self._map_points()
            if focus is None:
                labels = [(i, self.topics[t.slug].label) for i, t in enumerate(self.model.topics)]
                self.maps[None] = draw_topic_map(self.points, labels=labels)
            else:
                label = self.topics[self.model.topics[focus].slug].label
                self.maps[focus] = draw_topic_map(self.points, focus=focus,
                                                  labels=[(focus, label)], limit=600)
        return self.maps[focus][0]

    def _map_points(self) -> list:
        from generator.site.topic_map import MapPoint

        index = {t.slug: i for i, t in enumerate(self.model.topics)}
        return [MapPoint(x, y, index[self.model.topic_of[slug]], self.cards[slug].url,
                         self.cards[slug].title_text, slug)
                for slug, (x, y) in sorted(self.model.coords.items())
                if slug in self.cards and self.model.topic_of.get(slug) in index]

    def tags_index(self) -> Route:
        return self._page(urls.tags_index(), "tags.html", "tags", "Tags",
                          {"tags": tuple(self.tags.values())})

    def _tag_pages(self) -> list[Route]:
        by_tag: dict[str, list[PaperCard]] = defaultdict(list)
        for paper in self.papers:  # newest first already
            for tag in paper.tags:
                by_tag[tag].append(self.cards[paper.slug])
        return [route for slug in self.tags for route in self.tag_pages(slug, by_tag[slug])]

    def tag_pages(self, slug: str, cards: Sequence[PaperCard]) -> list[Route]:
        """``cards``: the tag's papers, newest first. The newest page (``tags/<slug>/``), then
        the numbered ones (see paged)."""
        route = urls.tag(slug)
        feeds = (feed_links(self.config, self.link, route, f"{self.config.title}: #{slug}")
                 if self.config.feeds.tags else None)
        ref = self.tags[slug]
        return self._paged_listing(partial(urls.tag, slug), "tag", f"Tag: {slug}", tuple(cards),
                                   {"tag": ref}, {"tag": TagLink(slug, ref.url)}, feeds)

    def _paged_listing(self, route_of: Callable[[int | None], str], kind: str, title: str,
                       cards: tuple[PaperCard, ...], newest: Mapping[str, object],
                       numbered: Mapping[str, object], feeds: FeedLinks | None) -> list[Route]:
        """A tag's or topic's pages (template ``<kind>.html``; see paged): the newest page with
        ``newest`` and the listing's feeds, the numbered ones with ``numbered``, which holds
        nothing that changes as papers arrive (links without counts), so they keep their
        bytes."""
        pages = []
        for number, chunk, pagination in paged(cards, self.config.papers_per_page,
                                               lambda n: self.link.link(route_of(n))):
            values = {"papers": chunk, "pagination": pagination}
            if pagination.newest:
                pages.append(self._page(route_of(None), f"{kind}.html", kind, title,
                                        {**values, **newest}, feeds=feeds))
            else:
                pages.append(self._page(route_of(number), f"{kind}.html", kind,
                                        f"{title}, page {number}", {**values, **numbered}))
        return pages

    def digests_index(self) -> Route:
        weekly = self.config.digest.period == "weekly"
        days = {} if weekly else {d.date: (d.url, d.count) for d in self.digests}
        weeks = {d.key: d.url for d in self.digests} if weekly else {
            r.key: r.url for (kind, _), r in self.rollup_refs.items() if kind == "week"}
        months = {r.key: r.url for (kind, _), r in self.rollup_refs.items() if kind == "month"}
        return self._page(urls.digests_index(), "digests.html", "digests", "Digests", {
            "digests": self.digests, "calendar": plan_calendar(days, weeks, months),
            "weeks": tuple(r for (kind, _), r in self.rollup_refs.items() if kind == "week"),
            "months": tuple(r for (kind, _), r in self.rollup_refs.items() if kind == "month")})

    def downloads(self, route: str) -> Downloads:
        bib, ris, csl = (self.link.link(path) for path in urls.downloads(route))
        return Downloads(bib, ris, csl)

    def digest_page(self, index: int) -> Route:
        ref, issue = self.digests[index], self.issues[index]
        newer = self.digests[index - 1] if index > 0 else None
        older = self.digests[index + 1] if index + 1 < len(self.digests) else None
        email = self.link.link(f"{urls.issue(issue.key)}email.html")
        week = self.rollup_links.get(("week", issue_key(issue.start, "weekly")))
        month = self.rollup_links.get(("month", month_key(issue.start)))
        context = {"digest": ref, "groups": self._group_by_topic(issue.papers),
                   "newer": newer, "older": older, "week": week, "month": month,
                   "archive_url": self.link.link(urls.archive()),
                   "downloads": self.downloads(urls.issue(issue.key)),
                   "email_url": email if self.config.digest.email else None}
        return self._page(urls.issue(issue.key), "digest.html", "digest",
                          f"Digest of {ref.label}", context)

    def rollup_page(self, index: int) -> Route:
        """A week or a month: its most upvoted papers, then all its papers by topic."""
        rollup = self.rollups[index]
        ref = self.rollup_refs[rollup.kind, rollup.key]
        same = [r for r in self.rollups if r.kind == rollup.kind]
        at = same.index(rollup)
        newer = self.rollup_links[rollup.kind, same[at - 1].key] if at > 0 else None
        older = (self.rollup_links[rollup.kind, same[at + 1].key] if at + 1 < len(same)
                 else None)
        issues = tuple(d for d in self.digests if rollup.start <= d.date <= rollup.end
                       and d.key != rollup.key)
        context = {"rollup": ref, "trending": tuple(self.cards[s] for s in rollup.trending),
                   "groups": self._group_slugs(rollup.slugs), "issues": issues,
                   "newer": newer, "older": older,
                   "month": (self.rollup_links.get(("month", month_key(rollup.start)))
                             if rollup.kind == "week" else None),
                   "archive_url": self.link.link(urls.archive())}
        title = rollup.label if rollup.kind == "week" else f"Month of {rollup.label}"
        return self._page(urls.issue(rollup.key), "rollup.html", "rollup", title, context)

    def _group_slugs(self, slugs: Sequence[str]) -> tuple[TopicGroup, ...]:
        """Cards by topic, in the given order inside each topic; the largest topic first."""
        groups: dict[str | None, list[PaperCard]] = defaultdict(list)
        for slug in slugs:
            groups[self.model.topic_of.get(slug)].append(self.cards[slug])
        order = sorted(groups, key=lambda s: (-len(groups[s]), s is None,
                                              self.topics[s].label if s else ""))
        return tuple(TopicGroup(topic_link(self.topics[s]) if s else None, tuple(groups[s]))
                     for s in order)

    def _for_you_pages(self) -> list[Route]:
        if self.site.links.for_you is None:
            return []
        return [self._page(urls.for_you(), "for_you.html", "for-you", "For you", {})]

    def _feeds_pages(self) -> list[Route]:
        if self.site.links.feeds_page is None:
            return []
        feeds = feed_refs(self.config, self.link, tuple(self.topics.values()),
                          tuple(self.tags.values()))
        return [self._page(urls.feeds_index(), "feeds.html", "feeds", "Feeds",
                           {"feeds": feeds, "opml_url": self.site.links.opml})]

    def archive_total(self) -> int:
        """The number of archive pages: the numbered ones and the newest."""
        return page_count(len(self.papers), self.config.papers_per_page)

    def archive_number_of(self, index: int) -> int:
        """The archive page showing the paper at ``index`` in self.papers (newest first)."""
        size, numbered = self.config.papers_per_page, self.archive_total() - 1
        return min(numbered + 1, (len(self.papers) - 1 - index) // size + 1)

    def archive_page(self, number: int) -> Route:
        """Page ``number`` of the archive, counted from the oldest papers (see paged): old
        pages keep their papers, links and bytes as papers are added."""
        chunk, pagination = page_of(self.papers, self.config.papers_per_page, number,
                                    lambda page: self.link.link(urls.archive(page)))
        title = "Archive" if pagination.newest else f"Archive, page {number}"
        return self._page(urls.archive(None if pagination.newest else number), "archive.html",
                          "archive", title, {"papers": tuple(self.cards[p.slug] for p in chunk),
                                             "pagination": pagination})


T = TypeVar("T")


def paged(cards: tuple[T, ...], size: int, url_of: Callable[[int | None], str]
          ) -> list[tuple[int, tuple[T, ...], Pagination]]:
    """A list's cards (newest first) in pages numbered from the oldest, as the archive's: the
    numbered pages hold ``size`` cards each, the newest page (number None in ``url_of``, the
    highest number) the rest. A new paper changes the newest page only, until a numbered page
    is split off it. Newest page first, then the numbered pages from the highest."""
    return [(number, *page_of(cards, size, number, url_of))
            for number in range(page_count(len(cards), size), 0, -1)]


def page_of(cards: Sequence[T], size: int, number: int, url_of: Callable[[int | None], str]
            ) -> tuple[tuple[T, ...], Pagination]:
    """Page ``number`` of ``paged``: its cards and its links to the next newer and older."""
    newest = page_count(len(cards), size)

    def at(page: int) -> str:
        return url_of(None if page == newest else page)

    end = len(cards) - (number - 1) * size
    chunk = cards[:end] if number == newest else cards[end - size:end]
    return tuple(chunk), Pagination(number, prev_url=at(number + 1) if number < newest else None,
                                    next_url=at(number - 1) if number > 1 else None,
                                    newest=number == newest)


def page_count(papers: int, size: int) -> int:
    """How many pages ``paged`` makes of ``papers`` cards: the numbered pages they fill,
    ``size`` a page, keeping at least ``size`` for the newest page, and the newest."""
    return max(0, (papers - size) // size) + 1
