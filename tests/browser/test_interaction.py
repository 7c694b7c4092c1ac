"""Using the site with a keyboard and a mouse: search as you type, keyboard-only navigation with
visible focus, and the Cite block with and without JavaScript."""

from __future__ import annotations

from tests.browser.conftest import (
    KNOWN_PAPER,
    SEARCH_WORD,
    ServedSite,
    open_page,
    save_screenshot,
)

FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return {tag: el.tagName, id: el.id, href: el.getAttribute('href') || '',
            visible: el.matches(':focus-visible'), outline: s.outlineStyle,
            width: parseFloat(s.outlineWidth)};
}"""


def test_search_box_finds_paper_by_word_of_its_abstract(site: ServedSite, context) -> None:
    page, recorder = open_page(context, site.url(""))
    box = page.locator("header input[type=search]")
    box.click()
    box.press_sequentially(SEARCH_WORD, delay=20)  # results appear while typing, no submit
    hit = page.locator(f"#search-results a[href$='{KNOWN_PAPER}']")
    hit.wait_for(state="visible")
    assert "Attention Is All You Need" in hit.inner_text()
    assert "mark" in page.locator("#search-results .search-excerpt").first.inner_html()
    save_screenshot(page, f"{site.theme}-search-dropdown-light")
    fetched = recorder.problems
    hit.click()
    page.wait_for_url(f"**/{KNOWN_PAPER}")
    assert fetched == [] and recorder.problems == []


def test_search_loads_index_fragments_not_the_whole_index(site: ServedSite, context) -> None:
    page, _ = open_page(context, site.url(""))
    requested: list[str] = []
    page.on("request", lambda r: "/pagefind/" in r.url and requested.append(r.url))
    page.locator("header input[type=search]").fill(SEARCH_WORD)
    page.locator("#search-results .search-list li").first.wait_for()
    fragments = list((site.root / "output" / "pagefind" / "fragment").iterdir())
    fetched_fragments = [u for u in requested if "/fragment/" in u]
    assert 1 <= len(fetched_fragments) < len(fragments)
    assert not any("pagefind-ui" in u for u in requested)


def test_search_page_reads_query_from_url(site: ServedSite, context) -> None:
    page, recorder = open_page(context, site.url("search/?q=residual"))
    page.locator("#search-page-results .search-list li").first.wait_for()
    assert "Deep Residual Learning" in page.locator("#search-page-results").inner_text()
    assert page.locator("#search-page-input").input_value() == "residual"
    assert recorder.problems == []


def test_keyboard_reaches_search_box_and_paper_links_with_visible_focus(site: ServedSite,
                                                                         context) -> None:
    page, _ = open_page(context, site.url(""))
    reached_search = reached_paper = None
    for _ in range(40):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        assert focus["visible"] and focus["outline"] != "none" and focus["width"] >= 2, focus
        if focus["id"] == "search-input":
            reached_search = focus
        if "/papers/" in focus["href"]:
            reached_paper = focus
            save_screenshot(page, f"{site.theme}-keyboard-focus")
            break
    assert reached_search is not None
    assert reached_paper is not None
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/**")


def test_cite_block_copy_button_copies_bibtex(site: ServedSite, browser) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page, recorder = open_page(context, site.url(KNOWN_PAPER))
        button = page.get_by_role("button", name="Copy BibTeX")
        button.click()
        page.get_by_text("Copied.").wait_for()
        copied = page.evaluate("() => navigator.clipboard.readText()")
    finally:
        context.close()
    assert copied.startswith("@misc{vaswani2024attention,")
    assert "eprint = {1706.03762}" in copied
    assert recorder.problems == []


def test_cite_block_is_readable_without_javascript(site: ServedSite, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page, _ = open_page(context, site.url(KNOWN_PAPER))
        bibtex = page.locator("#bibtex")
        assert bibtex.is_visible()
        assert "title = {Attention Is All You Need}" in bibtex.inner_text()
        assert not page.get_by_role("button", name="Copy BibTeX").is_visible()
    finally:
        context.close()
