"""`paperboy fetch` in process, against a local server replaying recorded arXiv API, arXiv RSS
and Hugging Face daily_papers answers. Waits are recorded by a fake clock, never slept."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from generator.config import load_config
from generator.fetch import Services, run_fetch
from generator.fetch.calendar import ArxivCalendar
from generator.importers.polite_http import PoliteClient
from tests.conftest import DEFAULT_SITE_YAML, run_paperboy
from tests.replay_server import Answer, ReplayServer, replay_server

DATA = Path(__file__).resolve().parent.parent / "data" / "fetch"
ATOM_IDS = (DATA / "arxiv-api-id-list.atom").read_bytes()
RSS_MAIN = (DATA / "arxiv-rss-cs.LG+cs.CL.xml").read_bytes()
RSS_STAT = (DATA / "arxiv-rss-stat.ML.xml").read_bytes()
HF_DAY = (DATA / "hf-daily-papers-2026-12-02.json").read_bytes()
PAGES = {start: (DATA / f"arxiv-api-search-start-{start}.atom").read_bytes()
         for start in (0, 2, 4)}
EMPTY_PAGE = (DATA / "arxiv-api-empty.atom").read_bytes()

# Wednesday 2 December 2026, 21:30 US Eastern: after that evening's announcement.
WEDNESDAY_NIGHT = dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)
THREE_SOURCES = DEFAULT_SITE_YAML + """\
sources:
  - type: arxiv
    categories: [cs.LG, cs.CL]
    exclude: [survey]
  - type: arxiv
    categories: [stat.ML]
  - type: huggingface
    min_upvotes: 5
