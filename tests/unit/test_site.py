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
                "digests/2024-03-10/", "archive/", "archive/page/1/",
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


def test_archive_is_numbered_from_the_oldest_with_the_newest_papers_first() -> None:
    routes = routes_by_name()
    newest, oldest = routes["archive/"].context, routes["archive/page/1/"].context
    # 5 papers, 2 a page: page 1 holds the 2 oldest, the newest page the 3 others
    assert [c.slug for c in newest["papers"]] == ["a", "b", "c"]
    assert newest["pagination"].number == 2
    assert newest["pagination"].next_url == "/repo/archive/page/1/"
    assert newest["pagination"].prev_url is None
    assert [c.slug for c in oldest["papers"]] == ["d", "e"]
    assert oldest["pagination"].prev_url == "/repo/archive/"
    assert oldest["pagination"].next_url is None


def archive_pages(count: int, size: int = 3) -> dict[str, tuple]:
    """route -> (slugs shown, pagination) of every archive page of ``count`` papers, one a day."""
    papers = [paper(f"p{n:03d}", 1) for n in range(count)]
    papers = [Paper(**{**vars(p), "date": dt.date(2024, 1, 1) + dt.timedelta(days=n)})
              for n, p in enumerate(papers)]
    model = TopicModel((), MappingProxyType({}), MappingProxyType({}))
    config = SiteConfig(base_url="https://u.github.io/repo/", papers_per_page=size)
    return {r.route: (tuple(c.slug for c in r.context["papers"]), r.context["pagination"])
            for r in plan_site(config, papers, model).routes if r.route.startswith("archive/")}


def test_a_new_paper_changes_only_the_newest_archive_page() -> None:
    for count in range(0, 40):
        before, after = archive_pages(count), archive_pages(count + 1)
        changed = {route for route in after if before.get(route) != after[route]}
        assert set(before) <= set(after)  # no page goes away
        # the newest page changes; when it held two pages' worth, page n is split off it, and
        # the page before that now links to page n instead of the newest page
        assert changed <= {"archive/", *(set(after) - set(before)),
                           *(r for r in before if after[r][1].prev_url != before[r][1].prev_url)}
        assert len(changed) <= 3, (count, changed)
        shown = [slug for slugs, _ in after.values() for slug in slugs]
        assert sorted(shown) == [f"p{n:03d}" for n in range(count + 1)]  # each paper once
        if count + 1 >= 3:
            assert len(after["archive/"][0]) >= 3  # the first page visited is never short


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
