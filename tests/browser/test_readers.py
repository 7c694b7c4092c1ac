"""Reader features in a real browser, for each built-in theme: filters (in place, over the whole
archive, on search results, keyboard only, state in the URL), what a filter fetches, the new
pages (rollup, calendar, feeds) with axe-core, and the same keys and hashes in filters.js as in
generator/filters."""

from __future__ import annotations

import re

import pytest

from generator.filters import author_keys, bucket_of
from generator.filters.index import fold
from tests.browser.conftest import Recorder, ServedSite, open_page, save_screenshot

SEVERE = ("serious", "critical")


def visible_titles(page) -> list[str]:
    return page.locator("main article.card:visible .card-title").all_inner_texts()


def status(page) -> str:
    locator = page.locator(".filter-status")
    locator.filter(has_text=re.compile(r"\S")).wait_for()
    return locator.inner_text()


def axe_severe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in violations if v["impact"] in SEVERE]


def test_filter_by_word_on_the_home_page_and_share_it_by_url(site: ServedSite, context) -> None:
    page, recorder = open_page(context, site.url(""))
    assert len(visible_titles(page)) == 2
    page.locator("details.filters > summary").click()
    page.locator("#filter-w").fill("transduction")
    page.locator("#filter-w").press("Enter")
    assert status(page) == "1 of 2 papers on this page match this filter."
    assert visible_titles(page) == ["Attention Is All You Need"]
    assert page.url.endswith("/digest/?w=transduction")
    save_screenshot(page, f"{site.theme}-filter-home-light")
    shared, _ = open_page(context, page.url)  # the same view from the address alone
    assert status(shared) == "1 of 2 papers on this page match this filter."
    assert visible_titles(shared) == ["Attention Is All You Need"]
    assert shared.locator("#filter-w").input_value() == "transduction"
    page.go_back()
    page.locator("main article.card:visible").nth(1).wait_for()
    assert len(visible_titles(page)) == 2
    assert recorder.problems == []


def test_archive_filter_lists_matches_beyond_the_first_page(site: ServedSite, context) -> None:
    page = context.new_page()
    recorder = Recorder()
    recorder.attach(page)
    fetched: list[str] = []
    page.on("request", lambda r: "/filters/" in r.url and fetched.append(
        r.url.split("/filters/")[1]))
    page.goto(site.url("archive/?a=Kingma"))
    assert status(page) == "1 paper matches this filter."
    # Adam is on archive page 1 (the oldest papers): the filter searched every paper
    assert visible_titles(page) == ["Adam: A Method for Stochastic Optimization"]
    assert not page.locator("nav.pagination").is_visible()
    # the manifest, one bucket for the one key, one file of result records
    assert sorted(fetched) == ["index.json", "keys/0.json", "papers/0.json"]
    save_screenshot(page, f"{site.theme}-filter-archive-light")
    assert recorder.problems == []


@pytest.mark.parametrize(("query", "titles"), [
    ("a=Kingma,Vaswani", []),
    ("a=Kingma,Vaswani&m=any", ["Attention Is All You Need",
                                "Adam: A Method for Stochastic Optimization"]),
    ("g=transformers&xw=bidirectional", [
        "Attention Is All You Need",
        "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale"]),
    ("g=transformers&xa=vaswani&xw=image", [
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]),
])
def test_and_or_and_exclusions_over_the_archive(site: ServedSite, context, query: str,
                                                titles: list[str]) -> None:
    page, _ = open_page(context, site.url(f"archive/?{query}"))
    status(page)
    assert visible_titles(page) == titles