"""
OLD_ENTRY = ('---\ntitle: An Older Paper\ndate: 2026-11-20\narxiv: "2611.09999"\n---\n'
             "Text.\n")
OLD_STATE = '{"format": 1, "sources": {}, "papers": {"2611.09999": 1}}\n'


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with replay_server() as replay:
        replay.route("/rss/cs.LG+cs.CL", RSS_MAIN)
        replay.route("/rss/stat.ML", RSS_STAT)
        replay.route("/api/query", ATOM_IDS)
        replay.route("/api/daily_papers", b"[]")
        replay.route("/api/daily_papers", HF_DAY, date="2026-12-02")
        yield replay


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def fetch(site: Path, server: ReplayServer, fake: FakeTime, now: dt.datetime = WEDNESDAY_NIGHT):
    services = Services(
        arxiv_api=server.url + "/api/query", arxiv_rss=server.url + "/rss/",
        hf_api=server.url + "/api/",
        arxiv=PoliteClient("arXiv", 3.0, sleep=fake.sleep, clock=fake.clock),
        hf=PoliteClient("Hugging Face API", 1.0, sleep=fake.sleep, clock=fake.clock))
    return run_fetch(site, load_config(site), now, services)


def front_matter(path: Path) -> tuple[dict, str]:
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(head), body.strip()


def counts(report) -> dict[str, tuple]:
    return {run.name: (run.status, run.fetched, run.expected, run.new, run.duplicates,
                       run.filtered, [w.arxiv for w in run.written]) for run in report.sources}


def test_a_normal_day_writes_one_valid_entry_per_new_paper(make_site, server, fake_time) -> None:
    site = make_site({"content/2026-11-20/old.md": OLD_ENTRY, "fetch-state.json": OLD_STATE},
                     site_yaml=THREE_SOURCES)
    report = fetch(site, server, fake_time)
    assert report.status == "ok"
    assert counts(report) == {
        # source: status, fetched, expected, new, duplicates, filtered out, written
        "arxiv-cs.LG-cs.CL": ("ok", 3, 3, 3, 0, 1, ["2612.01001", "2612.00950"]),
        "arxiv-stat.ML": ("ok", 2, 2, 1, 1, 0, ["2612.01100"]),  # the cross-list came first
        "huggingface": ("ok", 3, 3, 2, 1, 1, ["2612.02001"]),
    }
    written = sorted(p.relative_to(site).as_posix() for p in (site / "content").rglob("*.md"))
    assert written == ["content/2026-11-20/old.md", "content/2026-12-02/2612.00950.md",
                       "content/2026-12-02/2612.01001.md", "content/2026-12-02/2612.01100.md",
                       "content/2026-12-02/2612.02001.md"]
    # From the API record: the comment, journal reference, DOI and categories as tags.
    meta, body = front_matter(site / "content/2026-12-02/2612.00950.md")
    assert meta == {"title": "Kernel Two-Sample Tests under Distribution Shift",
                    "date": dt.date(2026, 12, 2), "arxiv": "2612.00950",
                    "authors": ["Emmy Noether", "Sofia Kovalevskaya"],
                    "tags": ["stat-ml", "cs-lg"], "doi": "10.1214/27-AOS0001",
                    "comment": "Accepted at AISTATS 2027",
                    "journal_ref": "Ann. Statist. 55 (2027) 1-30"}
    assert body.startswith("We give a kernel two-sample test")
    meta, _ = front_matter(site / "content/2026-12-02/2612.01001.md")
    assert meta["comment"] == "12 pages, 5 figures"
    # Hugging Face listed it too: its upvotes and thumbnail join the arXiv entry.
    assert (meta["upvotes"], meta["thumbnail"]) == (
        12, "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2612.01001.png")
    assert report.sources[2].notes == [
        "2612.01001: upvotes and links added to the entry from arxiv-cs.LG-cs.CL"]
    # From Hugging Face: upvotes, code, project page and thumbnail.
    meta, _ = front_matter(site / "content/2026-12-02/2612.02001.md")
    assert (meta["upvotes"], meta["code"], meta["project"], meta["thumbnail"]) == (
        57, "https://github.com/example/remember", "https://example.org/remember",
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2612.02001.png")
    # The API does not know 2612.01100 yet: written from the feed, and said so.
    assert front_matter(site / "content/2026-12-02/2612.01100.md")[0]["authors"] == [
        "Mary Cartwright"]
    stat = report.sources[1]
    assert any("not in the arXiv API yet" in note and "2612.01100" in note
               for note in stat.notes)
    # The replacement of a recorded paper raises its version; the unknown one is ignored.
    assert report.sources[0].versions == ["2611.09999: v1 -> v2"]
    state = json.loads((site / "fetch-state.json").read_text())
    assert state["sources"] == {"arxiv-cs.LG-cs.CL": "2026-12-02",
                                "arxiv-stat.ML": "2026-12-02", "huggingface": "2026-12-02"}
    assert state["papers"] == {"2611.09999": 2, "2612.00950": 1, "2612.01001": 1,
                               "2612.01100": 1, "2612.02001": 1}
    # Only the papers kept were asked of the API, in one request.
    assert [q["id_list"] for q in server.requests_to("/api/query")] == [
        "2612.01001,2612.00950", "2612.01100"]
    assert all(s <= 3.0 for s in fake_time.sleeps) and fake_time.sleeps.count(3.0) >= 3
    check = run_paperboy("check", "--site", str(site))
    assert check.returncode == 0, check.stderr


def test_the_report_in_markdown_and_json(make_site, server, fake_time) -> None:
    site = make_site({"content/2026-11-20/old.md": OLD_ENTRY, "fetch-state.json": OLD_STATE},
                     site_yaml=THREE_SOURCES)
    report = fetch(site, server, fake_time)
    markdown = report.to_markdown()
    assert "**4 new papers**" in markdown
    assert ("| arxiv-cs.LG-cs.CL | 2026-12-02 | ok | 3 | 3 | 3 | 0 | 1 | 2 |" in markdown)
    assert "| huggingface | 2026-12-02 | ok | 3 | 3 | 2 | 1 | 1 | 1 |" in markdown
    assert ("- `content/2026-12-02/2612.02001.md`: Video World Models that Remember"
            in markdown)
    assert "- new version: 2611.09999: v1 -> v2" in markdown
    data = json.loads(report.to_json())
    assert data["status"] == "ok" and data["written"] == 4
    first = data["sources"][0]
    assert (first["name"], first["fetched"], first["expected"], first["filtered"]) == (
        "arxiv-cs.LG-cs.CL", 3, 3, 1)
    assert first["written"][0] == {"path": "content/2026-12-02/2612.01001.md",
                                   "arxiv": "2612.01001",
                                   "title": "Sparse Mixtures of Experts for Streaming Speech "
                                            "Recognition"}


def test_a_second_run_writes_nothing_and_keeps_the_state(make_site, server, fake_time) -> None:
    site = make_site(site_yaml=THREE_SOURCES)
    first = fetch(site, server, fake_time)
    assert first.written == 4
    state = (site / "fetch-state.json").read_bytes()
    files = sorted((site / "content").rglob("*.md"))
    second = fetch(site, server, fake_time)
    assert second.written == 0 and second.status == "up to date"
    assert sorted((site / "content").rglob("*.md")) == files
    assert (site / "fetch-state.json").read_bytes() == state
    assert "up to date: the announcement of 2026-12-02 was fetched; the next is on the " \
           "evening of 2026-12-03 (Thursday)" in second.sources[0].notes[-1]


def test_a_weekend_is_reported_as_no_announcement(make_site, server, fake_time) -> None:
    site = make_site({"fetch-state.json": '{"format": 1, "sources": {"arxiv-cs.LG-cs.CL": '
                      '"2026-12-03"}, "papers": {}}\n'},
                     site_yaml=DEFAULT_SITE_YAML + "sources: [{type: arxiv, "
                                                   "categories: [cs.LG, cs.CL]}]\n")
    server.route("/rss/cs.LG+cs.CL", RSS_MAIN.replace(b"Thu, 03 Dec 2026", b"Fri, 04 Dec 2026"))
    for now, weekday in ((dt.datetime(2026, 12, 5, 2, 30, tzinfo=dt.UTC), "Friday"),
                         (dt.datetime(2026, 12, 6, 2, 30, tzinfo=dt.UTC), "Saturday")):
        report = fetch(site, server, fake_time, now)
        assert report.status == "no announcement" and report.written == 0
        (run,) = report.sources
        assert run.status == "no announcement" and run.problems == []
        assert (f"no arXiv announcement on the evening of {now.date() - dt.timedelta(days=1)} "
                f"({weekday}, US Eastern): arXiv does not announce on {weekday}s") in run.notes[-1]
        assert "No announcement since the last run" in report.to_markdown()
    assert not list((site / "content").rglob("*.md"))


def test_a_holiday_is_reported_as_no_announcement(make_site, server, fake_time) -> None:
    site = make_site({"fetch-state.json": '{"format": 1, "sources": {"arxiv-cs.LG-cs.CL": '
                      '"2026-11-25"}, "papers": {}}\n'},
                     site_yaml=DEFAULT_SITE_YAML + "sources: [{type: arxiv, "
                                                   "categories: [cs.LG, cs.CL]}]\n")
    server.route("/rss/cs.LG+cs.CL", RSS_MAIN.replace(b"Thu, 03 Dec 2026", b"Thu, 26 Nov 2026"))
    report = fetch(site, server, fake_time, dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC))
    assert report.status == "no announcement"
    assert "2026-11-26 (Thursday, US Eastern): an arXiv holiday" in report.sources[0].notes[-1]


def test_a_stale_feed_fails_loudly_and_keeps_the_place(make_site, server, fake_time) -> None:
    state = '{"format": 1, "sources": {"arxiv-cs.LG-cs.CL": "2026-12-02"}, "papers": {}}\n'
    site = make_site({"fetch-state.json": state},
                     site_yaml=DEFAULT_SITE_YAML + "sources: [{type: arxiv, "
                                                   "categories: [cs.LG, cs.CL]}]\n")
    # Thursday 3 December, 21:30 Eastern: the feed still holds Wednesday's announcement.
    report = fetch(site, server, fake_time, dt.datetime(2026, 12, 4, 2, 30, tzinfo=dt.UTC))
    assert report.status == "failed" and report.written == 0
    (problem,) = report.sources[0].problems
    assert problem.startswith("the RSS feed is stale: its latest announcement is of 2026-12-02, "
                              "but arXiv announced on the evening of 2026-12-03")
    assert "**FAILED: arxiv-cs.LG-cs.CL" in report.to_markdown()
    assert json.loads((site / "fetch-state.json").read_text())["sources"] == {
        "arxiv-cs.LG-cs.CL": "2026-12-02"}


def test_an_unexpected_announcement_on_a_listed_holiday_is_fetched(make_site, server,
                                                                   fake_time) -> None:
    site = make_site({"fetch-state.json": '{"format": 1, "sources": {"arxiv-cs.LG-cs.CL": '
                      '"2026-12-01"}, "papers": {}}\n'},
                     site_yaml=DEFAULT_SITE_YAML + "fetch: {holidays: [2026-12-02]}\n"
                     "sources: [{type: arxiv, categories: [cs.LG, cs.CL]}]\n")
    report = fetch(site, server, fake_time)
    assert report.status == "ok" and report.written == 3
    assert any("did not expect" in note for note in report.sources[0].notes)


def test_an_empty_feed_on_an_announcement_day_is_asked_again_then_fails(make_site, server,
                                                                        fake_time) -> None:
    site = make_site(site_yaml=DEFAULT_SITE_YAML + "sources: [{type: arxiv, "
                                                   "categories: [cs.LG, cs.CL]}]\n")
    server.route("/rss/cs.LG+cs.CL", (DATA / "arxiv-rss-empty.xml").read_bytes())
    report = fetch(site, server, fake_time)
    assert len(server.requests_to("/rss/cs.LG+cs.CL")) == 3
    assert report.status == "failed"
    assert "the RSS feed is stale: it is empty" in report.sources[0].problems[0]


def test_503_then_success(make_site, server, fake_time) -> None:
    site = make_site(site_yaml=DEFAULT_SITE_YAML + "sources: [{type: arxiv, "
                                                   "categories: [cs.LG, cs.CL]}]\n")
    server.route("/rss/cs.LG+cs.CL", Answer(b"busy", 503, {"Retry-After": "11"}), RSS_MAIN)
    server.route("/api/query", Answer(b"", 503), ATOM_IDS)
    report = fetch(site, server, fake_time)
    assert report.status == "ok" and report.written == 3
    # Retry-After for the feed; the pause before the API; the API's backoff of 3 s.
    assert fake_time.sleeps == [11.0, 3.0, 3.0]


QUERY_SITE = DEFAULT_SITE_YAML + """\
fetch: {page_size: 2}
sources:
  - type: arxiv
    query: 'abs:diffusion OR ti:"two-sample"'
