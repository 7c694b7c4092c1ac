"""arXiv API: fetch an Atom response for some IDs and turn its entries into importer Entries.

The XML is untrusted (network or a file from a contributor): it is parsed with defusedxml,
which refuses DTDs and entities. Nothing here writes files.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from generator.content import ARXIV_ID
from generator.importers.entry_writer import Entry, normalise_arxiv_id
from generator.slugs import slugify

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
API_URL_ENV = "PAPERBOY_ARXIV_API"
TIMEOUT_SECONDS = 20
MAX_RESPONSE_BYTES = 20_000_000
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_SPACES = re.compile(r"[ \t\r\n]+")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")


class ArxivError(Exception):
    """The API could not be reached or answered something unusable; the message says which."""


@dataclass(frozen=True)
class AtomPaper:
    """One paper of an Atom response, before it is given a digest date."""

    arxiv: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]

    def to_entry(self, date: dt.date) -> Entry:
        tags = tuple(dict.fromkeys(tag for tag in map(slugify, self.categories) if tag))
        return Entry(title=self.title, date=date, abstract=self.abstract, authors=self.authors,
                     arxiv=self.arxiv, tags=tags)


def api_url(explicit: str | None = None) -> str:
    """The query endpoint: ``explicit``, else $PAPERBOY_ARXIV_API, else arXiv's own."""
    return explicit or os.environ.get(API_URL_ENV) or DEFAULT_API_URL


def fetch_atom(ids: Iterable[str], base_url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The API's raw Atom answer for ``ids`` (one request); ArxivError on any failure."""
    wanted = list(dict.fromkeys(ids))
    for arxiv in wanted:
        if not ARXIV_ID.fullmatch(arxiv):
            raise ArxivError(f"'{arxiv}' is not an arXiv ID (expected e.g. 2302.06675)")
    query = urllib.parse.urlencode({"id_list": ",".join(wanted), "max_results": len(wanted)})
    url = f"{base_url}{'&' if '?' in base_url else '?'}{query}"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ArxivError(f"the arXiv API URL must be http(s), got '{base_url}'")
    request = urllib.request.Request(url, headers={"User-Agent": "paperboy"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ArxivError(f"the arXiv API answered HTTP {error.code} ({error.reason})") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise ArxivError(f"cannot reach the arXiv API at {base_url}: {reason}") from None
    if len(data) > MAX_RESPONSE_BYTES:
        raise ArxivError("the arXiv API answer is too large")
    return data


def parse_atom(data: bytes) -> tuple[list[AtomPaper], list[str]]:
    """Papers of an arXiv Atom document in document order, and one problem line per bad entry.

    The API reports a bad request as an entry whose id is an ``/api/errors`` URL; that
    becomes a problem, as does an entry without an arXiv ID or a title.
    """
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException) as error:
        raise ArxivError(f"the answer is not a valid Atom document: {error}") from None
    if root.tag != f"{_ATOM}feed":
        raise ArxivError("the answer is not an Atom feed")
    papers: list[AtomPaper] = []
    problems: list[str] = []
    for number, element in enumerate(root.iter(f"{_ATOM}entry"), start=1):
        try:
            papers.append(parse_entry(element))
        except ValueError as error:
            problems.append(f"entry {number}: {error}")
    return papers, problems


def parse_entry(element: Element) -> AtomPaper:
    """One ``<entry>``; ValueError says what is missing or wrong."""
    entry_id = _text(element, "id")
    if "/api/errors" in entry_id:
        raise ValueError(f"the arXiv API reported an error: {_text(element, 'summary')}")
    arxiv = normalise_arxiv_id(entry_id.rsplit("/abs/", 1)[-1])
    title = _one_line(_text(element, "title"))
    if not arxiv or not title:
        raise ValueError(f"no paper with this ID (id '{entry_id}', title '{title}')")
    authors = tuple(name for name in (_one_line(author.findtext(f"{_ATOM}name") or "")
                                      for author in element.iter(f"{_ATOM}author")) if name)
    primary = element.find(f"{_ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in element.iter(f"{_ATOM}category")]
    return AtomPaper(arxiv=arxiv, title=title, abstract=_paragraphs(_text(element, "summary")),
                     authors=authors, categories=tuple(dict.fromkeys(t for t in terms if t)))


def _text(element: Element, name: str) -> str:
    return (element.findtext(f"{_ATOM}{name}") or "").strip()


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _paragraphs(text: str) -> str:
    """arXiv wraps abstracts at ~80 columns: join the lines, keep blank-line paragraphs."""
    parts = (_one_line(part) for part in _PARAGRAPHS.split(text.strip()))
    return "\n\n".join(part for part in parts if part)
