"""The sitemap follows the protocol's limits: one file up to 50,000 URLs, else a sitemap index
whose parts each hold at most 50,000 URLs and 50 MB (checked at 120k routes, none rendered)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from lxml import etree

from generator.feeds import render_robots, render_sitemap
from generator.feeds.site_feeds import SITEMAP_MAX_BYTES, SITEMAP_MAX_URLS, _sitemap
from generator.site import Route
from generator.urls import Urls

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/digest/"


def _model(count: int):
    routes = [Route("index.html" if i == 0 else f"papers/p{i}/", "paper.html", {})
              for i in range(count)] + [Route("404.html", "404.html", {})]
    cards = {"p1": SimpleNamespace(url="/digest/papers/p1/", date=dt.date(2024, 3, 12))}
    return SimpleNamespace(routes=routes, urls=Urls(BASE), cards=cards)


def _locs(data: bytes, tag: str) -> list[str]:
    root = etree.fromstring(data)
    assert root.tag == f"{NS}{tag}"
    return [loc.text for loc in root.iter(f"{NS}loc")]


def test_a_site_of_120k_routes_gets_a_sitemap_index_of_parts_within_the_limits() -> None:
    model = _model(120_000)

    files = {f.path.as_posix(): f.data for f in render_sitemap(model)}

    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    assert _locs(files["sitemap.xml"], "sitemapindex") == [
        f"{BASE}sitemap-{n}.xml" for n in (1, 2, 3)]
    parts = [_locs(files[f"sitemap-{n}.xml"], "urlset") for n in (1, 2, 3)]
    assert [len(part) for part in parts] == [SITEMAP_MAX_URLS, SITEMAP_MAX_URLS, 20_000]
    assert all(len(files[f"sitemap-{n}.xml"]) < SITEMAP_MAX_BYTES for n in (1, 2, 3))
    every = [loc for part in parts for loc in part]
    assert every == [BASE + r.route for r in model.routes if r.route != "404.html"]
    assert b"<lastmod>2024-03-12</lastmod>" in files["sitemap-1.xml"]
    assert f"Sitemap: {BASE}sitemap.xml".encode() in render_robots(model).data


def test_a_small_site_keeps_one_sitemap() -> None:
    files = render_sitemap(_model(SITEMAP_MAX_URLS))
    assert [f.path.as_posix() for f in files] == ["sitemap.xml"]
    assert len(_locs(files[0].data, "urlset")) == SITEMAP_MAX_URLS


def test_sitemap_parts_also_split_by_size() -> None:
    model = _model(1000)
    files = _sitemap(model, max_bytes=20_000)
    sizes = [len(f.data) for f in files[1:]]
    assert len(files) > 3 and max(sizes) <= 20_000
    assert sum(len(_locs(f.data, "urlset")) for f in files[1:]) == 1000
