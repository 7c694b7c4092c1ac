"""Live reload in a real browser (issue 5): `paperboy serve` in a subprocess, a paper page open in
chromium, and edits on disk. A value set on ``window`` survives only until the page reloads, so
its disappearance shows the page reloaded by itself. Every wait has a deadline reached only when
something is broken; nothing is timed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import SITES, copy_site
from tests.e2e.serve_process import WAIT, Server, save_via_rename

ENTRY = "content/2024-03/attention.md"
PAPER = "papers/1706.03762/"
MS = WAIT * 1000
MARKED = "() => { window.paperboyTestMarker = true; }"
RELOADED = "() => window.paperboyTestMarker === undefined"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    site = copy_site(SITES / "full", tmp_path / "site")
    server = Server(site)
    yield server, site
    server.stop()


def replace_in(site: Path, old: str, new: str) -> None:
    text = (site / ENTRY).read_text(encoding="utf-8")
    assert old in text
    save_via_rename(site / ENTRY, text.replace(old, new, 1))


def edit_and_wait_for_reload(page, site: Path, old: str, new: str) -> None:
    page.evaluate(MARKED)
    replace_in(site, old, new)
    page.wait_for_function(RELOADED, timeout=MS)


def test_browser_reloads_on_save_shows_overlay_on_error_and_recovers(browser, served) -> None:
    server, site = served
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.port}{server.base}{PAPER}", wait_until="load")
        title = page.locator("main h1")
        expect(title).to_have_text("Attention Is All You Need")
        overlay = page.locator("#paperboy-overlay")
        expect(overlay).to_have_count(0)

        edit_and_wait_for_reload(page, site, 'title: "Attention Is All You Need"',
                                 'title: "Attention Is Plenty"')
        expect(title).to_have_text("Attention Is Plenty", timeout=MS)

        edit_and_wait_for_reload(page, site, "date: 2024-03-12", "date: 12/03/2024")
        expect(overlay).to_be_visible(timeout=MS)
        expect(overlay).to_contain_text(
            f"{ENTRY}:3: error: date: must be YYYY-MM-DD or a "
            "date-time such as 2025-02-02T22:23:00Z, got '12/03/2024'")
        expect(title).to_have_text("Attention Is Plenty")  # the last good page stays

        edit_and_wait_for_reload(page, site, "date: 12/03/2024", "date: 2024-03-12")
        expect(overlay).to_have_count(0, timeout=MS)
        expect(title).to_have_text("Attention Is Plenty")
        assert server.process.poll() is None
    finally:
        context.close()
