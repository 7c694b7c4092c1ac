"""Digest issue periods, ranking and limits; header-safe text and addresses."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.email_headers import clean_address, header_text
from generator.models import Paper, SourceRef
from generator.site.issues import issue_key, issue_label, issue_span, plan_issues


def paper(slug: str, date: str, upvotes: int | None = None) -> Paper:
    return Paper(slug, slug, "text", dt.date.fromisoformat(date), SourceRef("a.md"),
                 upvotes=upvotes)


@pytest.mark.parametrize(("date", "period", "key"), [
    ("2026-07-04", "daily", "2026-07-04"),
    ("2026-07-04", "weekly", "2026-W27"),
    ("2026-06-29", "weekly", "2026-W27"),
    ("2027-01-01", "weekly", "2026-W53"),  # ISO week-numbering year, not the calendar year
])
def test_issue_key_follows_period_and_iso_weeks(date: str, period: str, key: str) -> None:
    assert issue_key(dt.date.fromisoformat(date), period) == key


def test_issue_span_and_label_of_a_week_across_new_year() -> None:
    assert issue_span("2026-W53") == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert issue_label("2026-W53") == "Week 53, 2027 (28 December 2026 – 3 January 2027)"
    assert issue_label("2026-07-04") == "4 July 2026"


def test_plan_issues_ranks_by_upvotes_then_date_and_caps() -> None:
    papers = [paper("old-popular", "2026-06-29", 10), paper("new-unvoted", "2026-07-03"),
              paper("new-voted", "2026-07-02", 3), paper("older-unvoted", "2026-06-30"),
              paper("next-week", "2026-07-06")]
    issues = plan_issues(papers, "weekly", 3)
    assert [i.key for i in issues] == ["2026-W28", "2026-W27"]
    week = issues[1]
    assert [p.slug for p in week.papers] == ["old-popular", "new-voted", "new-unvoted"]
    assert (week.total, week.more) == (4, 1)
    assert len(plan_issues(papers, "weekly", 0)[1].papers) == 4


def test_header_text_flattens_line_breaks_and_controls() -> None:
    assert header_text("A\r\nBcc: x@y.org\u2028Z\x00") == "A Bcc: x@y.org Z"
    assert len(header_text("x" * 500)) == 200


@pytest.mark.parametrize(("value", "expected"), [
    ("ada@example.org", "ada@example.org"),
    ("Ada L <ada@example.org>", "Ada L <ada@example.org>"),
    ("ada@example.org\r\nBcc: x@example.org", None),
    ("ada@example.org, bob@example.org", None),
    ("not an address", None),
])
def test_clean_address_accepts_exactly_one_address(value: str, expected: str | None) -> None:
    assert clean_address(value) == expected


def test_mail_config_sections_report_each_bad_value_with_its_line(tmp_path) -> None:
    from generator.config import load_config
    from generator.diagnostics import UserError

    (tmp_path / "site.yaml").write_text(
        "digest:\n  period: monthly\nsmtp:\n  tls: tls13\n"
        "  from_address: 'a@b.org\\nBcc: c@d.org'\n"
        "  list_unsubscribe: [javascript:alert(1)]\nsubscribe:\n  action: ftp://x.org/\n")
    with pytest.raises(UserError) as caught:
        load_config(tmp_path)
    lines = [d.format() for d in caught.value.diagnostics]
    assert lines == [
        "site.yaml:2: error: digest.period: must be one of daily, weekly, got 'monthly'",
        "site.yaml:4: error: smtp.tls: must be one of none, starttls, ssl, got 'tls13'",
        "site.yaml:5: error: smtp.from_address: must be an address such as "
        "'Digest <digest@example.org>', got 'a@b.org\\nBcc: c@d.org'",
        "site.yaml:6: error: smtp.list_unsubscribe: must be https:// or mailto: URIs, "
        "got 'javascript:alert(1)'",
        "site.yaml:8: error: subscribe.action: must be an absolute http(s) URL, got 'ftp://x.org/'",
    ]
