"""Writes ``ranking/``: ``index.json`` lists the months, newest first, with their paper counts;
``ranking/<YYYY-MM>.json`` holds, for every paper of that month, its slug, number (``pid``),
title, date and its strongest terms as pairs (term number, weight 1..255) into the month's own
``terms`` list. The "For you" page fetches the newest months and the months of starred papers,
never the whole archive.

Deterministic: papers newest first, terms sorted.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import PurePosixPath

from generator.cache import content_key
from generator.config import SiteConfig
from generator.models import OutputFile, Paper
from generator.site import SiteModel
from generator.topics import CompactVectors, TermRows, compact_vectors

RANKING_DIR = "ranking/"
VERSION = 1

# (hash of the papers' slugs and text, the model's rows) -> vectors: paperboy serve writes
# these files after each save, and only a title or abstract edit changes them
_LAST: dict[str, tuple[TermRows | None, CompactVectors]] = {}


def _vectors(papers: tuple[Paper, ...], rows: TermRows | None) -> CompactVectors:
    """From the topic model's rows when it has them: with a followed lock they are the base's,
    so a day's papers leave the older months' files as they were."""
    key = content_key(*(part for p in sorted(papers, key=lambda p: p.slug)
                        for part in (p.slug, p.title, p.abstract)))
    if key not in _LAST or _LAST[key][0] is not rows:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            vectors = compact_vectors(papers, rows=rows)
        _LAST.clear()
        _LAST[key] = (rows, vectors)
    return _LAST[key][1]


def render_ranking_files(config: SiteConfig, model: SiteModel) -> list[OutputFile]:
    rows = model.term_rows if isinstance(model.term_rows, TermRows) else None
    vectors = _vectors(model.papers, rows)
    months: dict[str, list[Paper]] = defaultdict(list)
    for paper in model.papers:  # newest first
        if paper.slug in vectors.rows:
            months[f"{paper.date.year:04d}-{paper.date.month:02d}"].append(paper)
    files = []
    for month, papers in months.items():
        used = sorted({t for p in papers for t in vectors.rows[p.slug][0]})
        local = {term: i for i, term in enumerate(used)}
        records = []
        for paper in papers:
            terms, weights = vectors.rows[paper.slug]
            card = model.cards[paper.slug]
            flat = [v for pair in zip((local[t] for t in terms), weights, strict=True)
                    for v in pair]
            records.append([paper.slug, card.pid, card.title_text, paper.date.isoformat(),
                            flat])
        files.append(_json(f"{RANKING_DIR}{month}.json",
                           {"terms": [vectors.terms[t] for t in used], "papers": records}))
    index = {"version": VERSION, "months": [[m, len(p)] for m, p in months.items()],
             "base": model.urls.base_path}
    files.append(_json(f"{RANKING_DIR}index.json", index))
    return files


def _json(path: str, value: object) -> OutputFile:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return OutputFile(PurePosixPath(path), text.encode())
