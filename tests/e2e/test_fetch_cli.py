"""`paperboy fetch` as a user runs it: the real CLI in a subprocess, sources pointed at a local
server by environment variables, then `paperboy check` and `paperboy build` on the result."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DEFAULT_SITE_YAML, run_paperboy
from tests.replay_server import replay_server
from tests.unit.test_fetch import ATOM_IDS, HF_DAY, RSS_MAIN, RSS_STAT, THREE_SOURCES

pytestmark = pytest.mark.slow

NOW = "2026-12-03T02:30Z"  # Wednesday evening, US Eastern, after the announcement


def environment(url: str) -> dict[str, str]:
    return {"PAPERBOY_ARXIV_API": url + "/api/query", "PAPERBOY_ARXIV_RSS": url + "/rss/",
            "PAPERBOY_HF_API": url + "/api/", "PAPERBOY_ARXIV_INTERVAL": "0.05",
            "PAPERBOY_HF_INTERVAL": "0.05"}


def test_fetch_writes_entries_reports_and_then_has_nothing_to_do(make_site, tmp_path) -> None:
    site = make_site(site_yaml=THREE_SOURCES)
    with replay_server() as server:
        server.route("/rss/cs.LG+cs.CL", RSS_MAIN)
        server.route("/rss/stat.ML", RSS_STAT)
        server.route("/api/query", ATOM_IDS)
        server.route("/api/daily_papers", HF_DAY)
        args = ("fetch", "--site", str(site), "--now", NOW, "--report",
                str(tmp_path / "report.md"), "--json", str(tmp_path / "report.json"))
        first = run_paperboy(*args, env=environment(server.url))
        assert first.returncode == 0, first.stderr
        assert first.stdout == (tmp_path / "report.md").read_text(), first.stdout
        second = run_paperboy(*args, env=environment(server.url))
    assert "**4 new papers**" in first.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["status"] == "up to date" and report["written"] == 0  # the second run's
    assert second.returncode == 0 and "Every source is up to date" in second.stdout
    written = sorted(p.name for p in (site / "content" / "2026-12-02").iterdir())
    assert written == ["2612.00950.md", "2612.01001.md", "2612.01100.md", "2612.02001.md"]
    check = run_paperboy("check", "--site", str(site))
    assert check.returncode == 0, check.stderr
    build = run_paperboy("build", "--site", str(site))
    assert build.returncode == 0, build.stderr
    page = (site / "output/papers/2612.00950/index.html").read_text()
    assert "Journal reference: Ann. Statist. 55 (2027) 1-30" in page


def test_fetch_failure_exits_1_and_says_why(make_site) -> None:
    site = make_site(site_yaml=DEFAULT_SITE_YAML + "sources: [{type: arxiv, "
                                                   "categories: [cs.LG, cs.CL]}]\n")
    with replay_server() as server:
        server.route("/rss/cs.LG+cs.CL", RSS_MAIN)
        result = run_paperboy("fetch", "--site", str(site), "--now", "2026-12-04T02:30Z",
                              env=environment(server.url))
    assert result.returncode == 1
    assert "error: arxiv-cs.LG-cs.CL: the RSS feed is stale" in result.stderr
    assert "Traceback" not in result.stderr


def test_fetch_without_sources_is_a_clear_error(make_site) -> None:
    result = run_paperboy("fetch", "--site", str(make_site()))
    assert result.returncode == 1
    assert result.stderr.startswith("site.yaml: error: sources: no sources to fetch")
