"""End to end: the real CLI builds real sites; the output is crawled over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import feedparser
import pytest

from generator.models import OutputFile
from generator.serve.static_server import make_server, serve_in_thread
from generator.write.staged import BUILD_MARKER, MARKER_TEXT, write_site
from tests.conftest import run_paperboy, write_files
from tests.e2e.crawl import crawl, extract_links, fetch


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def built_full(copy_fixture_site) -> Path:
    site = copy_fixture_site("full")
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    return site


def serve(root: Path, base_path: str):
    server = make_server(root, base_path, "127.0.0.1", 0)
    serve_in_thread(server)
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_build_writes_every_page_kind(built_full: Path) -> None:
    out = built_full / "output"
    for page in ("index.html", "404.html", "papers/1706.03762/index.html", "topics/index.html",
                 "tags/index.html", "tags/transformers/index.html", "tags/nlp/index.html",
                 "digests/index.html", "digests/2024-03-12/index.html", "archive/index.html",
                 "archive/page/1/index.html", "sitemap.xml", "robots.txt", "feed.xml",
                 "atom.xml", ".nojekyll"):
        assert (out / page).is_file(), page
    topic_pages = list((out / "topics").glob("*/index.html"))
    assert len(topic_pages) >= 2
    assert not (out / "papers" / "a-draft-that-is-not-ready").exists()


def test_home_shows_latest_digest_and_links_older_ones(built_full: Path) -> None:
    home = (built_full / "output" / "index.html").read_text()
    assert "12 March 2024" in home
    assert "Attention Is All You Need" in home and "BERT" in home
    assert "Deep Residual Learning" not in home  # an older digest
    assert 'href="/digest/digests/2024-03-11/"' in home


def test_paper_page_lists_links_math_tags_topic_and_related(built_full: Path) -> None:
    page = (built_full / "output" / "papers/1706.03762/index.html").read_text()
    assert 'href="https://arxiv.org/abs/1706.03762v7"' in page
    assert 'href="https://arxiv.org/pdf/1706.03762v7"' in page
    assert 'href="https://github.com/tensorflow/tensor2tensor"' in page
    assert "<math" in page and "improving over the best results by over 2%" in page
    assert 'href="/digest/tags/transformers/"' in page
    assert 'href="/digest/topics/' in page
    related = page.split('id="related-heading"')[1]
    assert len(re.findall(r'<li><a href="/digest/papers/', related)) == 3


def test_sample_site_builds_all_53_papers_without_broken_links(built_sample: Path) -> None:
    out = built_sample / "output"
    assert len(list((out / "papers").glob("*/index.html"))) == 53
    server, origin = serve(out, "/paperboy/")
    try:
        visited, broken = crawl(f"{origin}/paperboy/")
    finally:
        server.shutdown()
    assert broken == []
    assert len([u for u in visited if "/papers/" in u and u.endswith("/")]) == 53
    # and each digest issue's BibTeX, RIS and CSL-JSON download, which the paper pages link
    issues = {u.rsplit("/", 2)[0] for u in visited if "/digests/" in u and "/papers." in u}
    assert len([u for u in visited if "/digests/" in u and "/papers." in u]) == 3 * len(issues)
    assert len(issues) == len(list((out / "digests").glob("*/papers.bib"))) > 0


def test_fixture_site_has_no_broken_links_or_missing_assets(built_full: Path) -> None:
    server, origin = serve(built_full / "output", "/digest/")
    try:
        visited, broken = crawl(f"{origin}/digest/")
        status, body, _ = fetch(f"{origin}/digest/no/such/page/")
    finally:
        server.shutdown()
    assert broken == []
    assert any(u.endswith(".css") for u in visited)
    assert any(u.endswith("/archive/page/1/") for u in visited)
    assert status == 404 and b"Page not found" in body
    # the 404 page's links are root-relative, so they work at any depth
    assert all(link.startswith(("/digest/", "#")) for link in extract_links(body.decode())
               if not link.startswith("http"))


def test_pages_make_no_request_to_another_host(built_full: Path) -> None:
    for path in (built_full / "output").rglob("*.html"):
        html = path.read_text()
        assets = re.findall(r'<(?:link|script|img|iframe|source)\b[^>]*?(?:href|src)="([^"]+)"',
                            html)
        for url in assets:
            is_alternate_feed = url.startswith("/digest/") or "example.github.io/digest/" in url
            assert is_alternate_feed, (path, url)


def test_feeds_parse_cleanly_with_absolute_links(built_full: Path) -> None:
    for name in ("feed.xml", "atom.xml"):
        feed = feedparser.parse((built_full / "output" / name).read_bytes())
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert len(feed.entries) == 5
        first = feed.entries[0]
        assert first.link.startswith("https://example.github.io/digest/papers/")
        assert first.title in ("Attention Is All You Need",
                               "BERT: Pre-training of Deep Bidirectional Transformers for "
                               "Language Understanding")
        assert first.id == first.link
        assert "<p>" in first.content[0].value


def test_every_page_links_both_feeds_in_its_head(built_full: Path) -> None:
    for path in (built_full / "output").rglob("*.html"):
        if path.name == "email.html":
            continue  # the e-mail edition of an issue is not a site page
        head = path.read_text().split("</head>")[0]
        assert 'type="application/rss+xml"' in head and 'type="application/atom+xml"' in head


def test_same_input_gives_byte_identical_output(copy_fixture_site, tmp_path: Path) -> None:
    site = copy_fixture_site("full")
    assert run_paperboy("build", "--site", str(site)).returncode == 0
    first = tree(site / "output")
    again = str(site / "again")
    assert run_paperboy("build", "--site", str(site), "--output", again).returncode == 0
    assert tree(site / "again") == first


def test_drafts_are_built_only_with_the_flag(copy_fixture_site) -> None:
    site = copy_fixture_site("full")
    assert run_paperboy("build", "--site", str(site), "--drafts").returncode == 0
    assert (site / "output/papers/a-draft-that-is-not-ready/index.html").is_file()


def test_base_url_flag_moves_every_link(copy_fixture_site) -> None:
    site = copy_fixture_site("full")
    result = run_paperboy("build", "--site", str(site), "--base-url", "https://x.org/other")
    assert result.returncode == 0, result.stderr
    home = (site / "output/index.html").read_text()
    assert 'href="/other/papers/' in home and "/digest/" not in home
    assert "https://x.org/other/papers/" in (site / "output/feed.xml").read_text()


def test_broken_entry_fails_and_keeps_previous_output(built_full: Path) -> None:
    before = tree(built_full / "output")
    write_files(built_full, {"content/broken.md": "---\ntitle: Broken\ndate: 12/03/2024\n---\nx\n"})
    result = run_paperboy("build", "--site", str(built_full))
    assert result.returncode == 1
    assert "content/broken.md:3: error: date:" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(built_full / "output") == before


def test_template_error_names_template_line_and_keeps_output(built_full: Path) -> None:
    before = tree(built_full / "output")
    write_files(built_full, {
        "site.yaml": (built_full / "site.yaml").read_text() + "theme: broken\n",
        "themes/broken/theme.yaml": "extends: default\n",
        "themes/broken/templates/tag.html": "{% extends 'base.html' %}\n"
                                            "{% block content %}\n{{ no_such_value }}\n"
                                            "{% endblock %}\n",
    })
    result = run_paperboy("build", "--site", str(built_full))
    assert result.returncode == 1
    assert "themes/broken/templates/tag.html:3: error: template: 'no_such_value' is undefined" \
        in result.stderr
    assert tree(built_full / "output") == before


def test_search_record_error_stops_the_build_and_keeps_output(built_full: Path) -> None:
    """The records are indexed in a background process while the pages are written: its
    error fails the build like a page's, and nothing it started is left behind."""
    before = tree(built_full / "output")
    write_files(built_full, {
        "site.yaml": (built_full / "site.yaml").read_text() + "theme: broken\n",
        "themes/broken/theme.yaml": "extends: default\n",
        "themes/broken/templates/search_record.html": "{{ paper.card.title | no_such_filter }}\n",
    })
    result = run_paperboy("build", "--site", str(built_full))
    assert result.returncode == 1
    assert "error: search_record.html:" in result.stderr and "no_such_filter" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(built_full / "output") == before
    assert sorted(p.name for p in built_full.iterdir() if p.name.startswith(".paperboy-")) == []


