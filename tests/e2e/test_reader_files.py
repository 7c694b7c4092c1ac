"""What readers take away from a built site: the OPML list of every feed and the feeds page,
BibTeX / RIS / CSL-JSON downloads read back by real parsers of each format, COinS on list pages,
week and month rollups with previous/next links, and the calendar of issues."""

from __future__ import annotations

import html as html_module
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs

import bibtexparser
import listparser
import pytest
import rispy

from tests.conftest import SITES, build_in_process, copy_site, write_files

BASE = "https://example.github.io/digest/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_in_process(copy_site(SITES / "full", tmp_path_factory.mktemp("readers") / "full"))


class Links(HTMLParser):
    """Every href and every COinS title of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.coins: list[str] = []
        self.rel: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])
            if values.get("rel"):
                self.rel[values["rel"]] = values["href"]
        if tag == "span" and values.get("class") == "Z3988":
            self.coins.append(values.get("title") or "")


def links(page: Path) -> Links:
    parser = Links()
    parser.feed(page.read_text())
    return parser


def local(out: Path, url: str) -> Path:
    """The output file an absolute or root-relative URL of the site points to."""
    path = url.removeprefix(BASE).removeprefix("/digest/")
    return out / path / "index.html" if path == "" or path.endswith("/") else out / path


def test_opml_lists_every_feed_file_and_readers_can_import_it(built: Path) -> None:
    parsed = listparser.parse((built / "feeds.opml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    urls = [feed.url for feed in parsed.feeds]
    written = sorted(str(p.relative_to(built)) for p in built.rglob("feed.xml"))
    assert sorted(u.removeprefix(BASE) for u in urls) == written  # every RSS feed, once
    for feed in parsed.feeds:
        assert local(built, feed.url).is_file()
        assert feed.title.startswith("Fixture Digest")
    categories = {c[0] for feed in parsed.feeds for c in feed.categories}
    assert categories == {"Site", "Digest", "Topics", "Tags"}


def test_feeds_page_links_every_format_and_the_footer_links_it(built: Path) -> None:
    page = links(built / "feeds" / "index.html")
    for name in ("feed.xml", "atom.xml", "feed.json"):
        files = {str(p.relative_to(built)) for p in built.rglob(name)}
        linked = {h.removeprefix(BASE) for h in page.hrefs
                  if h.endswith(name) and h.startswith(BASE)}
        assert linked == files
    assert "/digest/feeds.opml" in page.hrefs
    for other in ("index.html", "archive/index.html", "papers/1706.03762/index.html"):
        hrefs = links(built / other).hrefs
        assert "/digest/feeds/" in hrefs and "/digest/feeds.opml" in hrefs


def test_paper_page_cites_itself_and_links_its_issues_files_that_hold_it(built: Path) -> None:
    page = built / "papers" / "1706.03762" / "index.html"
    shown = re.search(r'<pre class="bibtex"[^>]*><code>(.*?)</code></pre>', page.read_text(),
                      re.S)
    assert shown is not None
    (on_page,) = bibtexparser.parse_string(html_module.unescape(shown.group(1))).entries
    assert on_page.key == "vaswani2024attention" and on_page["eprint"] == "1706.03762"
    downloads = {Path(h).suffix: local(built, h)
                 for h in links(page).hrefs if Path(h).name.startswith("papers.")}
    assert sorted(downloads) == [".bib", ".json", ".ris"]
    assert {p.parent for p in downloads.values()} == {built / "digests" / "2024-03-12"}
    library = bibtexparser.parse_string(downloads[".bib"].read_text())
    assert not library.failed_blocks
    (entry,) = [e for e in library.entries if e.key == "vaswani2024attention"]
    assert entry["eprint"] == "1706.03762"
    assert entry["title"] == "Attention Is All You Need"
    assert "transduction" in entry["abstract"]
    (record,) = [r for r in rispy.loads(downloads[".ris"].read_text(encoding="utf-8"))
                 if r["title"] == "Attention Is All You Need"]
    assert record["type_of_reference"] == "UNPB"
    assert record["authors"][:2] == ["Ashish Vaswani", "Noam Shazeer"]
    assert record["date"] == "2024/03/12"
    (item,) = [i for i in json.loads(downloads[".json"].read_text())
               if i["id"] == "vaswani2024attention"]
    assert item["author"][0] == {"family": "Vaswani", "given": "Ashish"}
    assert item["issued"] == {"date-parts": [[2024, 3, 12]]}
    assert formatted_bibliography([item]) == [
        "Vaswani, A. et al. (2024) “Attention Is All You Need”. arXiv. "
        "Available at: https://arxiv.org/abs/1706.03762v7."]
    assert [p for p in built.rglob("cite.*")] == []  # no files per paper


def formatted_bibliography(items: list[dict]) -> list[str]:
    """CSL-JSON items formatted by citeproc-py (the Harvard style it ships)."""
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for key in source:
        bibliography.register(Citation([CitationItem(key)]))
    return [re.sub(r"\s+", " ", str(item)).strip() for item in bibliography.bibliography()]


@pytest.mark.parametrize("page", ["digests/2024-03-11/", "topics/"])
def test_issue_and_topic_downloads_hold_every_listed_paper(built: Path, page: str) -> None:
    folders = ([built / page] if page.startswith("digests")
               else [p.parent for p in (built / page).glob("*/index.html")])
    for folder in folders:
        html = links(folder / "index.html")
        listed = {h.split("/")[-2] for h in html.hrefs
                  if re.fullmatch(r"/digest/papers/[^/]+/", h)}
        cards = len(re.findall(r'<article class="card', (folder / "index.html").read_text()))
        library = bibtexparser.parse_string((folder / "papers.bib").read_text())
        assert not library.failed_blocks
        assert len(library.entries) == cards == len(
            rispy.loads((folder / "papers.ris").read_text(encoding="utf-8")))
        keys = [e.key for e in library.entries]
        assert len(set(keys)) == len(keys)
        items = json.loads((folder / "papers.json").read_text())
        assert [i["id"] for i in items] == keys
        titles = re.findall(r'<h[23] class="card-title"><a href="[^"]+">([^<]+)</a>',
                            (folder / "index.html").read_text())
        assert sorted(i["title"] for i in items) == sorted(html_module.unescape(t)
                                                           for t in titles)
        assert len(listed) >= len(items)
        assert f"/digest/{page if page.startswith('digests') else f'topics/{folder.name}/'}" \
               "papers.ris" in html.hrefs


def test_list_pages_carry_one_coins_span_per_card_for_zotero(built: Path) -> None:
    for page in ("index.html", "digests/2024-03-11/index.html", "tags/transformers/index.html",
                 "archive/index.html", "digests/2024-W11/index.html"):
        text = (built / page).read_text()
        spans = links(built / page).coins
        assert len(spans) == len(re.findall(r'<article class="card', text)) > 0, page
        for span in spans:
            fields = parse_qs(span, strict_parsing=True)
            assert fields["ctx_ver"] == ["Z39.88-2004"]
            assert fields["rft.atitle"] and fields["rft.date"] and fields["rft_id"]
    attention = next(parse_qs(s) for s in links(built / "index.html").coins
                     if "Attention" in s)
    assert attention["rft.au"][0] == "Ashish Vaswani"
    assert "info:arxiv/1706.03762" in attention["rft_id"]


def test_rollups_rank_by_upvotes_and_link_previous_and_next(built: Path) -> None:
    week = (built / "digests" / "2024-W11" / "index.html").read_text()
    trending = week[week.index("Trending this week"):week.index("</ol>")]
    assert trending.index("Attention Is All You Need") < trending.index("BERT")
    week_links = links(built / "digests" / "2024-W11" / "index.html")
    assert week_links.rel == {"next": "/digest/digests/2024-W10/"}
    assert links(built / "digests" / "2024-W10" / "index.html").rel == {
        "prev": "/digest/digests/2024-W11/"}
    assert "/digest/digests/2024-03/" in week_links.hrefs
    month = (built / "digests" / "2024-03" / "index.html").read_text()
    assert len(re.findall(r'<article class="card', month)) == 7
    issue = links(built / "digests" / "2024-03-11" / "index.html")
    assert {"/digest/digests/2024-W11/", "/digest/digests/2024-03/"} <= set(issue.hrefs)
    assert issue.rel == {"prev": "/digest/digests/2024-03-12/",
                         "next": "/digest/digests/2024-03-10/"}


def test_calendar_links_every_issue_week_and_month(built: Path) -> None:
    page = built / "digests" / "index.html"
    calendar = page.read_text().split('class="calendar"')[1].split("</section>")[0]
    hrefs = set(re.findall(r'href="([^"]+)"', calendar))
    assert hrefs == {"/digest/digests/2024-03/", "/digest/digests/2024-W10/",
                     "/digest/digests/2024-W11/", "/digest/digests/2024-03-10/",
                     "/digest/digests/2024-03-11/", "/digest/digests/2024-03-12/"}
    for href in hrefs:
        assert local(built, href).is_file()


def test_weekly_sites_get_month_rollups_and_hostile_titles_stay_inside_their_fields(
        make_site) -> None:
    site = make_site({"content/a.md": """\
        ---
        title: "Evil} @misc{x, title={owned ER  - \\n TY  - JOUR"
        date: 2026-07-01
        authors: ["Ro}bert", "Smith, Jane"]
        ---
        Line one.
        ER  -
        TY  - BOOK
        """, "content/b.md": """\
        ---
        title: Evil twin
        date: 2026-07-02
        authors: [Ro bert]
        ---
        Text.
        """}, site_yaml="title: T\nbase_url: https://example.github.io/digest/\n"
                        "digest: {period: weekly}\n")
    out = build_in_process(site)
    assert (out / "digests" / "2026-07" / "index.html").is_file()
    library = bibtexparser.parse_string((out / "digests" / "2026-W27" / "papers.bib").read_text())
    assert not library.failed_blocks and len(library.entries) == 2
    assert {e["title"].startswith("Evil") for e in library.entries} == {True}
    records = rispy.loads((out / "digests" / "2026-W27" / "papers.ris").read_text())
    assert len(records) == 2 and {r["type_of_reference"] for r in records} == {"UNPB"}
    items = json.loads((out / "digests" / "2026-W27" / "papers.json").read_text())
    assert {"family": "Smith", "given": "Jane"} in [a for i in items for a in i["author"]]
    assert len({i["id"] for i in items}) == 2


def test_no_feed_formats_means_no_opml_and_no_feeds_page(make_site) -> None:
    site = make_site(site_yaml="title: T\nbase_url: https://example.github.io/digest/\n"
                               "feeds: {rss: false, atom: false, json: false}\n")
    write_files(site, {"content/a.md": "---\ntitle: A\ndate: 2026-07-01\n---\nText.\n"})
    out = build_in_process(site)
    assert not (out / "feeds.opml").exists() and not (out / "feeds").exists()
    assert "/digest/feeds/" not in links(out / "index.html").hrefs
