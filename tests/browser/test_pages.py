"""Every page type in a real browser, for each built-in theme: loads cleanly, renders light and
dark (screenshots saved to tests/artifacts/), fits 375 px, and passes axe-core."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import PAGE_KINDS, PageCache, save_screenshot

SEVERE = ("serious", "critical")


def luminance(css_color: str) -> float:
    """Relative luminance (0 black .. 1 white) of an ``rgb(...)``/``rgba(...)`` value."""
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def colours(page) -> tuple[float, float]:
    bg, fg = page.evaluate("""() => {
        const s = getComputedStyle(document.body);
        return [s.backgroundColor, s.color];
    }""")
    return luminance(bg), luminance(fg)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_loads_without_console_errors_or_failed_requests(pages: PageCache,
                                                              kind: str) -> None:
    page, recorder = pages.get(kind)
    assert page.locator("main h1").count() == 1
    assert page.title()
    assert recorder.problems == []


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_renders_light_and_dark(pages: PageCache, kind: str) -> None:
    seen = {}
    for scheme in ("light", "dark"):
        page, recorder = pages.get(kind, scheme)
        seen[scheme] = colours(page)
        save_screenshot(page, f"{pages.site.theme}-{kind}-{scheme}")
        assert recorder.problems == []
    (light_bg, light_fg), (dark_bg, dark_fg) = seen["light"], seen["dark"]
    assert light_bg > 0.8 and light_fg < 0.3
    assert dark_bg < 0.2 and dark_fg > 0.7


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_has_no_horizontal_scroll_at_375px(pages: PageCache, kind: str) -> None:
    page, _ = pages.get(kind, width=375)
    widths = page.evaluate("""() => [document.documentElement.scrollWidth,
                                      document.documentElement.clientWidth]""")
    save_screenshot(page, f"{pages.site.theme}-{kind}-375px")
    assert widths[0] <= widths[1] == 375


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_has_no_serious_axe_violations(pages: PageCache, kind: str, scheme: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page, _ = pages.get(kind, scheme)
    violations = Axe().run(page).response["violations"]
    severe = [f"{v['id']} ({v['impact']}): {v['help']} at "
              f"{[n['target'] for n in v['nodes']][:3]}"
              for v in violations if v["impact"] in SEVERE]
    assert severe == []
