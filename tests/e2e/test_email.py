"""The e-mail edition of each issue, weekly issues with a limit, and the subscribe box."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from lxml import html as lxml_html

from generator.mail.issue_email import GMAIL_CLIP_BYTES
from tests.conftest import build_in_process

BASE = "https://example.github.io/digest/"
HOSTILE_TITLE = "Bcc: victim@example.org\\nX-Injected: yes <script>alert(1)</script> Ünïcödé"
SITE_YAML = f"""\
title: "Weekly\\r\\nBcc: all@example.org Ça va"
base_url: {BASE}
topics:
  enabled: false
digest:
  period: weekly
  limit: 3
smtp:
  from_address: Digest <digest@example.org>
  list_unsubscribe: [https://example.org/unsub, "mailto:unsub@example.org"]
subscribe:
  action: https://buttondown.example/api/emails/embed-subscribe/lab
  hidden: {{l: list-42}}
"""


def paper(title: str, date: str, upvotes: int | None = None, slug: str = "") -> str:
    votes = f"    upvotes: {upvotes}\n" if upvotes is not None else ""
    return (f'  - title: "{title}"\n    date: {date}\n{votes}'
            f"    abstract: An abstract about {slug or 'things'} with enough words to read.\n")


@pytest.fixture
def weekly(make_site) -> Path:
    entries = "papers:\n" + "".join([
        paper(HOSTILE_TITLE, "2026-06-29", 5, "hostile"),
        paper("Monday Paper", "2026-06-29", 1),
        paper("Sunday Paper", "2026-07-05", 40),
        paper("Unvoted Paper", "2026-07-01"),
        paper("Popular Paper", "2026-07-02", 90),
        paper("Next Week Paper", "2026-07-06", 2),
    ])
    return build_in_process(make_site({"content/papers.yaml": entries}, site_yaml=SITE_YAML))


def test_weekly_issue_groups_by_iso_week_and_keeps_the_most_upvoted(weekly: Path) -> None:
    page = (weekly / "digests/2026-W27/index.html").read_text()
    assert "Week 27, 2026 (29 June – 5 July 2026)" in page
    order = [page.index(t) for t in ("Popular Paper", "Sunday Paper", "Bcc: victim")]
    assert order == sorted(order)
    assert "Monday Paper" not in page and "Unvoted Paper" not in page
    assert "The top 3 of 5 papers" in page and "2 more papers" in page
    assert (weekly / "digests/2026-W28/index.html").is_file()
    assert not (weekly / "digests/2026-06-29").exists()
    paper_page = (weekly / "papers/monday-paper/index.html").read_text()
    assert 'href="/digest/digests/2026-W27/"' in paper_page


def test_email_html_is_inlined_table_layout_with_absolute_links(weekly: Path) -> None:
    source = (weekly / "digests/2026-W27/email.html").read_text()
    doc = lxml_html.fromstring(source)
    assert not doc.xpath("//script | //link[@rel='stylesheet'] | //*[@onclick]")
    assert "<script" not in source and "Bcc: victim@example.org X-Injected: yes" in source
    assert doc.xpath("//table[@width='600']")
    titles = doc.xpath("//p[@class='title']/a")
    assert [t.text_content() for t in titles][:2] == ["Popular Paper", "Sunday Paper"]
    assert all("color" in t.get("style", "") for t in titles)  # CSS inlined into attributes
    hrefs = doc.xpath("//a/@href")
    assert all(h.startswith(("https://", "mailto:")) for h in hrefs), hrefs
    assert f"{BASE}papers/popular-paper/" in hrefs and f"{BASE}digests/2026-W27/" in hrefs
    assert "https://example.org/unsub" in hrefs
    preheader = doc.xpath("//div[@class='preheader']")[0]
    assert "display: none" in preheader.get("style") and "Popular Paper" in preheader.text
    assert "prefers-color-scheme: dark" in source
    assert 'name="color-scheme" content="light dark"' in source


def test_email_text_has_the_same_papers_and_links(weekly: Path) -> None:
    text = (weekly / "digests/2026-W27/email.txt").read_text()
    doc = lxml_html.fromstring((weekly / "digests/2026-W27/email.html").read_text())
    for link in doc.xpath("//p[@class='title']/a"):
        assert link.text_content() in text and link.get("href") in text
    assert f"Web version: {BASE}digests/2026-W27/" in text
    assert "2 more on the site" in text and "&lt;" not in text


def test_eml_parses_back_with_safe_headers(weekly: Path) -> None:
    data = (weekly / "digests/2026-W27/email.eml").read_bytes()
    message = message_from_bytes(data, policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert set(message.keys()) == {"Subject", "From", "Date", "Message-ID", "List-Unsubscribe",
                                   "List-Unsubscribe-Post", "MIME-Version", "Content-Type"}
    assert message["Subject"] == ("Weekly Bcc: all@example.org Ça va, Week 27, 2026 (29 June – 5 "
                                  "July 2026): Popular Paper and 4 more")
    assert message["From"] == "Digest <digest@example.org>"
    assert message["List-Unsubscribe"] == "<https://example.org/unsub>, <mailto:unsub@example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<2026-W27\.[0-9a-f]{16}@example\.github\.io>", message["Message-ID"])
    assert message["Date"] == "Sun, 05 Jul 2026 00:00:00 +0000"
    html = message.get_body(("html",)).get_content()
    on_disk = (weekly / "digests/2026-W27/email.html").read_text()
    assert "Popular Paper" in html and html.replace("\r\n", "\n").strip() == on_disk.strip()
    header_block = data.split(b"\r\n\r\n", 1)[0]
    assert b"X-Injected" not in header_block and b"victim" not in header_block


def test_hostile_paper_title_as_subject_stays_one_header(make_site) -> None:
    entries = "papers:\n" + paper(HOSTILE_TITLE, "2026-07-01", 99)
    out = build_in_process(make_site({"content/p.yaml": entries}, site_yaml=f"base_url: {BASE}\n"))
    data = (out / "digests/2026-07-01/email.eml").read_bytes()
    message = message_from_bytes(data, policy=policy.default)
    assert "X-Injected" not in message and "Bcc" not in message
    assert "Bcc: victim@example.org X-Injected: yes" in message["Subject"]
    assert "Ünïcödé" in message["Subject"]
    assert all(b < 128 for b in data.split(b"\r\n\r\n", 1)[0])  # RFC 2047 encoded


def test_500_paper_issue_stays_under_gmail_clipping(make_site) -> None:
    entries = "papers:\n" + "".join(
        paper(f"Paper number {n} on a rather long subject of research", "2026-07-01", n, str(n))
        for n in range(500))
    out = build_in_process(make_site({"content/many.yaml": entries},
                                     site_yaml=f"base_url: {BASE}\ntopics:\n  enabled: false\n"))
    html = (out / "digests/2026-07-01/email.html").read_bytes()
    assert len(html) < GMAIL_CLIP_BYTES
    shown = re.findall(rb'class="title"[^>]*><a [^>]*>Paper number (\d+) on', html)
    assert 50 < len(shown) < 500
    assert [int(n) for n in shown[:3]] == [499, 498, 497]  # the most upvoted first
    assert f"{500 - len(shown)} more on the site".encode() in html
    text = (out / "digests/2026-07-01/email.txt").read_text()
    assert f"{500 - len(shown)} more on the site: {BASE}digests/2026-07-01/" in text
    page = (out / "digests/2026-07-01/index.html").read_text()
    assert page.count('class="card"') == 500  # the web page keeps the whole issue


def test_subscribe_box_only_when_configured(weekly: Path, make_site) -> None:
    home = lxml_html.fromstring((weekly / "index.html").read_text())
    form = home.xpath("//form[@class='subscribe']")[0]
    assert form.get("action") == "https://buttondown.example/api/emails/embed-subscribe/lab"
    assert form.xpath(".//input[@type='email']/@name") == ["email"]
    assert form.xpath(".//input[@type='hidden' and @name='l']/@value") == ["list-42"]
    plain = build_in_process(make_site(
        {"content/a.md": "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n"}, name="plain"))
    assert 'class="subscribe"' not in (plain / "index.html").read_text()
