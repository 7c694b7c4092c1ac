"""Entry files for importers: render one entry as Markdown + YAML front matter, and write it.

Writing never overwrites: an existing path gets a "-2", "-3"... suffix. No input format is
parsed here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from generator.content import ARXIV_ID_PATTERN
from generator.slugs import short_hash, slugify

# Printable ASCII without '"' and '\\': yaml.safe_dump's double-quoted form of such a string is
# the string between two quotes (tests check this), so the common case skips the slow emitter.
_SIMPLE_QUOTED = re.compile(r'[ !#-\[\]-~]*')
# The loader's rule, found inside text ("arXiv:2302.06675v2", a URL): not part of a longer token.
_ARXIV_IN_TEXT = re.compile(rf"(?<![\w.-]){ARXIV_ID_PATTERN}(?![\w.])")
_ARXIV_LINE = re.compile(r"^\s*(?:-\s+)?arxiv\s*:(.*)$")


@dataclass(frozen=True)
class Entry:
    """What an importer knows about one paper; unknown fields stay empty and are not written."""

    title: str
    date: dt.date
    abstract: str
    authors: tuple[str, ...] = ()
    arxiv: str | None = None
    tags: tuple[str, ...] = ()
    upvotes: int | None = None
    url: str | None = None
    doi: str | None = None
    code: str | None = None
    project: str | None = None
    thumbnail: str | None = None
    comment: str | None = None
    journal_ref: str | None = None


@dataclass(frozen=True)
class ImportReport:
    """``written`` in write order; ``skipped`` and ``problems`` are human-readable lines."""

    written: tuple[Path, ...]
    skipped: tuple[str, ...]
    problems: tuple[str, ...]


def _dump(value: object, **options: object) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, width=2**31 - 1, **options)
    # safe_dump closes a plain top-level scalar with a document-end marker.
    return text.removesuffix("\n...\n").rstrip("\n")


def render_quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar, exactly as ``yaml.safe_dump`` writes it."""
    if _SIMPLE_QUOTED.fullmatch(text):
        return f'"{text}"'
    return _dump(text, default_style='"')


@lru_cache(maxsize=4096)
def _render_tags(tags: tuple[str, ...]) -> str:
    return _dump(list(tags), default_flow_style=True)


def render_entry(entry: Entry) -> str:
    """The entry file's text: front matter keys in a fixed order, abstract as the body.

    Deterministic: the same entry gives the same text, LF line ends, one trailing newline.
    """
    lines = ["---", f"title: {render_quoted(entry.title)}", f"date: {entry.date.isoformat()}"]
    if entry.authors:
        lines.append(f"authors: [{', '.join(render_quoted(a) for a in entry.authors)}]")
    if entry.arxiv:
        lines.append(f"arxiv: {render_quoted(entry.arxiv)}")
    if entry.tags:
        lines.append(f"tags: {_render_tags(tuple(entry.tags))}")
    if entry.upvotes is not None:
        lines.append(f"upvotes: {int(entry.upvotes)}")
    for name in ("doi", "url", "code", "project", "thumbnail", "comment", "journal_ref"):
        value = getattr(entry, name)
        if value:
            lines.append(f"{name}: {render_quoted(value)}")
    lines.append("---")
    body = entry.abstract.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if body:
        lines.append(body)
    return "\n".join(lines) + "\n"


def entry_slug(entry: Entry) -> str:
    """File-name stem: the arXiv ID when known (dots kept), else the title (at most 60 chars)."""
    if entry.arxiv:
        slug = slugify(entry.arxiv, keep_dots=True)
        if slug:
            return slug
    return slugify(entry.title, max_length=60) or f"paper-{short_hash(entry.title)}"


def write_entries(entries: Iterable[Entry], content_dir: Path) -> tuple[Path, ...]:
    """Write each entry to ``content_dir/<date>/<slug>.md``; return the paths in input order.

    A path that exists (on disk or written earlier in this call) is never replaced: the
    file name gets the first free suffix "-2", "-3"... Creation is exclusive, so a
    concurrent writer cannot be clobbered either.
    """
    made_dirs: set[Path] = set()
    written: list[Path] = []
    for entry in entries:
        folder = content_dir / entry.date.isoformat()
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        written.append(_write_new_file(folder, entry_slug(entry),
                                       render_entry(entry).encode("utf-8")))
    return tuple(written)


def _write_new_file(folder: Path, stem: str, data: bytes) -> Path:
    number = 1
    while True:
        path = folder / (f"{stem}.md" if number == 1 else f"{stem}-{number}.md")
        try:
            with path.open("xb") as handle:
                handle.write(data)
        except FileExistsError:
            number += 1
            continue
        return path


def normalise_arxiv_id(text: str) -> str | None:
    """The first arXiv ID in ``text`` without its version ("arXiv:2302.06675v2" -> "2302.06675")."""
    match = _ARXIV_IN_TEXT.search(text)
    return match.group(1) if match else None


def load_existing_arxiv_ids(content_dir: Path) -> Mapping[str, Path]:
    """arXiv ID -> first file (sorted path order) under ``content_dir`` that declares it.

    A cheap scan, not a validation: only ``arxiv:`` lines of .md front matter and of
    .yaml/.yml files are read; the content loader reports malformed entries.
    """
    found: dict[str, Path] = {}
    if not content_dir.is_dir():
        return found
    paths = sorted(p for p in content_dir.rglob("*")
                   if p.suffix in {".md", ".yaml", ".yml"} and p.is_file())
    for path in paths:
        for value in _arxiv_values(path):
            arxiv = normalise_arxiv_id(value)
            if arxiv:
                found.setdefault(arxiv, path)
    return found


def _arxiv_values(path: Path) -> list[str]:
    values: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        is_markdown = path.suffix == ".md"
        if is_markdown and handle.readline().rstrip() != "---":
            return values
        for line in handle:
            if is_markdown and line.rstrip() in {"---", "..."}:
                break
            match = _ARXIV_LINE.match(line)
            if match:
                values.append(match.group(1))
    return values
