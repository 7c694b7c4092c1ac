"""The export files of a site: for each digest issue and topic ``papers.bib``, ``papers.ris``
and ``papers.json`` (CSL-JSON) holding all of its papers, so a whole issue goes into a reference
manager at once. A paper has no files of its own: its page shows its BibTeX entry and carries
the ``citation_*`` tags reference managers read, and its issue's files hold it in every format
(three files per paper were most of a site's files and of its build time).

Made lazily, one file at a time, so a large site never holds them all; each paper's records are
made once (and remembered by value, for ``paperboy serve``) however many files list it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import PurePosixPath

from generator import urls
from generator.config import SiteConfig
from generator.exports.formats import (
    csl_json_item,
    csl_list_item,
    join_csl_items,
    render_ris,
    unique_keys,
)
from generator.models import OutputFile, Paper
from generator.site import SiteModel
from generator.site.planner import citation_source
from generator.site.scholarly import CitationSource, citation_key, render_bibtex


@dataclass(frozen=True)
class _Records:
    """One paper's records, made once however many files list it: its BibTeX entry, RIS
    record and CSL-JSON item (as the text it has inside a file's list), under its own key."""

    key: str
    bib: str
    ris: str
    csl: str
    item: dict[str, object]  # the CSL-JSON item, encoded again only under another key

    def bib_as(self, key: str) -> str:
        """The entry under another key (unique_keys renames repeats within a file)."""
        return self.bib if key == self.key else self.bib.replace(
            "{" + self.key + ",\n", "{" + key + ",\n", 1)

    def csl_as(self, key: str) -> str:
        return self.csl if key == self.key else csl_list_item({**self.item, "id": key})


RECORDS_KEPT = 1 << 15


@lru_cache(maxsize=RECORDS_KEPT)
def _records(source: CitationSource) -> _Records:
    key = citation_key(source.authors, source.date_iso[:4], source.title)
    item = csl_json_item(source, key)
    return _Records(key, render_bibtex(source, abstract=True, key=key), render_ris(source),
                    csl_list_item(item), item)


def render_exports(config: SiteConfig, model: SiteModel, *,
                   remember: bool = True) -> Iterator[OutputFile]:
    for _, _, make in export_units(config, model, remember=remember):
        yield from make()


Unit = tuple[str, object, Callable[[], list[OutputFile]]]


def export_units(config: SiteConfig, model: SiteModel, *,
                 remember: bool = True) -> Iterator[Unit]:
    """The export files in units: (name, the values the unit's files are a function of
    besides the configuration, a function that makes them), for the build cache
    (generator/reuse.py) to key them by. ``remember``: keep papers' records for the next call
    (serve); a build keeps them only while its units are made."""
    records = _records if remember else lru_cache(maxsize=RECORDS_KEPT)(_records.__wrapped__)
    sources = {p.slug: citation_source(p, model.cards[p.slug], model.urls, config)
               for p in model.papers}
    collections: list[tuple[str, Sequence[Paper | str]]] = [
        (urls.issue(issue.key), issue.papers) for issue in model.issues]
    by_topic: dict[str, list[str]] = {t.slug: [] for t in model.topics}
    for paper in model.papers:  # newest first
        card = model.cards[paper.slug]
        if card.topic and card.topic.slug in by_topic:
            by_topic[card.topic.slug].append(paper.slug)
    collections += [(urls.topic(slug), slugs) for slug, slugs in by_topic.items()]
    for route, members in collections:
        chosen = tuple(sources[m if isinstance(m, str) else m.slug] for m in members)
        yield route, chosen, partial(_collection_files, route, chosen, records)


def _collection_files(route: str, sources: Sequence[CitationSource],
                      records: Callable[[CitationSource], _Records] = _records
                      ) -> list[OutputFile]:
    chosen = [records(s) for s in sources]
    keys = unique_keys([r.key for r in chosen])
    return list(_files(route, [r.bib_as(k) for r, k in zip(chosen, keys, strict=True)],
                       [r.ris for r in chosen],
                       [r.csl_as(k) for r, k in zip(chosen, keys, strict=True)]))


def _files(route: str, bibs: Sequence[str], ris: Sequence[str],
           csl: Sequence[str]) -> Iterator[OutputFile]:
    bib_path, ris_path, csl_path = urls.downloads(route)
    yield OutputFile(PurePosixPath(bib_path), ("\n\n".join(bibs) + "\n").encode())
    yield OutputFile(PurePosixPath(ris_path), "\r\n".join(ris).encode())
    yield OutputFile(PurePosixPath(csl_path), join_csl_items(csl))
