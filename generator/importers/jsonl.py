"""Import arXiv records from JSON Lines (plain or gzip) as entry files.

Records look like the shared corpus: id, title, abstract, authors, date, label, labels. Papers whose
arXiv ID already has an entry under content_dir are skipped, never rewritten.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from generator.content import ARXIV_ID
from generator.diagnostics import UserError
from generator.importers.entry_writer import (
    Entry,
    ImportReport,
    load_existing_arxiv_ids,
    normalise_arxiv_id,
    write_entries,
)
from generator.importers.fresh import display_path
from generator.slugs import slugify

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Record:
    """One usable input line: the entry to write, its normalised ID and its line number."""

    arxiv: str
    entry: Entry
    line: int


def import_jsonl(path: Path, content_dir: Path, *, limit: int | None = None, seed: int = 0,
                 repeat: int = 1) -> ImportReport:
    """Write one entry per record to ``content_dir/<date>/<arxiv id>.md``.

    ``repeat`` > 1 appends r-1 copies of every record, each under a new, valid and unique
    arXiv ID in the same month (for benchmarks). ``limit`` then takes a deterministic sample
    (``random.Random(seed).sample`` over the record order). Entries are written in sorted ID
    order; records whose ID is already under ``content_dir`` are skipped and reported, so
    running the same import twice writes nothing the second time.
    """
    if limit is not None and limit < 0:
        raise UserError(f"--limit must be 0 or more, got {limit}")
    if repeat < 1:
        raise UserError(f"--repeat must be 1 or more, got {repeat}")
    records, skipped, problems = parse_records(path)
    existing = load_existing_arxiv_ids(content_dir)
    if repeat > 1:
        records += repeat_records(records, repeat)
    if limit is not None and limit < len(records):
        records = random.Random(seed).sample(records, limit)
    records.sort(key=lambda record: record.arxiv)
    fresh: list[Entry] = []
    for record in records:
        if record.arxiv in existing:
            where = display_path(existing[record.arxiv], content_dir)
            skipped.append(f"{record.arxiv}: already in {where}")
        else:
            fresh.append(record.entry)
    return ImportReport(written=write_entries(fresh, content_dir), skipped=tuple(skipped),
                        problems=tuple(problems))


def parse_records(path: Path) -> tuple[list[Record], list[str], list[str]]:
    """Usable records in file order, skipped duplicates, and problems as ``path:line: ...``."""
    records: list[Record] = []
    skipped: list[str] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in _read_lines(path):
        if not line.strip():
            continue
        try:
            record = parse_record(json.loads(line), number)
        except (ValueError, TypeError) as error:
            problems.append(f"{path}:{number}: skipped record: {error}")
            continue
        if record.arxiv in first_line:
            skipped.append(f"{record.arxiv}: duplicate of line {first_line[record.arxiv]} "
                           f"({path}:{number})")
            continue
        first_line[record.arxiv] = number
        records.append(record)
    return records, skipped, problems


def _read_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        binary = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        try:
            with io.TextIOWrapper(binary, encoding="utf-8") as text:
                yield from enumerate(text, start=1)
        except UnicodeDecodeError as error:
            raise UserError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
                            ) from None
        except (gzip.BadGzipFile, EOFError) as error:
            raise UserError(f"{path}: damaged gzip file ({error})") from None


def parse_record(data: object, line: int) -> Record:
    """A JSON object -> Record; ValueError/TypeError name the field that is wrong."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, got {type(data).__name__}")
    arxiv = _text(data, "id")
    if not ARXIV_ID.fullmatch(arxiv):
        raise ValueError(f"'id' is not an arXiv ID: {arxiv!r}")
    date_text = _text(data, "date")
    try:
        date = dt.date.fromisoformat(date_text)
    except ValueError:
        raise ValueError(f"'date' must be YYYY-MM-DD, got {date_text!r}") from None
    labels = data.get("labels")
    if labels is None:
        labels = [data["label"]] if data.get("label") is not None else []
    tags = dict.fromkeys(slugify(label) for label in _text_list(labels, "labels"))
    entry = Entry(
        title=_text(data, "title"),
        date=date,
        abstract=_text(data, "abstract", required=False),
        authors=tuple(_text_list(data.get("authors") or [], "authors")),
        arxiv=arxiv,
        tags=tuple(tag for tag in tags if tag),
    )
    return Record(normalise_arxiv_id(arxiv) or arxiv, entry, line)


def _text(data: Mapping[str, object], key: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"'{key}' must be a non-empty string, got {value!r}"[:200])
    if not value.isprintable() and _has_surrogate(value):
        raise ValueError(f"'{key}' contains text that is not valid Unicode")
    return value


def _has_surrogate(value: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in value)


def _text_list(value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(f"'{key}' must be a list of strings")
    return value


def repeat_records(records: list[Record], repeat: int) -> list[Record]:
    """Copies 2..repeat of every record, each with a fresh arXiv ID in the record's month.

    New numbers count down from the top of the month's range (99999, or 9999 before 2015),
    skipping every ID in ``records``, so they look synthetic and never collide with the input.
    They depend on the input alone, so a second run finds the first run's copies and skips them.
    Titles get " (copy N)" so that the copies pass the duplicate-title check.
    """
    used = {record.arxiv for record in records}
    next_number: dict[str, int] = {}
    copies: list[Record] = []
    for number in range(2, repeat + 1):
        for record in records:
            arxiv = _fresh_id(record.arxiv, used, next_number)
            used.add(arxiv)
            title = f"{record.entry.title} (copy {number})"
            copies.append(replace(record, arxiv=arxiv,
                                  entry=replace(record.entry, arxiv=arxiv, title=title)))
    return copies


def _fresh_id(arxiv: str, used: set[str], next_number: dict[str, int]) -> str:
    """``arxiv`` passed the loader's rule, so only its last digits need to change: the number
    after "YYMM." (4 or 5 digits, as the month has), or the last 3 of "archive/YYMMNNN"."""
    if not ARXIV_ID.fullmatch(arxiv):
        raise ValueError(f"cannot derive a new ID from {arxiv!r}")
    if "/" in arxiv:
        prefix, width = arxiv[:-3], 3
    else:
        prefix, _, digits = arxiv.partition(".")
        prefix, width = f"{prefix}.", len(digits)
    number = next_number.get(prefix, 10**width - 1)
    while number > 0 and f"{prefix}{number:0{width}d}" in used:
        number -= 1
    if number <= 0:
        raise UserError(f"--repeat: no free arXiv IDs left for {prefix!r}")
    next_number[prefix] = number - 1
    return f"{prefix}{number:0{width}d}"
