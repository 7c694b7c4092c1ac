"""A tiny crawler for the end-to-end tests: every internal link and asset must answer 200."""

from __future__ import annotations

import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in ("href", "src"):
                self.links.append(value)


def extract_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def crawl(start: str) -> tuple[set[str], list[tuple[str, str, int]]]:
    """Visit every same-host URL reachable from ``start``; return (visited, broken links)."""
    host = urlsplit(start).netloc
    queue, seen, broken = [start], {start}, []
    while queue:
        page = queue.pop()
        status, body, kind = fetch(page)
        if status != 200:
            continue
        if "html" not in kind:
            continue
        for link in extract_links(body.decode("utf-8")):
            target = urldefrag(urljoin(page, link)).url
            if urlsplit(target).netloc != host or target in seen:
                continue
            seen.add(target)
            code = fetch(target)[0]
            if code != 200:
                broken.append((page, link, code))
            else:
                queue.append(target)
    return seen, broken
