"""`paperboy fetch`: bring what is new in every source of site.yaml, as entry files.

For each source the run works out which days are due since the last run (arXiv's calendar
for arXiv, calendar days for Hugging Face), fetches them, checks the answer against what the
source says it holds, and writes one entry per paper not seen before. A source that fails
writes nothing and keeps its place, so the next run tries the same days again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.config import ArxivSource, HuggingFaceSource, SiteConfig
from generator.content import identity_keys, load_scan
from generator.fetch.arxiv_feed import FeedItem, feed_url, parse_feed, rss_url
from generator.fetch.calendar import EASTERN, ArxivCalendar
from generator.fetch.report import (
    FAILED,
    NO_ANNOUNCEMENT,
    UP_TO_DATE,
    FetchReport,
    SourceRun,
    Written,
)
from generator.fetch.state import FetchState, load_state, save_state
from generator.importers.arxiv_atom import (
    ArxivError,
    AtomPaper,
    api_url,
    fetch_atom,
    parse_atom,
    parse_atom_page,
    query_api,
)
from generator.importers.entry_writer import Entry, write_entries
from generator.importers.fresh import checked_entry
from generator.importers.hf import parse_daily_paper
from generator.importers.polite_http import HttpError, PoliteClient, arxiv_client, hf_client

DEFAULT_HF_URL = "https://huggingface.co/api/"
HF_URL_ENV = "PAPERBOY_HF_API"
IDS_PER_REQUEST = 100
MAX_RESULTS = 30_000  # the arXiv API serves no more results than this for one query
EMPTY_PAGE_RETRIES = 2  # an empty answer is asked again this many times before it is believed
NEW_TYPES = ("new", "cross")
REPLACED_TYPES = ("replace", "replace-cross")


@dataclass
class _Staged:
    """An entry accepted in this run, written at its end; ``run`` is the source that took it."""

    entry: Entry
    version: int
    run: SourceRun


@dataclass
class Services:
    """Where the sources live and the clients that ask them (tests point them elsewhere)."""

    arxiv_api: str
    arxiv_rss: str
    hf_api: str
    arxiv: PoliteClient = field(default_factory=arxiv_client)
    hf: PoliteClient = field(default_factory=hf_client)

    @classmethod
    def from_config(cls, config: SiteConfig) -> Services:
        hf = config.fetch.hf_api or os.environ.get(HF_URL_ENV) or DEFAULT_HF_URL
        return cls(arxiv_api=api_url(config.fetch.arxiv_api or None),
                   arxiv_rss=rss_url(config.fetch.arxiv_rss),
                   hf_api=hf if hf.endswith("/") else hf + "/")


def run_fetch(site_dir: Path, config: SiteConfig, now: dt.datetime,
              services: Services | None = None) -> FetchReport:
    """Fetch every source of ``config``, write the new entries and the state; the report."""
    services = services or Services.from_config(config)
    state_path = site_dir / config.fetch.state
    state = load_state(state_path)
    run = _Run(config, now, services, state, site_dir)
    report = FetchReport(now, [run.source(source) for source in config.sources])
    run.write_pending()
    save_state(state_path, state)
    return report


class _Run:
    def __init__(self, config: SiteConfig, now: dt.datetime, services: Services,
                 state: FetchState, site_dir: Path) -> None:
        self.config, self.now, self.services, self.state = config, now, services, state
        self.content_dir = site_dir / config.content_dir
        self.calendar = ArxivCalendar.with_extra(config.fetch.holidays)
        # What `paperboy check` compares between entries (arXiv ID, DOI, title) -> where.
        self.identities: dict[tuple[str, str], str] = {}
        scan = load_scan(site_dir, config.content_dir, include_drafts=True,
                         max_entry_bytes=config.max_entry_bytes)
        for checked in scan.entries:
            for name, key, _reason in identity_keys(checked):
                self.identities.setdefault((name, key), checked.path)
        self.known: set[str] = ({key for name, key in self.identities if name == "arxiv"}
                                | {arxiv.casefold() for arxiv in state.versions})
        # Accepted in this run, written at its end: arXiv ID -> [entry, version, source run].
        self.pending: dict[str, _Staged] = {}

    # -- one source, whatever its kind ---------------------------------------------------

    def source(self, source: ArxivSource | HuggingFaceSource) -> SourceRun:
        run = SourceRun(source.name, source.kind)
        try:
            if isinstance(source, ArxivSource):
                found, last = self._arxiv(source, run)
            else:
                found, last = self._huggingface(source, run)
        except (ArxivError, HttpError) as error:
            run.fail(str(error))
            return run
        if run.status == FAILED:
            return run
        self._stage(found, run)
        if last is not None:
            self.state.last_day[source.name] = last
        return run

    def write_pending(self) -> None:
        """Write every entry accepted in this run, in the order the sources gave them."""
        staged = list(self.pending.values())
        paths = write_entries([item.entry for item in staged], self.content_dir)
        for path, item in zip(paths, staged, strict=True):
            self.state.versions[item.entry.arxiv or ""] = item.version
            item.run.written.append(Written(
                path.relative_to(self.content_dir.parent).as_posix(), item.entry.arxiv or "",
                item.entry.title))

    def _merge_listing(self, entry: Entry, run: SourceRun) -> bool:
        """A Hugging Face paper another source took in this run lends it its upvotes and
        links; True when it did."""
        staged = self.pending.get((entry.arxiv or "").casefold())
        if staged is None:
            return False
        mine = staged.entry
        staged.entry = replace(mine, upvotes=entry.upvotes if entry.upvotes is not None
                               else mine.upvotes, code=mine.code or entry.code,
                               project=mine.project or entry.project,
                               thumbnail=mine.thumbnail or entry.thumbnail)
        run.notes.append(f"{entry.arxiv}: upvotes and links added to the entry from "
                         f"{staged.run.name}")
        return True

    def _stage(self, found: list[tuple[Entry, int]], run: SourceRun) -> None:
        """Accept the entries `paperboy check` will accept; the others are problems."""
        for entry, version in found:
            errors, keys = checked_entry(entry)
            run.problems.extend(f"{entry.arxiv}: not written: {error}" for error in errors)
            clash = next(((reason, self.identities[(name, key)]) for name, key, reason in keys
                          if (name, key) in self.identities), None)
            if clash:
                run.duplicates += 1
                run.notes.append(f"{entry.arxiv}: not written, {clash[0]} as {clash[1]}")
            elif not errors:
                self.pending[(entry.arxiv or "").casefold()] = _Staged(entry, version, run)
                for name, key, _reason in keys:
                    self.identities[(name, key)] = f"{entry.date}/{entry.arxiv} (this run)"

    def _take(self, paper: AtomPaper | Entry, version: int, wanted: bool,
              run: SourceRun) -> bool:
        """Count ``paper``; True when it is new to the site and ``wanted`` by the source's
        filters (it is then reserved: a later source counts it as a duplicate). A paper one
        source filters out stays free for the next."""
        run.fetched += 1
        arxiv = paper.arxiv or ""
        if arxiv.casefold() in self.known:
            run.duplicates += 1
            self._note_version(arxiv, version, run)
            return False
        run.new += 1
        if not wanted:
            run.filtered += 1
            return False
        self.known.add(arxiv.casefold())
        return True

    def _note_version(self, arxiv: str, version: int, run: SourceRun) -> None:
        recorded = self.state.versions.get(arxiv)
        if recorded is not None and version > recorded:
            run.versions.append(f"{arxiv}: v{recorded} -> v{version}")
            self.state.versions[arxiv] = version

    # -- arXiv ---------------------------------------------------------------------------

    def _arxiv(self, source: ArxivSource,
               run: SourceRun) -> tuple[list[tuple[Entry, int]], dt.date | None]:
        latest = self.calendar.latest(self.now)
        last = self.state.last_day.get(source.name)
        days = [latest] if last is None else self.calendar.announcements(last, latest)
        feed_items: list[FeedItem] | None = None
        if source.categories and not source.query:
            feed_day, feed_items = self._feed(source, run, expect=bool(days))
            if run.status == FAILED:
                return [], None
            if feed_day is not None and feed_day > (days[-1] if days else (last or latest)):
                run.notes.append(f"the feed has an announcement of {feed_day} that the calendar "
                                 "did not expect (a holiday in the list that arXiv did not keep?)")
                days.append(feed_day)
            elif days and (feed_day is None or feed_day < days[-1]):
                shown = f"its latest announcement is of {feed_day}" if feed_day else "it is empty"
                run.fail(f"the RSS feed is stale: {shown}, but arXiv announced on the evening "
                         f"of {days[-1]} (US Eastern). Run again later; if {days[-1]} was an "
                         "arXiv holiday, add it to fetch.holidays in site.yaml")
                return [], None
            elif not days:
                feed_items = None
        if not days:
            run.status, note = self._silence(last)
            run.notes.append(note)
            return [], None
        if len(days) > self.config.fetch.max_days:
            skipped = days[:-self.config.fetch.max_days]
            run.notes.append(f"{len(skipped)} older announcements ({skipped[0]} to {skipped[-1]}) "
                             f"were not fetched: at most fetch.max_days = "
                             f"{self.config.fetch.max_days} per run")
            days = days[-self.config.fetch.max_days:]
        searched = days[:-1] if feed_items is not None else list(days)
        if feed_items is None and last is not None and self.calendar.announces(last):
            # The API's index can lag the announcement: the last day fetched is searched again,
            # so its papers indexed late still come (the others are duplicates).
            searched.insert(0, last)
            days.insert(0, last)
            run.notes.append(f"searched the announcement of {last} again for papers the API "
                             "indexed late")
        run.days = [day.isoformat() for day in days]
        per_day: dict[dt.date, list[AtomPaper]] = {day: [] for day in days}
        if searched:
            for paper in self._search(source, searched, run):
                per_day[self._clamp(paper, searched)].append(paper)
        if feed_items is not None:
            per_day[days[-1]] = self._from_feed(feed_items, run)
        for day, papers in per_day.items():
            if len(papers) < source.min_papers and day != last:
                run.fail(f"the announcement of {day} should have papers (at least "
                         f"{source.min_papers}, min_papers) but the source returned "
                         f"{len(papers)}")
        if run.status == FAILED:
            return [], None
        kept: list[tuple[AtomPaper, dt.date]] = []
        for day, papers in per_day.items():
            for paper in papers:
                if self._take(paper, paper.version, _wanted(paper, source), run):
                    kept.append((paper, day))
        if feed_items is not None:
            kept = self._complete(kept, days[-1], run)
        return [(paper.to_entry(day), paper.version) for paper, day in kept], days[-1]

    def _silence(self, last: dt.date | None) -> tuple[str, str]:
        """Status and note of a run with nothing due: no announcement, or already fetched."""
        evening = self.calendar.evening_of(self.now)
        why = self.calendar.why_silent(evening)
        if why:
            return NO_ANNOUNCEMENT, (f"no arXiv announcement on the evening of {evening} "
                                     f"({evening:%A}, US Eastern): {why}; the last one, of "
                                     f"{last}, was fetched before")
        upcoming = self.calendar.announcements(evening, evening + dt.timedelta(days=14))[0]
        return UP_TO_DATE, (f"up to date: the announcement of {last} was fetched; the next is "
                            f"on the evening of {upcoming} ({upcoming:%A}), 20:00 US Eastern")

    def _clamp(self, paper: AtomPaper, days: list[dt.date]) -> dt.date:
        """The announcement day of a searched paper, kept within the days searched."""
        if paper.published is None:
            return days[-1]
        day = self.calendar.announcement_of(paper.published)
        return min(max(day, days[0]), days[-1])

    def _feed(self, source: ArxivSource, run: SourceRun,
              expect: bool) -> tuple[dt.date | None, list[FeedItem]]:
        """The evening the feed announces (None when it is empty) and its items.

        An empty feed on a day that should have an announcement is asked again before it is
        believed.
        """
        url = feed_url(self.services.arxiv_rss, source.categories)
        for attempt in range(EMPTY_PAGE_RETRIES + 1 if expect else 1):
            feed = parse_feed(self.services.arxiv.get(url, "arXiv RSS feed"))
            if feed.items:
                break
            if attempt < EMPTY_PAGE_RETRIES and expect:
                run.notes.append("the RSS feed was empty; asked again")
        run.problems.extend(feed.problems)
        if not feed.items:
            return None, []
        if feed.published is None:
            run.fail(f"the RSS feed {url} has no date (pubDate); cannot tell which "
                     "announcement it holds")
            return None, []
        day = self.calendar.evening_of(feed.published)
        listed = feed.published.astimezone(EASTERN).date()
        run.notes.append(f"RSS feed dated {listed}: the announcement of the evening of {day}")
        return day, list(feed.items)

    def _from_feed(self, items: list[FeedItem], run: SourceRun) -> list[AtomPaper]:
        """New and cross-listed papers of the feed; replacements only update versions."""
        papers: list[AtomPaper] = []
        for item in items:
            if item.announce_type in REPLACED_TYPES:
                self._note_version(item.paper.arxiv, item.paper.version, run)
                known = item.paper.arxiv.casefold() in self.known
                if known and item.paper.arxiv not in self.state.versions:
                    self.state.versions[item.paper.arxiv] = item.paper.version
            elif item.announce_type in NEW_TYPES:
                papers.append(item.paper)
        unique = list({paper.arxiv: paper for paper in papers}.values())
        run.add_expected(len(unique))
        return unique

    def _complete(self, kept: list[tuple[AtomPaper, dt.date]], day: dt.date,
                  run: SourceRun) -> list[tuple[AtomPaper, dt.date]]:
        """Feed papers with the API's full record (comment, journal, DOI, every author)."""
        from_feed = [paper.arxiv for paper, when in kept if when == day]
        full: dict[str, AtomPaper] = {}
        for start in range(0, len(from_feed), IDS_PER_REQUEST):
            batch = from_feed[start:start + IDS_PER_REQUEST]
            papers, problems = parse_atom(fetch_atom(batch, self.services.arxiv_api,
                                                     self.services.arxiv))
            full.update((paper.arxiv, paper) for paper in papers)
            run.problems.extend(f"arXiv API: {line}" for line in problems)
        missing = [arxiv for arxiv in from_feed if arxiv not in full]
        if missing:
            run.notes.append(f"{len(missing)} of {len(from_feed)} papers are not in the arXiv "
                             f"API yet and were written from the feed: {', '.join(missing)}")
        return [(full.get(paper.arxiv, paper) if when == day else paper, when)
                for paper, when in kept]

    def _search(self, source: ArxivSource, days: list[dt.date],
                run: SourceRun) -> list[AtomPaper]:
        """Every paper of the query submitted in the windows of ``days``, page by page."""
        start_time = self.calendar.window(days[0])[0] + dt.timedelta(minutes=1)
        end_time = self.calendar.window(days[-1])[1]
        parts = [f"({source.query})"] if source.query else []
        if source.categories:
            parts.append("(" + " OR ".join(f"cat:{c}" for c in source.categories) + ")")
        parts.append(f"submittedDate:[{_api_time(start_time)} TO {_api_time(end_time)}]")
        query = " AND ".join(parts)
        page_size = self.config.fetch.page_size
        papers: list[AtomPaper] = []
        total: int | None = None
        while total is None or len(papers) < total:
            page = None
            for _attempt in range(EMPTY_PAGE_RETRIES + 1):
                page = parse_atom_page(query_api(
                    self.services.arxiv_api,
                    {"search_query": query, "start": len(papers), "max_results": page_size,
                     "sortBy": "submittedDate", "sortOrder": "ascending"},
                    self.services.arxiv))
                if page.papers:
                    break
                if _attempt < EMPTY_PAGE_RETRIES:
                    run.notes.append(f"the arXiv API answered an empty page at {len(papers)}; "
                                     "asked again")
            assert page is not None
            run.problems.extend(f"arXiv API: {line}" for line in page.problems)
            if page.total is None:
                run.fail("the arXiv API answer has no opensearch:totalResults")
                return []
            total = page.total
            if total > MAX_RESULTS:
                run.fail(f"the query matches {total} papers, more than the arXiv API serves "
                         f"({MAX_RESULTS}); narrow it")
                return []
            if not page.papers:
                break
            papers.extend(page.papers)
        run.add_expected(total or 0)
        distinct = list({paper.arxiv: paper for paper in papers}.values())
        if len(distinct) != (total or 0):  # the API's paging has been seen to repeat papers
            run.fail(f"the arXiv API reported {total} results for the query but gave "
                     f"{len(distinct)} distinct papers")
        return distinct

    # -- Hugging Face --------------------------------------------------------------------

    def _huggingface(self, source: HuggingFaceSource,
                     run: SourceRun) -> tuple[list[tuple[Entry, int]], dt.date | None]:
        yesterday = self.now.astimezone(dt.UTC).date() - dt.timedelta(days=1)
        last = self.state.last_day.get(source.name)
        days = ([yesterday] if last is None else
                [last + dt.timedelta(days=n) for n in range(1, (yesterday - last).days + 1)])
        if not days:
            run.status = UP_TO_DATE
            run.notes.append(f"up to date: the last complete day, {yesterday}, was fetched")
            return [], None
        if len(days) > self.config.fetch.max_days:
            run.notes.append(f"{len(days) - self.config.fetch.max_days} older days were not "
                             f"fetched: at most fetch.max_days = {self.config.fetch.max_days} "
                             "per run")
            days = days[-self.config.fetch.max_days:]
        listed: list[Entry] = []
        for day in days:
            entries = self._hf_day(day, run)
            if entries is None:
                return [], None
            if len(entries) < source.min_papers and day.weekday() < 5:
                run.fail(f"Hugging Face Daily Papers of {day} ({day:%A}) should have papers "
                         f"(at least {source.min_papers}, min_papers) but lists {len(entries)}")
                return [], None
            if not entries:
                run.notes.append(f"{day} ({day:%A}): no daily papers")
            run.days.append(day.isoformat())
            listed.extend(entries)
        found = [(entry, 1) for entry in listed
                 if self._take(entry, 1, (entry.upvotes or 0) >= source.min_upvotes, run)]
        for entry in listed:
            self._merge_listing(entry, run)
        return found, days[-1]

    def _hf_day(self, day: dt.date, run: SourceRun) -> list[Entry] | None:
        url = f"{self.services.hf_api}daily_papers?date={day.isoformat()}"
        try:
            data = json.loads(self.services.hf.get(url, "Hugging Face API"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            run.fail(f"the Hugging Face API answer for {day} is not JSON: {error}")
            return None
        if not isinstance(data, list):
            run.fail(f"the Hugging Face API answer for {day} is not a list of papers")
            return None
        run.add_expected(len(data))
        entries: list[Entry] = []
        for index, record in enumerate(data):
            try:
                entries.append(parse_daily_paper(record, day))
            except (TypeError, ValueError) as error:
                run.problems.append(f"{day} item {index}: skipped: {error}")
        return entries


def _wanted(paper: AtomPaper, source: ArxivSource) -> bool:
    """The include/exclude terms on title and abstract; the source's authors always pass."""
    if source.authors and _any_author(paper.authors, source.authors):
        return True
    text = f"{paper.title}\n{paper.abstract}".casefold()
    if any(_mentions(text, term) for term in source.exclude):
        return False
    return not source.include or any(_mentions(text, term) for term in source.include)


def _mentions(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term.casefold())}(?!\w)", text) is not None


def _any_author(names: Iterable[str], wanted: Iterable[str]) -> bool:
    have = {" ".join(name.casefold().split()) for name in names}
    return any(" ".join(name.casefold().split()) in have for name in wanted)


def _api_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M")

