"""Dates as the site shows and stamps them: shared by feeds, e-mail and pages."""

from __future__ import annotations

import datetime as dt


def timestamp(date: dt.date) -> dt.datetime:
    """The moment a paper's day begins (midnight UTC): what feeds and e-mails stamp it with."""
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
