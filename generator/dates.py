"""Dates as the site reads, shows and stamps them: shared by entries, feeds, e-mail and pages."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache


def timestamp(date: dt.date) -> dt.datetime:
    """The moment a paper's day begins (midnight UTC): what feeds and e-mails stamp it with."""
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


@lru_cache(maxsize=64)
def site_zone(name: str) -> dt.tzinfo:
    """The tzinfo of an IANA name (validated by config); UTC needs no time-zone database."""
    if name.upper() == "UTC":
        return dt.UTC
    return zoneinfo.ZoneInfo(name)


def known_timezone(name: str) -> bool:
    """True for a name the time-zone database knows (no paths, no empty names)."""
    if not name or name.startswith(("/", ".")) or ".." in name or "\\" in name:
        return False
    try:
        site_zone(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def day_in_zone(value: dt.date, zone: str) -> dt.date:
    """The site's day of an entry's ``date``: a date as written; a date-time with an offset
    converted to ``zone``; a date-time without one taken as already in ``zone``."""
    if not isinstance(value, dt.datetime):
        return value
    if value.tzinfo is None:
        return value.date()
    return value.astimezone(site_zone(zone)).date()
