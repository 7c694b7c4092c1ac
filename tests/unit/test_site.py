"""plan_site(): URLs under the base path, grouping, pagination, and no work per pair of pages."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from generator.config import SiteConfig
from generator.models import Paper, SourceRef, Topic, TopicModel
from generator.site.planner import date_label, paper_links, plan_site


def paper(slug: str, day: int, **fields) -> Paper:
    return Paper(slug=slug, title=f"Title {slug}", abstract=f"Abstract of {slug}.",
                 date=dt.date(2024, 3, day), source=SourceRef(f"content/{slug}.md", 1), **fields)


PAPERS = (
    paper("a", 12, upvotes=3, tags=("nlp",)),
    paper("b", 12, upvotes=9, tags=("nlp", "rl")),
    paper("c", 12),
    paper("d", 11, tags=("rl",)),
    paper("e", 10),
)
MODEL = TopicModel(
    topics=(Topic("language", "Language", ("language",), ("b", "a", "e")),
            Topic("control", "Control", ("control",), ("c", "d"))),
    topic_of=MappingProxyType({"a": "language", "b": "language", "e": "language",
                               "c": "control", "d": "control"}),
    related=MappingProxyType({"a": ("b", "e"), "b": ("a",), "c": ("d",), "d": ("c",),
                              "e": ("a",)}),
)
CONFIG = SiteConfig(base_url="https://u.github.io/repo/", papers_per_page=2)


def routes_by_name():
    return {r.route: r for r in plan_site(CONFIG, PAPERS, MODEL).routes}


def test_plan_has_one_route_per_page_kind_and_item() -> None:
    routes = routes_by_name()
    expected = {"", "404.html", "topics/", "topics/language/", "topics/control/", "tags/",
                "tags/nlp/", "tags/rl/", "digests/", "digests/2024-03-12/", "digests/2024-03-11/",
                "digests/2024-03-10/", "archive/", "archive/page/2/", "archive/page/3/",
                "search/", "feeds/", "digests/2024-W10/", "digests/2024-W11/",
                "digests/2024-03/", "for-you/", *(f"papers/{p.slug}/" for p in PAPERS)}
    assert set(routes) == expected


def test_home_groups_latest_digest_by_topic_most_upvoted_first() -> None:
    home = routes_by_name()[""].context
    assert home["digest"].date == dt.date(2024, 3, 12)
    groups = [(g.topic.slug, [c.slug for c in g.papers]) for g in home["groups"]]
    assert groups == [("language", ["b", "a"]), ("control", ["c"])]
    assert [d.date.day for d in home["older_digests"]] == [11, 10]


def test_links_live_under_the_base_path() -> None:
    context = routes_by_name()["papers/a/"].context
    view = context["paper"]
    assert view.card.url == "/repo/papers/a/"
    assert view.absolute_url == "https://u.github.io/repo/papers/a/"
    assert [t.url for t in view.card.tags] == ["/repo/tags/nlp/"]
    assert view.card.topic.url == "/repo/topics/language/"
    assert [r.slug for r in view.related] == ["b", "e"]
    assert context["page"].canonical == "https://u.github.io/repo/papers/a/"


def test_archive_is_paginated_newest_first() -> None:
    routes = routes_by_name()
    first, last = routes["archive/"].context, routes["archive/page/3/"].context
    assert [c.slug for c in first["papers"]] == ["a", "b"]
    assert first["pagination"].next_url == "/repo/archive/page/2/"
    assert first["pagination"].prev_url is None
    assert [c.slug for c in last["papers"]] == ["e"]
    assert last["pagination"].next_url is None


def test_tag_pages_list_papers_newest_first_with_counts() -> None:
    tag = routes_by_name()["tags/rl/"].context
    assert (tag["tag"].count, [c.slug for c in tag["papers"]]) == (2, ["b", "d"])


def test_topic_renames_change_labels_not_urls() -> None:
    config = SiteConfig(base_url="https://u.github.io/repo/",
                        topics=CONFIG.topics.__class__(renames={"language": "NLP"}))
    routes = {r.route: r for r in plan_site(config, PAPERS, MODEL).routes}
    assert routes["topics/language/"].context["topic"].label == "NLP"


def test_paper_links_derive_arxiv_and_doi_urls() -> None:
    links = paper_links(paper("x", 1, arxiv="2302.06675", arxiv_version="v2", doi="10.1/x",
                              code="https://github.com/x/y"))
    assert [(link.label, link.href) for link in links] == [
        ("arXiv", "https://arxiv.org/abs/2302.06675v2"),
        ("PDF", "https://arxiv.org/pdf/2302.06675v2"),
        ("DOI", "https://doi.org/10.1/x"),
        ("Code", "https://github.com/x/y"),
    ]


def test_date_labels_do_not_depend_on_locale() -> None:
    assert date_label(dt.date(2026, 7, 4)) == "4 July 2026"