def test_theme_extends_default_and_overrides_one_template_and_asset(copy_fixture_site) -> None:
    site = copy_fixture_site("full")
    write_files(site, {
        "site.yaml": (site / "site.yaml").read_text() + "theme: compact\n",
        "themes/compact/theme.yaml": "extends: default\n",
        "themes/compact/templates/paper.html":
            '{% extends "default/paper.html" %}\n'
            '{% block content %}<p class="compact-marker">compact</p>{{ super() }}{% endblock %}\n',
        "themes/compact/static/style.css": "body { font-size: 14px; }\n",
    })
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    paper = (site / "output/papers/1810.04805/index.html").read_text()
    assert 'class="compact-marker"' in paper and "Bidirectional" in paper
    css = list((site / "output/static").glob("style.*.css"))
    assert len(css) == 1 and css[0].read_text() == "body { font-size: 14px; }\n"
    assert f'/digest/static/{css[0].name}' in paper


def test_write_failing_midway_leaves_old_output_and_no_temporaries(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_site([OutputFile(PurePosixPath("index.html"), b"old"),
                OutputFile(PurePosixPath(BUILD_MARKER), MARKER_TEXT)], out)

    def files_then_crash():
        yield OutputFile(PurePosixPath("index.html"), b"new")
        yield OutputFile(PurePosixPath("papers/a/index.html"), b"new")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_site(files_then_crash(), out)
    assert tree(out).keys() == {"index.html", BUILD_MARKER}
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_write_refuses_paths_outside_output(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_site([OutputFile(PurePosixPath("../evil.html"), b"x")], tmp_path / "output")
    assert not (tmp_path / "evil.html").exists()
