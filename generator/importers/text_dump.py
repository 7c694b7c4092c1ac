"""Import a copied "daily papers" web page: find title/abstract pairs by shape, write entries.

Paragraphs are classified by structure, never by a list of known noise lines; the dump has no
authors, IDs or links, so none are invented.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import UserError
from generator.importers.entry_writer import Entry, ImportReport, write_entries

# An abstract is a long paragraph of several sentences; a title is one short line.
ABSTRACT_MIN_CHARS = 200
ABSTRACT_MIN_SENTENCES = 2
TITLE_MAX_CHARS = 300
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@dataclass(frozen=True)
class TextPaper:
    """One title/abstract pair; ``line`` is the 1-based line of the title in the dump."""

    title: str
    abstract: str
    line: int


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int


@dataclass(frozen=True)
class StrayParagraph:
    """A paragraph that is not part of a title/abstract pair, and why."""

    line: int
    reason: str


def split_paragraphs(text: str) -> list[Paragraph]:
    """Blank-line-separated paragraphs, stripped, each with its 1-based first line."""
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            paragraphs.append(Paragraph("\n".join(current).strip(), start))
            current = []
    if current:
        paragraphs.append(Paragraph("\n".join(current).strip(), start))
    return paragraphs


def is_abstract(paragraph: Paragraph) -> bool:
    text = paragraph.text
    return (len(text) >= ABSTRACT_MIN_CHARS
            and len(_SENTENCE_END.findall(text)) >= ABSTRACT_MIN_SENTENCES)


def is_title_shaped(paragraph: Paragraph) -> bool:
    """One line, not too long, not abstract-shaped; a title only if an abstract follows."""
    text = paragraph.text
    return "\n" not in text and len(text) <= TITLE_MAX_CHARS and not is_abstract(paragraph)


def scan_text_dump(text: str) -> tuple[list[TextPaper], list[StrayParagraph]]:
    """Pairs (title immediately followed by an abstract) and every other paragraph, in order."""
    paragraphs = split_paragraphs(text)
    papers: list[TextPaper] = []
    stray: list[StrayParagraph] = []
    index = 0
    while index < len(paragraphs):
        here = paragraphs[index]
        after = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if is_title_shaped(here) and after is not None and is_abstract(after):
            papers.append(TextPaper(here.text, after.text, here.line))
            index += 2
            continue
        reason = ("abstract without a title line before it" if is_abstract(here)
                  else "neither a title nor an abstract")
        stray.append(StrayParagraph(here.line, reason))
        index += 1
    return papers, stray


def parse_text_dump(text: str) -> list[TextPaper]:
    """The title/abstract pairs of a page dump, in page order."""
    return scan_text_dump(text)[0]


def import_text_dump(path: Path, content_dir: Path, date: dt.date) -> ImportReport:
    """Write one entry per pair to ``content_dir/<date>/``; stray paragraphs go to problems.

    Entries carry only title, date and abstract. Titles that slug alike get "-2", "-3"...
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    papers, stray = scan_text_dump(text)
    problems = tuple(f"{path}:{item.line}: skipped paragraph: {item.reason}" for item in stray)
    entries = [Entry(title=paper.title, date=date, abstract=paper.abstract) for paper in papers]
    return ImportReport(written=write_entries(entries, content_dir), skipped=(),
                        problems=problems)
