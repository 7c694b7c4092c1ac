"""`paperboy import arxiv`: entries from saved arXiv Atom files and from IDs fetched from the API.

IDs that already have an entry are skipped before any request is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from generator.content import ARXIV_ID
from generator.diagnostics import UserError
from generator.importers.arxiv_atom import ArxivError, AtomPaper, fetch_atom, parse_atom
from generator.importers.entry_writer import (
    ImportReport,
    load_existing_arxiv_ids,
    normalise_arxiv_id,
)
from generator.importers.fresh import display_path, write_fresh

IDS_PER_REQUEST = 100


def import_arxiv(sources: Sequence[str], content_dir: Path, date: dt.date,
                 api_url: str) -> ImportReport:
    """Each source is an Atom file (a saved API answer) or an arXiv ID; entries get ``date``.

    Unreadable files, malformed IDs and an unreachable API are UserErrors (nothing is
    written); a bad entry inside an answer, or an ID the API does not know, is a problem line.
    """
    files = [Path(source) for source in sources if Path(source).is_file()]
    ids = [parse_id_argument(source) for source in sources if not Path(source).is_file()]
    papers: list[AtomPaper] = []
    problems: list[str] = []
    for path in files:
        try:
            found, bad = parse_atom(path.read_bytes())
        except ArxivError as error:
            raise UserError(f"{path}: {error}") from None
        papers.extend(found)
        problems.extend(f"{path}: {line}" for line in bad)
    existing = load_existing_arxiv_ids(content_dir)
    wanted = [arxiv for arxiv in dict.fromkeys(ids) if arxiv not in existing]
    skipped = [f"{arxiv}: already in {display_path(existing[arxiv], content_dir)}"
               for arxiv in dict.fromkeys(ids) if arxiv in existing]
    fetched, fetch_problems = fetch_papers(wanted, api_url)
    papers.extend(fetched)
    problems.extend(fetch_problems)
    return write_fresh((paper.to_entry(date) for paper in papers), content_dir,
                       skipped=skipped, problems=problems)


def fetch_papers(ids: Sequence[str], api_url: str) -> tuple[list[AtomPaper], list[str]]:
    """Papers for ``ids`` in batches; an ID missing from the answers is a problem line."""
    papers: list[AtomPaper] = []
    problems: list[str] = []
    for start in range(0, len(ids), IDS_PER_REQUEST):
        batch = ids[start:start + IDS_PER_REQUEST]
        try:
            found, bad = parse_atom(fetch_atom(batch, api_url))
        except ArxivError as error:
            raise UserError(f"error: {error}") from None
        papers.extend(found)
        problems.extend(f"arXiv API: {line}" for line in bad)
    returned = {paper.arxiv for paper in papers}
    problems.extend(f"{arxiv}: not found by the arXiv API" for arxiv in ids
                    if arxiv not in returned)
    return papers, problems


def parse_id_argument(text: str) -> str:
    """'arXiv:2302.06675v2' -> '2302.06675'; UserError when ``text`` is no arXiv ID."""
    cleaned = text.strip().removeprefix("arXiv:").removeprefix("arxiv:")
    arxiv = normalise_arxiv_id(cleaned) if ARXIV_ID.fullmatch(cleaned) else None
    if not arxiv:
        raise UserError(f"error: '{text}' is not an arXiv ID or a file "
                        "(expected e.g. 2302.06675)")
    return arxiv

