"""Import a Hugging Face daily_papers JSON listing as entry files.

The file is a list of objects with ``paper.id``, ``paper.title``, ``paper.summary``,
``paper.authors[].name``, ``paper.upvotes``, optional ``paper.githubRepo``,
``paper.projectPage`` and ``thumbnail``, and ``publishedAt`` (the digest day). It is what
``https://huggingface.co/api/daily_papers?date=YYYY-MM-DD`` answers.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from generator.content import ARXIV_ID
from generator.content.fields import URL_PATTERN
from generator.diagnostics import UserError
from generator.importers.entry_writer import Entry, ImportReport
from generator.importers.fresh import write_fresh


def import_hf(path: Path, content_dir: Path) -> ImportReport:
    """Write one entry per listed paper to ``content_dir/<publishedAt day>/<arxiv id>.md``.

    Records that cannot be read are reported as problems with their index in the list;
    papers already present are skipped; nothing existing is rewritten.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not UTF-8 text ({error.reason})") from None
    except json.JSONDecodeError as error:
        raise UserError(f"{path}:{error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(data, list):
        raise UserError(f"{path}: expected a JSON list of daily papers, got "
                        f"{type(data).__name__}")
    entries: list[Entry] = []
    problems: list[str] = []
    for index, record in enumerate(data):
        try:
            entries.append(parse_daily_paper(record))
        except (TypeError, ValueError) as error:
            problems.append(f"{path}: item {index}: skipped: {error}")
    return write_fresh(entries, content_dir, problems=problems)


_URL = re.compile(URL_PATTERN)


def parse_daily_paper(record: Any, day: dt.date | None = None) -> Entry:
    """One daily_papers object -> Entry; TypeError/ValueError name the field that is wrong.

    The entry is dated ``day`` when given (the listing asked for), else by ``publishedAt``.
    Links that are not absolute http(s) URLs are left out rather than failing the paper.
    """
    if not isinstance(record, dict) or not isinstance(record.get("paper"), dict):
        raise TypeError("expected an object with a 'paper' object")
    paper = record["paper"]
    arxiv = _string(paper, "id", "paper.id").strip()
    if not ARXIV_ID.fullmatch(arxiv):
        raise ValueError(f"'paper.id' is not an arXiv ID: {arxiv[:60]!r}")
    if day is not None:
        date = day
    else:
        published = _string(record, "publishedAt", "publishedAt")
        try:
            date = dt.date.fromisoformat(published[:10])
        except ValueError:
            raise ValueError(f"'publishedAt' must start with YYYY-MM-DD, got "
                             f"{published[:40]!r}") from None
    authors = paper.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, dict) for a in authors):
        raise TypeError("'paper.authors' must be a list of objects with a 'name'")
    upvotes = paper.get("upvotes")
    if upvotes is not None and (isinstance(upvotes, bool) or not isinstance(upvotes, int)
                                or upvotes < 0):
        raise ValueError(f"'paper.upvotes' must be a whole number >= 0, got {upvotes!r}")
    return Entry(
        title=" ".join(_string(paper, "title", "paper.title").split()),
        date=date,
        abstract=_string(paper, "summary", "paper.summary").strip(),
        authors=tuple(" ".join(_string(a, "name", "paper.authors[].name").split())
                      for a in authors),
        arxiv=arxiv,
        upvotes=upvotes,
        code=_link(paper.get("githubRepo")),
        project=_link(paper.get("projectPage")),
        thumbnail=_link(record.get("thumbnail")),
    )


def _link(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and _URL.match(value.strip()) else None


def _string(data: dict[str, Any], key: str, shown: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise TypeError(f"'{shown}' must be a string, got {type(value).__name__}")
    return value
