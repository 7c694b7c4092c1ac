"""Search index, scholarly metadata and the compact theme in real builds through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import pytest

from generator.models import OutputFile
from generator.write.staged import BUILD_MARKER, MARKER_TEXT, write_site
from tests.conftest import run_paperboy, write_files
from tests.e2e.crawl import crawl
from tests.e2e.test_build_site import serve, tree

HOSTILE_ENTRY = """\
---
title: "</script><script>alert(1)</script> & {Injected"
date: 2024-05-01
authors: ["Eve \\"</title><script>x()</script>"]
doi: 10.1000/xyz
---
An abstract about <script>alert(2)</script> zebrafish.
"""


def build(site: Path) -> Path:
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    return site / "output"


def test_search_index_covers_only_paper_pages(copy_fixture_site) -> None:
    out = build(copy_fixture_site("full"))
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    papers = len(list((out / "papers").glob("*/index.html")))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == papers
    assert list((out / "pagefind" / "fragment").iterdir())
    assert 'data-search="/digest/pagefind/pagefind.js"' in (out / "index.html").read_text()
    assert (out / "search" / "index.html").is_file()


def test_search_can_be_switched_off(copy_fixture_site) -> None:
    site = copy_fixture_site("full")
    config = site / "site.yaml"
    config.write_text(config.read_text() + "search:\n  enabled: false\n")
    out = build(site)
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    assert "data-search" not in (out / "index.html").read_text()


def test_indexing_failure_leaves_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_site([OutputFile(PurePosixPath("index.html"), b"old"),
                OutputFile(PurePosixPath(BUILD_MARKER), MARKER_TEXT)], out)

    def failing_indexer(temp: Path) -> None:
        assert (temp / "index.html").read_bytes() == b"new"  # runs on the complete new tree
        raise RuntimeError("indexer crashed")

    with pytest.raises(RuntimeError):
        write_site([OutputFile(PurePosixPath("index.html"), b"new")], out, failing_indexer)
    assert tree(out).keys() == {"index.html", BUILD_MARKER}
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_paper_page_has_scholarly_metadata_and_cite_block(copy_fixture_site) -> None:
    page = (build(copy_fixture_site("full")) / "papers/1706.03762/index.html").read_text()
    head = page.split("</head>")[0]
    canonical = "https://example.github.io/digest/papers/1706.03762/"
    assert f'<link rel="canonical" href="{canonical}">' in head
    assert f'<meta property="og:url" content="{canonical}">' in head
    assert '<meta name="twitter:card" content="summary">' in head
    assert '<meta name="citation_title" content="Attention Is All You Need">' in head
    assert head.count('<meta name="citation_author"') == 4
    assert '<meta name="citation_arxiv_id" content="1706.03762">' in head
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', head, re.S).group(1)
    assert json.loads(ld)["@type"] == "ScholarlyArticle"
    cite = page.split('id="cite-heading"')[1]
    assert "@misc{vaswani2024attention," in cite and "<button" in cite and " hidden>" in cite


def test_hostile_entry_cannot_script_the_page(make_site) -> None:
    site = make_site({"content/evil.md": HOSTILE_ENTRY})
    out = build(site)
    page = next((out / "papers").glob("*/index.html")).read_text()
    scripts = re.findall(r"<script[^>]*>", page)
    assert len(scripts) == 4 and scripts[0] == '<script type="application/ld+json">'
    assert re.fullmatch(r'<script type="module" src="/digest/static/site\.[0-9a-f]+\.js">',
                        scripts[1])
    # the reader features: filters and stars (themes/default/static/)
    assert re.fullmatch(r'<script type="module" src="/digest/static/filters\.[0-9a-f]+\.js">',
                        scripts[2])
    assert re.fullmatch(r'<script type="module" src="/digest/static/readers\.[0-9a-f]+\.js" '
                        r'data-ranking="/digest/ranking/" data-base="/digest/">', scripts[3])
    assert "<script>alert" not in page and "<script>x()" not in page
    assert "</title><script>" not in page
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    data = json.loads(ld)
    assert data["name"].endswith("& {Injected")  # the title's HTML was sanitised away
    assert data["author"][0]["name"] == 'Eve "</title><script>x()</script>'  # kept, as text
    assert r"\&amp; \{Injected" in page.split('id="cite-heading"')[1]


def test_compact_theme_builds_every_page_without_broken_links(copy_fixture_site) -> None:
    site = copy_fixture_site("full")
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "theme: compact\n")
    out = build(site)
    home = (out / "index.html").read_text()
    assert 'class="card card-compact"' in home and "/static/compact." in home
    assert 'class="summary"' not in home  # the compact card drops the summary
    server, origin = serve(out, "/digest/")
    try:
        visited, broken = crawl(f"{origin}/digest/")
    finally:
        server.shutdown()
    assert broken == [] and len(visited) > 20


def test_site_yaml_search_section_rejects_unknown_keys(make_site) -> None:
    site = make_site(site_yaml="title: T\nsearch:\n  enable: false\n")
    write_files(site, {})
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 1
    assert "site.yaml:3: error: search.enable: unknown option (did you mean " \
           "'search.enabled'?)" in result.stderr
