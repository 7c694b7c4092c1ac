"""Measure what a search costs a reader: bytes and requests a query fetches, against the size
of the whole index. Serves a built site on 127.0.0.1 and types queries into the header search box
of Debian's chromium, as the browser tests do.

    python -m tests.bench.bench_search SITE_DIR [QUERY ...]

SITE_DIR holds site.yaml and the built output/. Prints one line per query, then the index size.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import load_config
from generator.serve.static_server import make_server, serve_in_thread
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

DEFAULT_QUERIES = ("diffusion", "retrieval augmented generation", "zebrafish", "transformer")


def measure(page, origin: str, base: str, query: str) -> tuple[int, int, int, float]:
    """(results, requests, bytes, seconds) for one query typed into a freshly loaded page."""
    page.goto(f"{origin}{base}", wait_until="load")
    fetched: list[int] = []
    page.on("response", lambda r: "/pagefind/" in r.url and fetched.append(len(r.body())))
    start = time.perf_counter()
    page.locator("header input[type=search]").fill(query)
    page.locator("#search-status").filter(has_text=query).wait_for(timeout=60_000)
    elapsed = time.perf_counter() - start
    status = page.locator("#search-status").inner_text()
    count = int(status.split()[0]) if status[0].isdigit() else 0
    return count, len(fetched), sum(fetched), elapsed


def main(site: Path, queries: tuple[str, ...]) -> None:
    from playwright.sync_api import sync_playwright

    config = load_config(site)
    out = site / config.output_dir
    base = urlsplit(config.base_url).path
    index = out / "pagefind"
    files = [p for p in index.rglob("*") if p.is_file()]
    papers = sum(1 for _ in (out / "papers").glob("*/index.html"))
    server = make_server(out, base, "127.0.0.1", 0)
    serve_in_thread(server)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            for query in queries:
                page = browser.new_page()
                results, requests, size, seconds = measure(page, origin, base, query)
                print(f"query {query!r}: {results} results, {requests} index requests, "
                      f"{size / 1024:.0f} KiB fetched, first results after {seconds:.2f} s")
                page.close()
            browser.close()
    finally:
        server.shutdown()
    total = sum(p.stat().st_size for p in files)
    print(f"index: {papers} paper pages, {len(files)} files, {total / 2**20:.1f} MiB on disk "
          f"({len(list((index / 'fragment').iterdir()))} fragments, "
          f"{len(list((index / 'index').iterdir()))} index chunks)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), tuple(sys.argv[2:]) or DEFAULT_QUERIES)