"""


def test_a_paginated_search_is_followed_to_the_total(make_site, server, fake_time) -> None:
    for start, page in PAGES.items():
        server.route("/api/query", page, start=str(start))
    site = make_site(site_yaml=QUERY_SITE)
    report = fetch(site, server, fake_time)
    (run,) = report.sources
    assert (run.fetched, run.expected, run.new, len(run.written)) == (5, 5, 5, 5)
    queries = server.requests_to("/api/query")
    assert [(q["start"], q["max_results"]) for q in queries] == [("0", "2"), ("2", "2"),
                                                                  ("4", "2")]
    assert queries[0]["search_query"] == (
        '(abs:diffusion OR ti:"two-sample") AND '
        "submittedDate:[202612011901 TO 202612021900]")
    assert fake_time.sleeps == [3.0, 3.0]
    assert json.loads((site / "fetch-state.json").read_text())["papers"]["2612.00777"] == 2
    assert run_paperboy("check", "--site", str(site)).returncode == 0


def test_a_search_that_gives_fewer_papers_than_its_total_fails(make_site, server,
                                                             fake_time) -> None:
    server.route("/api/query", PAGES[0], start="0")
    server.route("/api/query", PAGES[0], start="2")  # paging repeated the first page
    server.route("/api/query", PAGES[4], start="4")
    site = make_site(site_yaml=QUERY_SITE)
    report = fetch(site, server, fake_time)
    assert report.status == "failed" and report.written == 0
    assert report.sources[0].problems == [
        "the arXiv API reported 5 results for the query but gave 3 distinct papers"]
    assert "arxiv-query" not in (site / "fetch-state.json").read_text()


def test_an_empty_first_page_is_asked_again_before_it_is_believed(make_site, server,
                                                                  fake_time) -> None:
    server.route("/api/query", EMPTY_PAGE, PAGES[0], start="0")
    for start in (2, 4):
        server.route("/api/query", PAGES[start], start=str(start))
    site = make_site(site_yaml=QUERY_SITE)
    report = fetch(site, server, fake_time)
    assert report.written == 5
    assert [q["start"] for q in server.requests_to("/api/query")] == ["0", "0", "2", "4"]
    assert "the arXiv API answered an empty page at 0; asked again" in report.sources[0].notes


def test_a_source_that_should_have_papers_but_has_none_fails(make_site, server,
                                                            fake_time) -> None:
    server.route("/api/query", EMPTY_PAGE)
    site = make_site(site_yaml=QUERY_SITE.replace("ti:\"two-sample\"'",
                                                  "ti:\"two-sample\"'\n    min_papers: 1"))
    report = fetch(site, server, fake_time)
    assert len(server.requests_to("/api/query")) == 3  # believed only after two retries
    assert report.status == "failed"
    assert report.sources[0].problems == [
        "the announcement of 2026-12-02 should have papers (at least 1, min_papers) but the "
        "source returned 0"]
    assert not (site / "fetch-state.json").read_text().count("arxiv-query")


def test_a_query_source_searches_the_last_day_again_for_late_papers(make_site, server,
                                                                    fake_time) -> None:
    for start, page in PAGES.items():
        server.route("/api/query", page, start=str(start))
    site = make_site({"fetch-state.json": '{"format": 1, "sources": {"arxiv-query-' +
                      _query_hash() + '": "2026-12-01"}, "papers": {"2612.01001": 1}}\n'},
                     site_yaml=QUERY_SITE)
    report = fetch(site, server, fake_time)
    (run,) = report.sources
    assert run.days == ["2026-12-01", "2026-12-02"]
    assert server.requests_to("/api/query")[0]["search_query"].endswith(
        "submittedDate:[202611301901 TO 202612021900]")
    # 2612.00950 (submitted Monday 16:00 Eastern) belongs to Tuesday's announcement, which
    # the last run fetched: indexed late, it comes now, with Tuesday's date.
    assert (site / "content/2026-12-01/2612.00950.md").is_file()
    assert (run.duplicates, len(run.written)) == (1, 4)


def _query_hash() -> str:
    from generator.slugs import short_hash

    return short_hash("abs:diffusion OR ti:\"two-sample\"")


def test_a_replaced_v2_in_a_search_updates_the_recorded_version(make_site, server,
                                                               fake_time) -> None:
    for start, page in PAGES.items():
        server.route("/api/query", page, start=str(start))
    site = make_site({"content/2026-12-01/diffusion.md": (
        '---\ntitle: Diffusion Models on Graphs\ndate: 2026-12-01\narxiv: "2612.00777"\n---\n'
        "Text.\n"), "fetch-state.json": '{"format": 1, "sources": {}, '
                                        '"papers": {"2612.00777": 1}}\n'},
        site_yaml=QUERY_SITE)
    report = fetch(site, server, fake_time)
    (run,) = report.sources
    assert (run.new, run.duplicates, run.versions) == (4, 1, ["2612.00777: v1 -> v2"])
    assert not (site / "content/2026-12-02/2612.00777.md").exists()


def test_a_paper_filtered_out_or_by_a_kept_author(make_site, server, fake_time) -> None:
    site = make_site(site_yaml=DEFAULT_SITE_YAML + """\