def test_topic_exclusion_and_keyboard_only_use(site: ServedSite, context) -> None:
    page, _ = open_page(context, site.url("digests/2024-03-11/"))
    before = len(visible_titles(page))
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('details.filters > summary')"):
            break
    else:
        pytest.fail("the filter box cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-w"
    page.keyboard.press("Tab")  # without the words
    page.keyboard.type("residual")
    page.keyboard.press("Enter")
    assert status(page).startswith(f"{before - 1} of {before} papers")
    assert "xw=residual" in page.url
    # exclude a topic with its checkbox, with the keyboard only
    topic = page.locator("main article.card:visible a[href*='/topics/']").first.inner_text()
    box = page.locator(".filter-topic-list[data-name=xt] label", has_text=topic).locator("input")
    page.locator(".filter-topics > summary").focus()
    page.keyboard.press("Enter")
    box.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits the form from the checkbox
    page.wait_for_url(re.compile(r"xt="))
    status(page)
    shown = page.locator("main article.card:visible a[href*='/topics/']").all_inner_texts()
    assert topic not in shown
    save_screenshot(page, f"{site.theme}-filter-keyboard-light")


def test_search_results_are_narrowed_by_the_filter(site: ServedSite, context) -> None:
    page, recorder = open_page(context, site.url("search/?q=attention&a=Vaswani"))
    result = page.locator("#search-page-status")
    result.filter(has_text="and the filter").wait_for()
    assert result.inner_text() == "1 paper matches “attention” and the filter."
    page, _ = open_page(context, site.url("search/?q=attention&xa=Vaswani"))
    page.locator("#search-page-status").filter(has_text="and the filter").wait_for()
    assert "papers/1706.03762/" not in page.locator("#search-page-results").inner_html()
    assert recorder.problems == []


def test_without_javascript_the_filter_box_is_hidden_and_lists_stay(site: ServedSite,
                                                                     browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page, _ = open_page(context, site.url("archive/?a=Kingma"))
        assert not page.locator("details.filters").is_visible()
        assert len(visible_titles(page)) == 4  # the newest archive page, unfiltered
    finally:
        context.close()


@pytest.mark.parametrize("route", ["digests/", "digests/2024-W11/", "digests/2024-03/",
                                   "feeds/", "archive/?g=transformers", "?w=attention"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reader_pages_pass_axe_in_both_schemes(site: ServedSite, browser, route: str,
                                               scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    try:
        page, recorder = open_page(context, site.url(route))
        if "?" in route:
            status(page)
            page.locator("details.filter-topics > summary").click()
        name = re.sub(r"[^a-z0-9]+", "-", route).strip("-") or "home-filter"
        save_screenshot(page, f"{site.theme}-readers-{name}-{scheme}")
        assert axe_severe(page) == []
        assert recorder.problems == []
        widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1]
    finally:
        context.close()


HOSTILE_NAMES = ["Ada Lovelace", "Lovelace, Ada", "José Núñez-García", "Ñandú Ørsted",
                 "  spaced   out ", "O'Brien, Conan", "Łukasz Kaiser", "李 明", "Émile Zola",
                 "x\u0301y", "ﬁnn ﬂow", "ǅemal", "Bjørn", "a,b,c"]


def test_filters_js_computes_the_same_keys_and_buckets_as_the_build(site: ServedSite,
                                                                    context) -> None:
    page, _ = open_page(context, site.url(""))
    src = page.locator("script[src*='filters']").get_attribute("src")
    got = page.evaluate("""async ([src, names]) => {
        const m = await import(src);
        return names.map((n) => [m.fold(n), m.authorKey(n), m.fnv1a(n)]);
    }""", [src, HOSTILE_NAMES])
    for name, (folded, key, hashed) in zip(HOSTILE_NAMES, got, strict=True):
        assert folded == fold(name), name
        keys = author_keys(name)  # the full name and the family name
        assert key == (max(keys, key=len) if keys else None), name
        assert hashed % 1024 == bucket_of(name, 1024), name


def test_star_rank_explain_export_and_import_a_profile(site: ServedSite, browser,
                                                        tmp_path) -> None:
    context = browser.new_context(accept_downloads=True)
    try:
        page, recorder = open_page(context, site.url("for-you/"))
        status_line = page.locator(".for-you-status")
        status_line.filter(has_text="Star a few papers").wait_for()
        # star ResNet from a digest page, with the keyboard
        page.goto(site.url("digests/2024-03-11/"))
        star = page.get_by_role("button", name="Star: Deep Residual Learning for Image "
                                               "Recognition")
        star.focus()
        page.keyboard.press("Enter")
        starred = page.get_by_role("button", name="Starred: Deep Residual Learning for Image "
                                                  "Recognition")
        assert starred.get_attribute("aria-pressed") == "true"
        page.goto(site.url("for-you/"))
        status_line.filter(has_text="ranked by a model").wait_for()
        ranked = page.locator(".for-you-list > li")
        top = ranked.first
        # the other image-recognition paper ranks first, and says why
        assert top.locator("a").inner_text().startswith("An Image is Worth 16x16 Words")
        assert "image" in top.locator(".why").inner_text()
        assert ranked.count() == 6  # every recent paper but the starred one
        assert "Deep Residual Learning" in page.locator(".starred-list").inner_text()
        save_screenshot(page, f"{site.theme}-for-you-light")
        assert axe_severe(page) == []
        with page.expect_download() as download:
            page.get_by_role("button", name="Export profile").click()
        saved = tmp_path / "profile.json"
        download.value.save_as(saved)
        assert '"1512.03385"' in saved.read_text()
        page.get_by_role("button", name="Remove all stars").click()
        status_line.filter(has_text="Star a few papers").wait_for()
        page.locator("[data-profile-import]").set_input_files(str(saved))
        status_line.filter(has_text="ranked by a model").wait_for()
        assert page.locator(".for-you-list > li").first.locator("a").inner_text().startswith(
            "An Image is Worth 16x16 Words")
        bad = tmp_path / "bad.json"
        bad.write_text('{"stars": {"../../x": {"title": "<img src=x onerror=alert(1)>"}}}')
        page.locator("[data-profile-import]").set_input_files(str(bad))
        status_line.filter(has_text="not a Paperboy profile").wait_for()
        assert recorder.problems == []
    finally:
        context.close()


def test_new_since_last_visit_and_hide_read(site: ServedSite, browser) -> None:
    context = browser.new_context()
    try:
        page, _ = open_page(context, site.url("digests/2024-03-10/"))  # the oldest issue
        assert page.locator(".new-badge").count() == 0  # a first visit marks nothing
        page.close()
        # a later visit (a new browser session) marks what is newer than anything seen
        context.add_init_script("sessionStorage.clear()")
        fresh = context.new_page()
        fresh.goto(site.url("archive/"), wait_until="load")
        new = fresh.locator("article.card:has(.new-badge) .card-title a")
        assert sorted(new.evaluate_all("els => els.map(e => e.textContent)")) == sorted(
            fresh.locator("article.card .card-title a").evaluate_all(
                "els => els.map(e => e.textContent)"))  # page 1: all newer than 10 March
        fresh.goto(site.url("papers/1706.03762/"))  # read one
        fresh.goto(site.url("archive/"))
        shown = fresh.locator("main article.card .card-title").all_inner_texts()
        assert "Attention Is All You Need" in shown
        toggle = fresh.get_by_role("button", name="Hide read papers")
        toggle.click()
        assert fresh.get_by_role("button", name="Show read papers").get_attribute(
            "aria-pressed") == "true"
        titles = fresh.locator("main article.card:visible .card-title").all_inner_texts()
        assert titles == [t for t in shown if t != "Attention Is All You Need"]
        fresh.reload()  # the toggle is remembered
        assert len(fresh.locator("main article.card:visible").all()) == len(shown) - 1
    finally:
        context.close()
