"""`paperboy new`: one entry at ``content/<date>/<slug>.md``, from the arXiv API or a template.

When the API cannot help (offline, an error, an unknown ID) the caller gets the reason and a
fill-in template, which `paperboy check` rejects until its title and abstract are written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.diagnostics import UserError
from generator.importers.arxiv import fetch_papers, parse_id_argument
from generator.importers.entry_writer import (
    Entry,
    entry_slug,
    load_existing_arxiv_ids,
    render_quoted,
)
from generator.importers.fresh import display_path, write_fresh

TEMPLATE_HINTS = """\
# Fill in the title above and write the abstract below the closing '---' line.
# Optional fields: remove the '# ' of those you know (see CONTRIBUTING.md).
# authors: ["First Author", "Second Author"]
# doi: 10.1234/example
# url: https://example.org/paper
# code: https://github.com/owner/repo
# tags: [optimization, vision]
# submitted_by: your-github-name
"""


@dataclass(frozen=True)
class NewEntry:
    """Where the entry went; ``fallback_reason`` is set when a template was written instead."""

    path: Path
    fetched: bool
    fallback_reason: str = ""


def new_entry(content_dir: Path, date: dt.date, *, arxiv: str | None = None,
              title: str | None = None, api_url: str = "") -> NewEntry:
    """Write a fetched entry when ``arxiv`` is given and the API knows it, else a template."""
    if not arxiv and not (title and title.strip()):
        raise UserError("error: give an arXiv ID (paperboy new 2302.06675) or --title \"...\"")
    arxiv_id = _checked_id(arxiv, content_dir) if arxiv else None
    reason = ""
    if arxiv_id:
        try:
            papers, problems = fetch_papers([arxiv_id], api_url)
        except UserError as error:
            papers, problems = [], [str(error).removeprefix("error: ")]
        if papers:
            report = write_fresh([papers[0].to_entry(date)], content_dir)
            if report.written:
                return NewEntry(report.written[0], fetched=True)
            problems = list(report.problems)
        reason = "; ".join(problems) or f"{arxiv_id}: not found by the arXiv API"
    path = write_template(content_dir, date, arxiv=arxiv_id, title=(title or "").strip())
    return NewEntry(path, fetched=False, fallback_reason=reason)


def _checked_id(text: str, content_dir: Path) -> str:
    arxiv = parse_id_argument(text)
    existing = load_existing_arxiv_ids(content_dir)
    if arxiv in existing:
        raise UserError(f"error: {arxiv} is already in "
                        f"{display_path(existing[arxiv], content_dir)}")
    return arxiv


def template_text(date: dt.date, *, arxiv: str | None, title: str) -> str:
    """The fill-in entry: valid YAML front matter with commented hints and an empty body."""
    lines = ["---", f"title: {render_quoted(title)}", f"date: {date.isoformat()}"]
    if arxiv:
        lines.append(f"arxiv: {render_quoted(arxiv)}")
    return "\n".join(lines) + "\n" + TEMPLATE_HINTS + "---\n"


def write_template(content_dir: Path, date: dt.date, *, arxiv: str | None, title: str) -> Path:
    """Create the template file; never replaces an existing file."""
    stem = entry_slug(Entry(title=title or "new-paper", date=date, abstract="", arxiv=arxiv))
    path = content_dir / date.isoformat() / f"{stem}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(template_text(date, arxiv=arxiv, title=title))
    except FileExistsError:
        raise UserError(f"error: {display_path(path, content_dir)} already exists") from None
    return path
