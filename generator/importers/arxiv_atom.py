"""arXiv API: fetch an Atom response for some IDs and turn its entries into importer Entries.

The XML is untrusted (network or a file from a contributor): it is parsed with defusedxml,
which refuses DTDs and entities. Nothing here writes files.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from generator.content import ARXIV_ID
from generator.importers.entry_writer import Entry, normalise_arxiv_id
from generator.importers.polite_http import HttpError, PoliteClient, arxiv_client
from generator.slugs import slugify

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
API_URL_ENV = "PAPERBOY_ARXIV_API"
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_VERSION = re.compile(r"v([1-9]\d*)$")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
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
    categories: tuple[str, ...]  # primary first
    version: int = 1
    published: dt.datetime | None = None  # when version 1 was submitted
    doi: str | None = None
    comment: str | None = None
    journal_ref: str | None = None

    def to_entry(self, date: dt.date) -> Entry:
        tags = tuple(dict.fromkeys(tag for tag in map(slugify, self.categories) if tag))
        return Entry(title=self.title, date=date, abstract=self.abstract, authors=self.authors,
                     arxiv=self.arxiv, tags=tags, doi=self.doi, comment=self.comment,
                     journal_ref=self.journal_ref)


@dataclass(frozen=True)
class AtomPage:
    """One API answer: its papers, problem lines, and what OpenSearch says about the query."""

    papers: list[AtomPaper]
    problems: list[str]
    total: int | None  # opensearch:totalResults: every match of the query, not just this page
    start: int


def api_url(explicit: str | None = None) -> str:
    """The query endpoint: ``explicit``, else $PAPERBOY_ARXIV_API, else arXiv's own."""
    return explicit or os.environ.get(API_URL_ENV) or DEFAULT_API_URL


def fetch_atom(ids: Iterable[str], base_url: str, client: PoliteClient | None = None) -> bytes:
    """The API's raw Atom answer for ``ids`` (one request); ArxivError on any failure."""
    wanted = list(dict.fromkeys(ids))
    for arxiv in wanted:
        if not ARXIV_ID.fullmatch(arxiv):
            raise ArxivError(f"'{arxiv}' is not an arXiv ID (expected e.g. 2302.06675)")
    return query_api(base_url, {"id_list": ",".join(wanted), "max_results": len(wanted)},
                     client)


def query_api(base_url: str, params: dict[str, object],
              client: PoliteClient | None = None) -> bytes:
    """One polite request to the API (see polite_http); ArxivError on any failure."""
    query = urllib.parse.urlencode(params)
    url = f"{base_url}{'&' if '?' in base_url else '?'}{query}"
    try:
        return (client or arxiv_client()).get(url, "arXiv API")
    except HttpError as error:
        raise ArxivError(str(error).replace(url.split("?", 1)[0], base_url)) from None


def parse_atom(data: bytes) -> tuple[list[AtomPaper], list[str]]:
    """Papers of an arXiv Atom document in document order, and one problem line per bad entry.

    The API reports a bad request as an entry whose id is an ``/api/errors`` URL; that
    becomes a problem, as does an entry without an arXiv ID or a title.
    """
    page = parse_atom_page(data)
    return page.papers, page.problems


def parse_atom_page(data: bytes) -> AtomPage:
    """``parse_atom`` plus the OpenSearch totals of the answer."""
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
    return AtomPage(papers, problems, total=_whole_number(root, "totalResults"),
                    start=_whole_number(root, "startIndex") or 0)


def _whole_number(root: Element, name: str) -> int | None:
    text = (root.findtext(f"{_OPENSEARCH}{name}") or "").strip()
    return int(text) if text.isdigit() else None


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
    version = _VERSION.search(entry_id)
    return AtomPaper(arxiv=arxiv, title=title, abstract=_paragraphs(_text(element, "summary")),
                     authors=authors, categories=tuple(dict.fromkeys(t for t in terms if t)),
                     version=int(version.group(1)) if version else 1,
                     published=_datetime(_text(element, "published")),
                     doi=_first_doi(element.findtext(f"{_ARXIV}doi") or ""),
                     comment=_one_line(element.findtext(f"{_ARXIV}comment") or "") or None,
                     journal_ref=_one_line(element.findtext(f"{_ARXIV}journal_ref") or "")
                     or None)


def _first_doi(text: str) -> str | None:
    """arXiv lists several DOIs space-separated; the entry takes the first well-formed one."""
    return next((doi for doi in text.split() if _DOI.fullmatch(doi)), None)


def _datetime(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _text(element: Element, name: str) -> str:
    return (element.findtext(f"{_ATOM}{name}") or "").strip()


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _paragraphs(text: str) -> str:
    """arXiv wraps abstracts at ~80 columns: join the lines, keep blank-line paragraphs."""
    parts = (_one_line(part) for part in _PARAGRAPHS.split(text.strip()))
    return "\n\n".join(part for part in parts if part)
