"""Week and month rollups of the digest and the calendar of issues."""

from __future__ import annotations

import datetime as dt

from generator.models import Paper, SourceRef
from generator.site.rollups import month_label, month_span, plan_calendar, plan_rollups


def paper(slug: str, date: str, upvotes: int | None = None) -> Paper:
    return Paper(slug, slug, "text", dt.date.fromisoformat(date), SourceRef("a.md"),
                 upvotes=upvotes)


PAPERS = [paper("a", "2026-06-29", 3), paper("b", "2026-07-01"), paper("c", "2026-07-05", 9),
          paper("d", "2026-07-06"), paper("e", "2026-08-01")]


def test_daily_sites_get_weeks_and_months_ranked_by_upvotes() -> None:
    rollups = plan_rollups(PAPERS, "daily")
    assert [(r.kind, r.key) for r in rollups] == [
        ("week", "2026-W31"), ("week", "2026-W28"), ("week", "2026-W27"),
        ("month", "2026-08"), ("month", "2026-07"), ("month", "2026-06")]
    week = rollups[2]
    assert week.slugs == ("c", "a", "b")  # most upvoted first, then newest
    assert week.trending == ("c", "a")  # only papers that have upvotes trend
    assert (week.start, week.end) == (dt.date(2026, 6, 29), dt.date(2026, 7, 5))
    july = rollups[4]
    assert july.slugs == ("c", "d", "b") and july.label == "July 2026"
    assert rollups[1].trending == ()


def test_weekly_sites_get_months_only_because_their_issues_are_weeks() -> None:
    assert {r.kind for r in plan_rollups(PAPERS, "weekly")} == {"month"}


def test_month_span_and_label_handle_february_of_a_leap_year() -> None:
    assert month_span("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert month_label("2028-02") == "February 2028"


def test_calendar_links_days_weeks_and_months_and_pads_to_mondays() -> None:
    days = {dt.date(2026, 7, 1): ("/d/2026-07-01/", 4)}
    months = plan_calendar(days, {"2026-W27": "/d/2026-W27/"},
                           {"2026-07": "/d/2026-07/", "2026-06": "/d/2026-06/"})
    assert [m.key for m in months] == ["2026-07", "2026-06"]  # newest first
    july = months[0]
    first = july.weeks[0]
    assert first.number == 27 and first.url == "/d/2026-W27/"
    # 1 July 2026 is a Wednesday: Monday and Tuesday are padding
    assert [d.day for d in first.days] == [0, 0, 1, 2, 3, 4, 5]
    assert first.days[2].url == "/d/2026-07-01/" and first.days[2].count == 4
    assert all(d.url is None for w in july.weeks for d in w.days if d.day != 1)
    assert sum(1 for w in july.weeks for d in w.days if d.day) == 31
    assert july.weeks[1].url is None  # week 28 has no issue or rollup
