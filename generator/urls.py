"""The URL scheme: one place that knows where every page lives.

Routes are site-relative (``papers/x/``); links in pages are root-relative under the base
path (``/repo/papers/x/``) so they work on a GitHub project page and in 404.html at any depth;
feeds and sitemaps use absolute URLs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Urls:
    base_url: str  # absolute, ends with "/"

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path or "/"

    def link(self, route: str) -> str:
        """Root-relative link for a site-relative route."""
        return self.base_path + route

    def absolute(self, route: str) -> str:
        return self.base_url + route


def home() -> str:
    return ""


def paper(slug: str) -> str:
    return f"papers/{slug}/"


def topics_index() -> str:
    return "topics/"


def topic(slug: str, page: int | None = None) -> str:
    """The topic's page (its newest papers) or its numbered page ``page`` (see archive)."""
    return f"topics/{slug}/" if page is None else f"topics/{slug}/page/{page}/"


def tags_index() -> str:
    return "tags/"


def tag(slug: str, page: int | None = None) -> str:
    """The tag's page (its newest papers) or its numbered page ``page`` (see archive)."""
    return f"tags/{slug}/" if page is None else f"tags/{slug}/page/{page}/"


def digests_index() -> str:
    return "digests/"


def digest(date: dt.date) -> str:
    return f"digests/{date.isoformat()}/"


def issue(key: str) -> str:
    """``digests/2026-07-04/`` for a daily issue, ``digests/2026-W27/`` for a weekly one."""
    return f"digests/{key}/"


def archive(page: int | None = None) -> str:
    """``archive/`` (the newest papers) or the numbered page ``page``, counted from the
    oldest papers so that its address keeps its papers (site/planner.py)."""
    return "archive/" if page is None else f"archive/page/{page}/"


def search() -> str:
    return "search/"


RSS_FILE, ATOM_FILE, JSON_FILE = "feed.xml", "atom.xml", "feed.json"  # in a listing's folder
SEARCH_BUNDLE = "pagefind"  # the search index, at the site's root
SEARCH_SCRIPT = f"{SEARCH_BUNDLE}/pagefind.js"


def output_path(route: str) -> PurePosixPath:
    """The file a route is written to: directories get index.html."""
    if route == "" or route.endswith("/"):
        return PurePosixPath(route) / "index.html"
    return PurePosixPath(route)


def arxiv_abs(arxiv_id: str, version: str | None = None) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}{version or ''}"


def arxiv_pdf(arxiv_id: str, version: str | None = None) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}{version or ''}"


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


OPML = "feeds.opml"


def feeds_index() -> str:
    return "feeds/"


def downloads(route: str) -> tuple[str, str, str]:
    """The BibTeX, RIS and CSL-JSON files of a digest issue's or topic's papers, beside its
    page."""
    return f"{route}papers.bib", f"{route}papers.ris", f"{route}papers.json"


def for_you() -> str:
    return "for-you/"
