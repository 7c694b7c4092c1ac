"""Write only new, valid entries: the last step shared by `new`, `import arxiv` and `import hf`.

Each candidate is rendered and validated by the content loader's own rules before anything is
written; papers whose arXiv ID already has an entry (or came earlier in the batch) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.content import identity_keys, parse_entries
from generator.diagnostics import Diagnostics
from generator.importers.entry_writer import (
    Entry,
    ImportReport,
    load_existing_arxiv_ids,
    normalise_arxiv_id,
    render_entry,
    write_entries,
)


def entry_problems(entry: Entry) -> list[str]:
    """What `paperboy check` would say about ``entry``, as 'field: message' lines."""
    return checked_entry(entry)[0]


def checked_entry(entry: Entry) -> tuple[list[str], list[tuple[str, str, str]]]:
    """``entry_problems`` and the identity keys `paperboy check` compares between entries
    (arXiv ID, DOI, title), so a caller can refuse a clash before writing."""
    diagnostics = Diagnostics()
    checked = parse_entries("entry.md", render_entry(entry), diagnostics, markdown=True)
    problems = [f"{d.field}: {d.message}" if d.field else d.message
                for d in diagnostics.sorted() if d.level == "error"]
    return problems, [key for one in checked for key in identity_keys(one)]


def write_fresh(entries: Iterable[Entry], content_dir: Path, *,
                skipped: Iterable[str] = (), problems: Iterable[str] = ()) -> ImportReport:
    """Write the entries that are valid and not yet present, in input order.

    ``skipped`` and ``problems`` from earlier steps (parsing) are kept in front of ours.
    """
    skipped_lines, problem_lines = list(skipped), list(problems)
    existing: dict[str, Path | None] = dict(load_existing_arxiv_ids(content_dir))
    fresh: list[Entry] = []
    for entry in entries:
        name = entry.arxiv or entry.title
        arxiv = normalise_arxiv_id(entry.arxiv) if entry.arxiv else None
        if arxiv and arxiv in existing:
            where = existing[arxiv]
            shown = "an earlier record" if where is None else display_path(where, content_dir)
            skipped_lines.append(f"{arxiv}: already in {shown}")
            continue
        errors = entry_problems(entry)
        if errors:
            problem_lines.extend(f"{name}: {error}" for error in errors)
            continue
        if arxiv:
            existing[arxiv] = None  # a later duplicate in this batch is skipped too
        fresh.append(entry)
    return ImportReport(written=write_entries(fresh, content_dir), skipped=tuple(skipped_lines),
                        problems=tuple(problem_lines))


def display_path(path: Path, content_dir: Path) -> str:
    """``path`` relative to the site root when it is under it (for messages)."""
    try:
        return path.relative_to(content_dir.parent).as_posix()
    except ValueError:
        return path.as_posix()
