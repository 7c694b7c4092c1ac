"""Every feed of a built site: feedparser reads it cleanly, Atom passes strict structural checks,
JSON Feed 1.1 has its required members, and GUIDs survive rebuilds."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from tests.conftest import build_in_process, write_files

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://example.github.io/digest/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import SITES, copy_site

    site = copy_site(SITES / "full", tmp_path_factory.mktemp("feeds") / "full")
    return build_in_process(site)


def feeds(out: Path, name: str) -> list[Path]:
    return sorted(out.rglob(name))


def test_feeds_exist_for_site_topics_tags_and_digest(built: Path) -> None:
    topics = [p.name for p in (built / "topics").iterdir() if p.is_dir()]
    tags = [p.name for p in (built / "tags").iterdir() if p.is_dir()]
    assert topics and tags
    folders = ["", "digests/", *(f"topics/{t}/" for t in topics), *(f"tags/{t}/" for t in tags)]
    for folder in folders:
        for name in ("feed.xml", "atom.xml", "feed.json"):
            assert (built / folder / name).is_file(), folder + name


def test_every_xml_feed_parses_without_bozo_and_links_absolutely(built: Path) -> None:
    paths = feeds(built, "feed.xml") + feeds(built, "atom.xml")
    assert len(paths) >= 20
    for path in paths:
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, (path, feed.get("bozo_exception"))
        assert feed.version in ("rss20", "atom10")
        assert feed.entries, path
        for entry in feed.entries:
            assert entry.link.startswith(BASE), (path, entry.link)
            assert entry.id.startswith(BASE)
            assert entry.title and entry.summary and entry.published_parsed
            assert entry.content[0].value.strip()


def test_paper_items_carry_authors_categories_summary_and_full_abstract(built: Path) -> None:
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((built / "tags/nlp" / name).read_bytes())
        bert = next(e for e in feed.entries if e.link.endswith("/papers/1810.04805/"))
        terms = {t.term for t in bert.tags}
        assert {"nlp", "transformers", "pretraining"} <= terms
        assert len(terms) == 4  # the three tags plus the topic
        names = " ".join(a.get("name", "") for a in bert.authors)
        assert "Jacob Devlin" in names and "Kristina Toutanova" in names
        assert "all layers of the transformer language model" in bert.content[0].value
        assert len(bert.summary) < len(bert.content[0].value)


def test_rss_items_put_the_abstract_in_content_encoded(built: Path) -> None:
    tree = etree.parse(str(built / "feed.xml"))
    ns = {"content": "http://purl.org/rss/1.0/modules/content/"}
    items = tree.findall("channel/item")
    assert items
    for item in items:
        assert item.findtext("description")
        assert "<p>" in item.find("content:encoded", ns).text
        assert item.find("guid").get("isPermaLink") == "true"


def test_atom_feeds_have_every_required_element(built: Path) -> None:
    for path in feeds(built, "atom.xml"):
        root = etree.parse(str(path)).getroot()
        assert root.tag == f"{ATOM}feed"
        for required in ("id", "title", "updated", "author"):
            assert root.find(f"{ATOM}{required}") is not None, (path, required)
        self_link = root.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None and self_link.get("href") == BASE + path.relative_to(
            built).as_posix()
        ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
        assert len(ids) == len(set(ids))
        for entry in root.iter(f"{ATOM}entry"):
            for required in ("id", "title", "updated", "summary"):
                assert entry.findtext(f"{ATOM}{required}"), (path, required)
            alternates = [link.get("href") for link in entry.findall(f"{ATOM}link")
                          if link.get("rel", "alternate") == "alternate"]  # RFC 4287 4.2.7.2
            assert len(alternates) == 1 and alternates[0].startswith(BASE)
            assert entry.find(f"{ATOM}content").get("type") == "html"
            _assert_rfc3339(entry.findtext(f"{ATOM}updated"))


def _assert_rfc3339(value: str) -> None:
    import datetime as dt

    parsed = dt.datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value


def test_json_feeds_follow_json_feed_1_1(built: Path) -> None:
    for path in feeds(built, "feed.json"):
        data = json.loads(path.read_text())
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["feed_url"] == BASE + path.relative_to(built).as_posix()
        assert data["title"] and data["home_page_url"].startswith(BASE)
        assert data["items"]
        for item in data["items"]:
            assert item["id"] and item["url"].startswith(BASE)
            assert item["content_html"] and item["summary"]
            assert item["date_published"].endswith("+00:00")


def test_digest_feed_has_one_item_per_issue_holding_the_whole_issue(built: Path) -> None:
    feed = feedparser.parse((built / "digests/feed.xml").read_bytes())
    assert feed.bozo == 0
    assert [e.link for e in feed.entries] == [f"{BASE}digests/{d}/" for d in
                                              ("2024-03-12", "2024-03-11", "2024-03-10")]
    issue = feed.entries[1].content[0].value
    for arxiv in ("1512.03385", "2010.11929", "2006.11239"):
        assert f'href="{BASE}papers/{arxiv}/"' in issue
    assert 'href="/' not in issue  # every link absolute, as e-mail needs


def test_guids_do_not_change_when_papers_are_added(copy_fixture_site) -> None:
    site = copy_fixture_site("full")
    before = _guids(build_in_process(site))
    write_files(site, {"content/new.md": """\
        ---
        title: A Newer Paper About Transformers
        date: 2024-03-13
        tags: [transformers]
        ---
        Transformers again, with attention and more layers than before.
        """})
    after = _guids(build_in_process(site))
    assert after["feed.xml"][1:] == before["feed.xml"][:4]
    kept = set(before["tags/vision/atom.xml"])
    assert kept <= set(after["tags/vision/atom.xml"])


def _guids(out: Path) -> dict[str, list[str]]:
    return {name: [e.id for e in feedparser.parse((out / name).read_bytes()).entries]
            for name in ("feed.xml", "tags/vision/atom.xml")}


def _alternate_links(page: Path) -> dict[str, str]:
    """The page head's feed links: href -> type."""
    head = etree.HTML(page.read_bytes()).find("head")
    return {link.get("href"): link.get("type") for link in head.iter("link")
            if link.get("rel") == "alternate"}


