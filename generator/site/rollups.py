"""Weekly and monthly rollups of the digest, and the calendar of issues on the digests page.

A rollup gathers every paper of an ISO week (``2026-W27``) or a month (``2026-07``), most
upvoted first ("trending"), whatever ``digest.period`` is: a daily site gets week and month
rollups, a weekly site (whose issues already are weeks) gets month rollups. Rollups live beside
the issues under ``digests/<key>/``; keys of days, weeks and months never collide.

Pure and deterministic: keys depend only on the dates of the papers.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.models import Paper
from generator.site.issues import MONTHS, issue_key, issue_label, issue_span, rank

TRENDING = 10  # most upvoted papers shown first on a rollup


@dataclass(frozen=True)
class Rollup:
    """The papers of one week or month. ``slugs`` are ranked: most upvoted, newest, slug."""

    key: str  # "2026-W27" or "2026-07"
    kind: str  # "week" or "month"
    start: dt.date
    end: dt.date
    label: str
    slugs: tuple[str, ...]
    trending: tuple[str, ...]  # the most upvoted slugs, when any paper has upvotes


def month_key(date: dt.date) -> str:
    return f"{date.year:04d}-{date.month:02d}"


def month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {int(year)}"


def month_span(key: str) -> tuple[dt.date, dt.date]:
    year, month = (int(part) for part in key.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def rollup_kinds(period: str) -> tuple[str, ...]:
    """Weeks only where issues are shorter than a week."""
    return ("week", "month") if period == "daily" else ("month",)


def plan_rollups(papers: Sequence[Paper], period: str) -> tuple[Rollup, ...]:
    """Every rollup of the site: weeks newest first, then months newest first."""
    rollups: list[Rollup] = []
    for kind in rollup_kinds(period):
        members: dict[str, list[Paper]] = defaultdict(list)
        for paper in papers:
            key = issue_key(paper.date, "weekly") if kind == "week" else month_key(paper.date)
            members[key].append(paper)
        for key in sorted(members, reverse=True):
            ranked = rank(members[key])
            start, end = issue_span(key) if kind == "week" else month_span(key)
            label = issue_label(key) if kind == "week" else month_label(key)
            trending = tuple(p.slug for p in ranked[:TRENDING] if p.upvotes)
            rollups.append(Rollup(key, kind, start, end, label,
                                  tuple(p.slug for p in ranked), trending))
    return tuple(rollups)


@dataclass(frozen=True)
class CalendarDay:
    day: int  # 0: a padding cell outside the month
    url: str | None  # the day's issue, when there is one
    count: int = 0


@dataclass(frozen=True)
class CalendarWeek:
    number: int  # ISO week
    url: str | None  # the week's issue or rollup
    days: tuple[CalendarDay, ...]  # Monday to Sunday


@dataclass(frozen=True)
class CalendarMonth:
    label: str  # "July 2026"
    key: str
    url: str | None  # the month's rollup
    weeks: tuple[CalendarWeek, ...]


def plan_calendar(days: Mapping[dt.date, tuple[str, int]], weeks: Mapping[str, str],
                  months: Mapping[str, str]) -> tuple[CalendarMonth, ...]:
    """Month grids, newest month first, of every month that has papers.

    ``days``: date -> (URL of its issue, papers) for daily issues; ``weeks``: ISO week key ->
    URL; ``months``: month key -> URL (the months to draw)."""
    result = []
    for key in sorted(months, reverse=True):
        year, month = (int(part) for part in key.split("-"))
        rows = []
        for row in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for date in row:
                if date.month != month:
                    cells.append(CalendarDay(0, None))
                    continue
                url, count = days.get(date, (None, 0))
                cells.append(CalendarDay(date.day, url, count))
            week = issue_key(row[0], "weekly")
            rows.append(CalendarWeek(int(week.split("-W")[1]), weeks.get(week), tuple(cells)))
        result.append(CalendarMonth(month_label(key), key, months[key], tuple(rows)))
    return tuple(result)
