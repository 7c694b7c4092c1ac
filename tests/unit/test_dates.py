"""Entry dates: YYYY-MM-DD, or RFC 3339 date-times counted for their day in site.yaml's
`timezone` (default UTC)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.config import load_config
from generator.content import load_content
from generator.content.schema import entry_json_schema
from generator.diagnostics import UserError


def entry(date: str) -> str:
    return f"---\ntitle: A Paper\ndate: {date}\n---\nAn abstract long enough to be one.\n"


def day_of(tmp_path: Path, date: str, timezone: str = "UTC") -> dt.date:
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "content" / "a.md").write_text(entry(date))
    loaded = load_content(tmp_path, timezone=timezone)
    assert [d.format() for d in loaded.diagnostics] == []
    return loaded.papers[0].date


@pytest.mark.parametrize(("written", "timezone", "day"), [
    ("2025-02-02", "UTC", "2025-02-02"),
    ("2025-02-02", "Asia/Tokyo", "2025-02-02"),  # a plain date is the day as written
    ("2025-02-02T22:23:00Z", "UTC", "2025-02-02"),  # Hugo's and Jekyll's front matter
    ("2025-02-02T22:23:00Z", "Asia/Tokyo", "2025-02-03"),  # 07:23 the next morning there
    ("2025-02-02T22:23:00Z", "America/Los_Angeles", "2025-02-02"),
    ("2025-02-02T01:00:00+02:00", "UTC", "2025-02-01"),  # 23:00 UTC the day before
    ("2025-02-02T01:00:00.123456-05:00", "UTC", "2025-02-02"),
    ("2025-02-02 23:30:00", "Europe/Paris", "2025-02-02"),  # no offset: already site time
    ("'2025-02-02T22:23:00Z'", "Asia/Tokyo", "2025-02-03"),  # quoted: the same
    ("'2025-02-02t22:23:00z'", "UTC", "2025-02-02"),  # RFC 3339 allows lowercase t and z
    ("2025-03-30T00:30:00Z", "Europe/Paris", "2025-03-30"),  # across the DST change
])
def test_date_and_date_time_give_the_site_day(tmp_path: Path, written: str, timezone: str,
                                              day: str) -> None:
    assert day_of(tmp_path, written, timezone) == dt.date.fromisoformat(day)


@pytest.mark.parametrize(("written", "message"), [
    ("12/03/2024", "must be YYYY-MM-DD or a date-time such as 2025-02-02T22:23:00Z"),
    ("'2025-02-02T22:23'Z", "YAML"),
    ("'2025-02-30T10:00:00Z'", "no such date '2025-02-30T10:00:00Z'"),
    ("'2025-02-02T22:23:00+5'", "must be YYYY-MM-DD or a date-time"),
    ("'2025-02-02T22:23:00 UTC'", "must be YYYY-MM-DD or a date-time"),
])
def test_bad_dates_are_reported_with_their_line(tmp_path: Path, written: str,
                                                message: str) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(entry(written))
    problems = [d.format() for d in load_content(tmp_path).diagnostics]
    assert len(problems) == 1 and problems[0].startswith("content/a.md:3")
    assert message in problems[0]


def test_timezone_option_is_validated_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\ntimezone: Europe/Paris\n")
    assert load_config(tmp_path).timezone == "Europe/Paris"
    for bad in ("Mars/Olympus", "../../etc/passwd", "/usr/share/zoneinfo/UTC", "''"):
        (tmp_path / "site.yaml").write_text(f"title: T\ntimezone: {bad}\n")
        with pytest.raises(UserError) as caught:
            load_config(tmp_path)
        text = "\n".join(d.format() for d in caught.value.diagnostics)
        assert text.startswith("site.yaml:2: error: timezone: must be an IANA time zone")


def test_timezone_defaults_to_utc(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\n")
    assert load_config(tmp_path).timezone == "UTC"


def test_schema_accepts_dates_and_date_times() -> None:
    pattern = re.compile(entry_json_schema()["properties"]["date"]["pattern"])
    for good in ("2025-02-02", "2025-02-02T22:23:00Z", "2025-02-02T22:23:00+05:30"):
        assert pattern.match(good), good
    for bad in ("12/03/2024", "2025-02-02T22", "2025-02-02T22:23:00 UTC"):
        assert not pattern.match(bad), bad