def test_topic_and_tag_pages_link_their_own_feeds_in_head_and_body(built: Path) -> None:
    base_path = "/digest/"
    pages = sorted((built / "topics").glob("*/index.html")) + sorted(
        (built / "tags").glob("*/index.html"))
    assert len(pages) >= 4
    for page in pages:
        folder = page.parent.relative_to(built).as_posix() + "/"
        own = {f"{base_path}{folder}feed.xml": "application/rss+xml",
               f"{base_path}{folder}atom.xml": "application/atom+xml"}
        links = _alternate_links(page)
        assert own.items() <= links.items(), (page, links)
        body = page.read_text(encoding="utf-8")
        for href in own:
            assert f'href="{href}"' in body.split("</head>", 1)[1], (page, href)
            feed = feedparser.parse((built / href.removeprefix(base_path)).read_bytes())
            assert feed.bozo == 0 and feed.entries, href


def test_feed_switches_turn_formats_and_groups_off(make_site) -> None:
    site = make_site({"content/a.md": "---\ntitle: A\ndate: 2024-01-01\ntags: [x]\n---\nText.\n"},
                     site_yaml=f"base_url: {BASE}\nfeeds:\n  json: false\n  tags: false\n"
                               "  digest: false\n")
    out = build_in_process(site)
    assert (out / "feed.xml").is_file() and not (out / "feed.json").is_file()
    assert not (out / "tags/x/feed.xml").exists()
    assert not any("tags/x/" in href for href in _alternate_links(out / "tags/x/index.html"))
    assert "tags/x/feed.xml" not in (out / "tags/x/index.html").read_text(encoding="utf-8")
    assert not (out / "digests/feed.xml").exists()
