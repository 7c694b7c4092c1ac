"""Measure what a filter costs a reader: the requests and bytes of ``filters/`` a filter
fetches in Debian's chromium, against the size of the whole filter index. Serves a built site on
127.0.0.1 and opens the archive with each filter in its address, as a shared link would.

    python -m tests.bench.bench_filters SITE_DIR [QUERY ...]

SITE_DIR holds site.yaml and the built output/. QUERY is a query string such as
``w=diffusion&xa=smith``; ``TOPIC`` in it becomes the slug of the site's largest topic.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import load_config
from generator.serve.static_server import make_server, serve_in_thread
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

DEFAULT_QUERIES = ("w=diffusion", "w=retrieval+augmented+generation", "a=Sergey+Levine",
                   "w=robot&xw=simulation&m=all", "t=TOPIC&w=graph", "a=Wang&a=Li&m=any",
                   "xt=TOPIC")


def measure(page, url: str) -> tuple[str, int, int, int, float]:
    """(status line, requests, bytes, gzipped bytes, seconds) for one filtered archive."""
    fetched: list[bytes] = []
    page.on("response", lambda r: "/filters/" in r.url and fetched.append(r.body()))
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    status = page.locator(".filter-status")
    status.filter(has_text="match").wait_for(timeout=120_000)
    elapsed = time.perf_counter() - start
    raw = sum(len(b) for b in fetched)
    packed = sum(len(gzip.compress(b, 6)) for b in fetched)
    return status.inner_text(), len(fetched), raw, packed, elapsed


def main(site: Path, queries: tuple[str, ...]) -> None:
    from playwright.sync_api import sync_playwright

    config = load_config(site)
    out = site / config.output_dir
    base = urlsplit(config.base_url).path
    index = out / "filters"
    manifest = json.loads((index / "index.json").read_text())
    topic = max(manifest["topics"], key=lambda t: len(t[1]))[0] if manifest["topics"] else ""
    files = [p for p in index.rglob("*") if p.is_file()]
    server = make_server(out, base, "127.0.0.1", 0)
    serve_in_thread(server)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=CHROMIUM_ARGS)
            for query in queries:
                query = query.replace("TOPIC", topic)
                page = browser.new_page()
                status, requests, raw, packed, seconds = measure(
                    page, f"{origin}{base}archive/?{query}")
                print(f"filter {query!r}: {status} {requests} requests, {raw / 1024:.0f} KiB "
                      f"fetched ({packed / 1024:.0f} KiB gzipped), shown after {seconds:.2f} s")
                page.close()
            browser.close()
    finally:
        server.shutdown()
    total = sum(p.stat().st_size for p in files)
    print(f"filter index: {manifest['papers']} papers, {len(files)} files, "
          f"{total / 2**20:.1f} MiB on disk ({manifest['buckets']} key buckets, "
          f"{len(list((index / 'papers').iterdir()))} record files)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), tuple(sys.argv[2:]) or DEFAULT_QUERIES)
