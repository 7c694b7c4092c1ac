"""Search records: per paper, the small page Pagefind indexes instead of the paper's own page.

A paper page also shows things search ignores (related papers, links, the citation block) and
some of them change when other papers arrive; indexing the page would tie the index of an old
paper to its neighbours. The theme's ``search_record.html`` renders only what search shows and
finds (the same ``data-pagefind-*`` marks as ``paper.html``), so a record's bytes change exactly
when the paper's search entry must, and a shard of records can be reused by its hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from generator import urls
from generator.markup import render_abstract
from generator.models import Paper

TEMPLATE = "search_record.html"


@dataclass(frozen=True)
class SearchRecord:
    """One paper's record: written at ``page`` (the paper page's path, so URLs are the same)."""

    page: str  # "papers/<slug>/index.html"
    html: bytes


@dataclass(frozen=True)
class RecordView:
    """What ``search_record.html`` gets as ``paper``: the fields of paper.html's ``paper``
    that search reads."""

    card: Any  # the paper's PaperCard (generator/site/views.py)
    authors: tuple[str, ...]
    abstract_html: Markup
    comment: str | None
    journal_ref: str | None


def render_records(env: jinja2.Environment,
                   papers: Iterable[tuple[Paper, Any]]) -> list[SearchRecord]:
    """Records of ``(paper, card)`` pairs, oldest first (by date, then slug): new papers land
    at the end, so the shards before them keep their records and their bundles."""
    template = env.get_template(TEMPLATE)
    ordered = sorted(papers, key=lambda pair: (pair[0].date, pair[0].slug))
    return [SearchRecord(urls.paper(paper.slug) + "index.html",
                         template.render(paper=_view(paper, card)).encode("utf-8"))
            for paper, card in ordered]


def _view(paper: Paper, card: Any) -> RecordView:
    return RecordView(card=card, authors=paper.authors,
                      abstract_html=Markup(render_abstract(paper.abstract)),
                      comment=paper.comment, journal_ref=paper.journal_ref)
