"""Browser fixtures: Debian's chromium through Playwright, the fixture site built per theme and
served on 127.0.0.1 under its base path, and pages that record console errors and failed
requests. Playwright never downloads a browser here: it is pointed at /usr/bin/chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from generator.serve.static_server import make_server, serve_in_thread
from tests.conftest import REPO, SITES, copy_site, run_paperboy

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "tests" / "artifacts"
THEMES = ("default", "compact")
BASE_PATH = "/digest/"  # the fixture site's base_url path
PAGE_KINDS = ("home", "paper", "topic", "tag", "digest", "search")
KNOWN_PAPER = "papers/1706.03762/"  # "Attention Is All You Need"
SEARCH_WORD = "transduction"  # a word of its abstract, not of its title


@dataclass
class Recorder:
    """What went wrong while a page was open: console errors, page errors, failed requests."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        # ERR_ABORTED is the browser cancelling a request itself (a favicon still loading
        # when the test navigates on); a page's broken link answers 404, recorded below.
        page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
                and self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(
            f"HTTP {r.status}: {r.url}"))
        page.on("request", lambda r: not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                and self.problems.append(f"external request: {r.url}"))


@dataclass(frozen=True)
class ServedSite:
    theme: str
    root: Path
    origin: str  # http://127.0.0.1:PORT

    def url(self, route: str) -> str:
        return f"{self.origin}{BASE_PATH}{route}"

    def route_of(self, kind: str) -> str:
        if kind == "topic":
            topics = sorted((self.root / "output" / "topics").glob("*/index.html"))
            return f"topics/{topics[0].parent.name}/"
        return {"home": "", "paper": KNOWN_PAPER, "tag": "tags/transformers/",
                "digest": "digests/2024-03-12/", "search": f"search/?q={SEARCH_WORD}"}[kind]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium is not installed at {CHROMIUM} (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session", params=THEMES)
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The full fixture site built with each built-in theme and served over HTTP."""
    theme = request.param
    root = copy_site(SITES / "full", tmp_path_factory.mktemp(f"browser-{theme}") / "full")
    config = root / "site.yaml"
    config.write_text(re.sub(r"(?m)^theme:.*\n", "", config.read_text()) + f"theme: {theme}\n")
    result = run_paperboy("build", "--site", str(root))
    assert result.returncode == 0, result.stderr
    server = make_server(root / "output", BASE_PATH, "127.0.0.1", 0)
    serve_in_thread(server)
    try:
        yield ServedSite(theme, root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


class PageCache:
    """Each page type opened once per colour scheme and width, shared by the read-only checks
    (console, colours, axe, layout): loading a page is the slow part of a browser test."""

    def __init__(self, browser, site: ServedSite) -> None:
        self.browser, self.site = browser, site
        self.contexts: dict[tuple[str, int], object] = {}
        self.pages: dict[tuple[str, str, int], tuple[object, Recorder]] = {}

    def get(self, kind: str, scheme: str = "light", width: int = 1280) -> tuple[object, Recorder]:
        key = (kind, scheme, width)
        if key not in self.pages:
            if (scheme, width) not in self.contexts:
                self.contexts[scheme, width] = self.browser.new_context(
                    viewport={"width": width, "height": 900}, color_scheme=scheme)
            page, recorder = open_page(self.contexts[scheme, width],
                                       self.site.url(self.site.route_of(kind)))
            if kind == "search":  # the query in the URL has run: results are on the page
                page.locator("#search-page-results .search-list li").first.wait_for()
            self.pages[key] = page, recorder
        return self.pages[key]

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="session")
def pages(browser, site: ServedSite) -> Iterator[PageCache]:
    cache = PageCache(browser, site)
    yield cache
    cache.close()


def open_page(context, url: str) -> tuple[object, Recorder]:
    page = context.new_page()
    recorder = Recorder()
    recorder.attach(page)
    page.goto(url, wait_until="load")
    return page, recorder


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