sources:
  - type: arxiv
    categories: [cs.LG, cs.CL]
    include: [experts]
    authors: [emmy noether]
""")
    report = fetch(site, server, fake_time)
    (run,) = report.sources
    assert [w.arxiv for w in run.written] == ["2612.01001", "2612.00950"]
    assert run.filtered == 1


def test_hugging_face_weekday_without_papers_fails_weekend_does_not(make_site, server,
                                                                   fake_time) -> None:
    site = make_site(site_yaml=DEFAULT_SITE_YAML + "sources: [{type: huggingface}]\n")
    monday = fetch(site, server, fake_time, dt.datetime(2026, 12, 8, 2, 0, tzinfo=dt.UTC))
    assert monday.status == "failed"
    assert "Hugging Face Daily Papers of 2026-12-07 (Monday) should have papers" in (
        monday.sources[0].problems[0])
    sunday = fetch(site, server, fake_time, dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC))
    assert sunday.status == "ok" and sunday.sources[0].notes == [
        "2026-12-06 (Sunday): no daily papers"]


def test_a_doi_or_title_already_present_is_not_written_twice(make_site, server,
                                                           fake_time) -> None:
    """`paperboy check` refuses two entries with one DOI or title: fetch must not make them."""
    site = make_site({
        "content/2026-11-01/kernel.md": "---\ntitle: Kernel tests\ndate: 2026-11-01\n"
                                        "doi: 10.1214/27-AOS0001\n---\nText.\n",
        "content/2026-11-01/video.md": "---\ntitle: Video world models that remember\n"
                                       "date: 2026-11-01\n---\nText.\n"},
        site_yaml=THREE_SOURCES)
    report = fetch(site, server, fake_time)
    notes = [note for run in report.sources for note in run.notes]
    assert "2612.00950: not written, same DOI 10.1214/27-AOS0001 as content/2026-11-01/kernel.md" \
        in notes
    assert "2612.02001: not written, same title as content/2026-11-01/video.md" in notes
    assert report.written == 2  # 2612.01001 and 2612.01100
    check = run_paperboy("check", "--site", str(site))
    assert check.returncode == 0, check.stderr


def test_the_report_neutralises_hostile_titles() -> None:
    from generator.fetch.report import FetchReport, SourceRun, Written

    run = SourceRun("arxiv-cs.LG", "arxiv", days=["2026-12-02"])
    run.written.append(Written("content/2026-12-02/2612.00001.md", "2612.00001",
                               "<img src=x onerror=alert(1)> [click](javascript:x) @octocat #1\n"
                               "| a | b |"))
    line = FetchReport(WEDNESDAY_NIGHT, [run]).to_markdown().splitlines()[-3]
    assert line == ("- `content/2026-12-02/2612.00001.md`: \\<img src=x onerror=alert(1)\\> "
                    "\\[click\\](javascript:x) @\u200boctocat #\u200b1 \\| a \\| b \\|")


def test_a_broken_state_file_is_a_clear_error(make_site, server, fake_time) -> None:
    from generator.diagnostics import UserError

    site = make_site({"fetch-state.json": '{"format": 1,\n "sources": {'},
                     site_yaml=THREE_SOURCES)
    with pytest.raises(UserError, match=r"^fetch-state.json:2: error: not valid JSON"):
        fetch(site, server, fake_time)
    (site / "fetch-state.json").write_text('{"format": 1, "sources": {"x": "yesterday"}}')
    with pytest.raises(UserError, match=r"not a fetch state .*delete it"):
        fetch(site, server, fake_time)


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
    b"<rss><channel><title>&b;</title></channel></rss>",
    b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>',
    b"not xml",
])
def test_a_feed_that_is_not_a_plain_rss_document_is_refused(data: bytes) -> None:
    from generator.fetch.arxiv_feed import parse_feed
    from generator.importers.arxiv_atom import ArxivError

    with pytest.raises(ArxivError):
        parse_feed(data)


def test_feed_items_keep_type_version_authors_and_references() -> None:
    from generator.fetch.arxiv_feed import parse_feed

    feed = parse_feed(RSS_MAIN)
    assert feed.published == dt.datetime(2026, 12, 3, 5, tzinfo=dt.UTC)
    assert [(i.paper.arxiv, i.paper.version, i.announce_type) for i in feed.items] == [
        ("2612.01001", 1, "new"), ("2612.01002", 1, "new"), ("2612.00950", 1, "cross"),
        ("2611.09999", 2, "replace"), ("2611.08888", 3, "replace-cross")]
    kernel = feed.items[2].paper
    assert kernel.authors == ("Emmy Noether", "Sofia Kovalevskaya")
    assert (kernel.doi, kernel.journal_ref) == ("10.1214/27-AOS0001",
                                                "Ann. Statist. 55 (2027) 1-30")
    assert kernel.abstract.startswith("We give a kernel two-sample test")


def test_calendar_windows_and_days() -> None:
    calendar = ArxivCalendar()
    eastern = dt.timezone(dt.timedelta(hours=-5))
    # Sunday's announcement carries Thursday 14:00 to Friday 14:00 (US Eastern).
    sunday = dt.date(2026, 12, 6)
    assert calendar.window(sunday) == (dt.datetime(2026, 12, 3, 14, tzinfo=eastern),
                                       dt.datetime(2026, 12, 4, 14, tzinfo=eastern))
    assert calendar.announcement_of(dt.datetime(2026, 12, 4, 15, tzinfo=eastern)) == (
        dt.date(2026, 12, 7))
    assert [calendar.announces(dt.date(2026, 12, d)) for d in range(6, 13)] == [
        True, True, True, True, True, False, False]  # Sunday to Saturday
    assert not calendar.announces(dt.date(2026, 11, 26))  # Thanksgiving
    # Thanksgiving: Sunday's announcement also carries what Wednesday's cutoff left.
    assert calendar.window(dt.date(2026, 11, 29))[0] == dt.datetime(2026, 11, 25, 14,
                                                                     tzinfo=eastern)
    assert calendar.latest(dt.datetime(2026, 12, 5, 2, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 3)
    # Daylight saving time: 20:00 Eastern is 00:00 UTC in summer, 01:00 in winter.
    assert calendar.announced_at(dt.date(2026, 7, 1)).astimezone(dt.UTC).hour == 0
    assert calendar.announced_at(dt.date(2026, 12, 1)).astimezone(dt.UTC).hour == 1
