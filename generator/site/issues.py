"""Digest issues: papers grouped by period (a day, or an ISO week) and capped per issue.

Pure and deterministic: the key of an issue (``2026-07-04`` or ``2026-W27``) depends only on
the dates of its papers, so issue URLs never move when papers are added.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from generator.models import Paper

PERIODS = ("daily", "weekly")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True)
class Issue:
    """One digest issue. ``papers`` is ranked (most upvoted, then newest) and capped."""

    key: str
    start: dt.date
    end: dt.date
    label: str
    papers: tuple[Paper, ...]
    total: int  # papers in the period before the cap

    @property
    def more(self) -> int:
        return self.total - len(self.papers)


def issue_key(date: dt.date, period: str) -> str:
    if period == "weekly":
        year, week, _ = date.isocalendar()
        return f"{year}-W{week:02d}"
    return date.isoformat()


def issue_span(key: str) -> tuple[dt.date, dt.date]:
    """First and last day of an issue, from its key."""
    if "-W" in key:
        year, week = key.split("-W")
        start = dt.date.fromisocalendar(int(year), int(week), 1)
        return start, start + dt.timedelta(days=6)
    day = dt.date.fromisoformat(key)
    return day, day


def day_label(date: dt.date) -> str:
    """Locale-independent, so builds are identical on every machine."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def issue_label(key: str) -> str:
    start, end = issue_span(key)
    if start == end:
        return day_label(start)
    week = key.split("-W")[1].lstrip("0")
    first = f"{start.day} {MONTHS[start.month - 1]}"
    if start.year != end.year:
        first += f" {start.year}"
    return f"Week {week}, {end.year} ({first} – {day_label(end)})"


def rank(papers: Sequence[Paper]) -> list[Paper]:
    """Most upvoted first where upvotes exist, then newest, then by slug (a stable order)."""
    return sorted(papers, key=lambda p: (-(p.upvotes or 0), -p.date.toordinal(), p.slug))


def plan_issues(papers: Sequence[Paper], period: str, limit: int) -> tuple[Issue, ...]:
    """Issues newest first; ``limit`` 0 keeps every paper of the period."""
    by_key: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:
        by_key[issue_key(paper.date, period)].append(paper)
    issues = []
    for key in sorted(by_key, reverse=True):
        ranked = rank(by_key[key])
        chosen = ranked[:limit] if limit else ranked
        start, end = issue_span(key)
        issues.append(Issue(key, start, end, issue_label(key), tuple(chosen), len(ranked)))
    return tuple(issues)
