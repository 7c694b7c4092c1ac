"""arXiv's announcement calendar: which evenings bring papers, and which submissions each brings.

arXiv announces new submissions at 20:00 US Eastern on Sunday to Thursday evenings, and not on
Friday or Saturday or on its holidays. Submissions close at 14:00 Eastern on weekdays: the
announcement of an evening carries what was submitted between the previous announcement's
cutoff and the cutoff of the latest weekday (not a holiday) on or before that evening, so
Sunday's carries Thursday 14:00 to Friday 14:00 and Monday's Friday 14:00 to Monday 14:00.

Days here are announcement *evenings* in US Eastern time: the papers arXiv lists as
"Monday" (its listing pages and RSS feed date them the next morning) were announced on Sunday
evening and are dated Sunday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
ANNOUNCE_TIME = dt.time(20, 0)
CUTOFF_TIME = dt.time(14, 0)
ANNOUNCE_WEEKDAYS = frozenset({6, 0, 1, 2, 3})  # Sunday to Thursday (Monday is 0)
_SEARCH_DAYS = 40  # longer than any run of days without an announcement

# Evenings (US Eastern) on which arXiv said it would make no announcement, from the holiday
# schedule it publishes each year (see the README, "Daily imports", for how to extend it).
# Only Sunday-Thursday dates matter: Fridays and Saturdays never have an announcement.
ARXIV_HOLIDAYS: frozenset[dt.date] = frozenset(dt.date.fromisoformat(day) for day in (
    "2024-11-28",  # Thanksgiving
    "2024-12-25",  # Christmas Day
    "2025-01-01",  # New Year's Day
    "2025-11-27",  # Thanksgiving
    "2025-12-25",  # Christmas Day
    "2025-12-31",  # New Year's Eve
    "2026-01-01",  # New Year's Day
    "2026-11-26",  # Thanksgiving
    "2026-12-24",  # Christmas Eve
    "2026-12-31",  # New Year's Eve
))


@dataclass(frozen=True)
class ArxivCalendar:
    """The announcement rules plus the holiday list (built in, and extra ones from site.yaml)."""

    holidays: frozenset[dt.date] = ARXIV_HOLIDAYS

    @classmethod
    def with_extra(cls, extra: Iterable[dt.date]) -> ArxivCalendar:
        return cls(ARXIV_HOLIDAYS | frozenset(extra))

    def announces(self, day: dt.date) -> bool:
        return day.weekday() in ANNOUNCE_WEEKDAYS and day not in self.holidays

    def why_silent(self, day: dt.date) -> str:
        """Why ``day`` has no announcement ("" when it has one)."""
        if day.weekday() in (4, 5):
            return f"arXiv does not announce on {day:%A}s"
        if day in self.holidays:
            return "an arXiv holiday"
        return ""

    def announced_at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, ANNOUNCE_TIME, tzinfo=EASTERN)

    def evening_of(self, moment: dt.datetime) -> dt.date:
        """The Eastern evening whose 20:00 is the latest one at or before ``moment``."""
        local = moment.astimezone(EASTERN)
        day = local.date()
        return day if local.time() >= ANNOUNCE_TIME else day - dt.timedelta(days=1)

    def latest(self, now: dt.datetime) -> dt.date:
        """The last announcement made at or before ``now``."""
        day = self.evening_of(now)
        for _ in range(_SEARCH_DAYS):
            if self.announces(day):
                return day
            day -= dt.timedelta(days=1)
        raise ValueError(f"no arXiv announcement in the {_SEARCH_DAYS} days before {now}")

    def announcements(self, after: dt.date, upto: dt.date) -> list[dt.date]:
        """Announcement evenings later than ``after`` and not later than ``upto``, in order."""
        days, day = [], after + dt.timedelta(days=1)
        while day <= upto:
            if self.announces(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def previous(self, day: dt.date) -> dt.date:
        """The announcement before ``day``."""
        earlier = day - dt.timedelta(days=1)
        for _ in range(_SEARCH_DAYS):
            if self.announces(earlier):
                return earlier
            earlier -= dt.timedelta(days=1)
        raise ValueError(f"no arXiv announcement in the {_SEARCH_DAYS} days before {day}")

    def cutoff(self, day: dt.date) -> dt.datetime:
        """When submissions closed for the announcement of evening ``day`` (aware, Eastern)."""
        business = day
        while business.weekday() >= 5 or business in self.holidays:
            business -= dt.timedelta(days=1)
        return dt.datetime.combine(business, CUTOFF_TIME, tzinfo=EASTERN)

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """Submission times (start exclusive, end inclusive) announced on evening ``day``."""
        return self.cutoff(self.previous(day)), self.cutoff(day)

    def announcement_of(self, submitted: dt.datetime) -> dt.date:
        """The evening that announces a paper submitted at ``submitted`` (by the cutoffs)."""
        day = submitted.astimezone(EASTERN).date()
        for _ in range(_SEARCH_DAYS):
            if self.announces(day) and self.cutoff(day) >= submitted:
                return day
            day += dt.timedelta(days=1)
        raise ValueError(f"no arXiv announcement in the {_SEARCH_DAYS} days after {submitted}")
