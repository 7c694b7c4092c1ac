"""The export files of a site: for each paper ``papers/<slug>/cite.bib``, ``cite.ris`` and
``cite.json`` (CSL-JSON), and for each digest issue and topic ``papers.bib``, ``papers.ris`` and
``papers.json`` holding all of its papers, so a whole issue goes into a reference manager at once.

Made lazily, one file at a time, so a large site never holds them all; each paper's records are
made once (and remembered by value, for ``paperboy serve``) however many files list it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import PurePosixPath

from generator import urls
from generator.config import SiteConfig
from generator.exports.formats import csl_json_item, render_csl_json, render_ris, unique_keys
from generator.models import OutputFile, Paper
from generator.site import SiteModel
from generator.site.planner import citation_source
from generator.site.scholarly import CitationSource, citation_key, render_bibtex


@lru_cache(maxsize=1 << 15)
def _records(source: CitationSource) -> tuple[str, str, dict[str, object]]:
    return render_bibtex(source, abstract=True), render_ris(source), csl_json_item(source)


def render_exports(config: SiteConfig, model: SiteModel) -> Iterator[OutputFile]:
    sources = {p.slug: citation_source(p, model.cards[p.slug], model.urls, config)
               for p in model.papers}
    for paper in model.papers:
        bib, ris, csl = _records(sources[paper.slug])
        route = urls.paper(paper.slug)
        yield from _files(route, [bib], [ris], [csl])
    collections: list[tuple[str, Sequence[Paper | str]]] = [
        (urls.issue(issue.key), issue.papers) for issue in model.issues]
    by_topic: dict[str, list[str]] = {t.slug: [] for t in model.topics}
    for paper in model.papers:  # newest first
        card = model.cards[paper.slug]
        if card.topic and card.topic.slug in by_topic:
            by_topic[card.topic.slug].append(paper.slug)
    collections += [(urls.topic(slug), slugs) for slug, slugs in by_topic.items()]
    for route, members in collections:
        slugs = [m if isinstance(m, str) else m.slug for m in members]
        chosen = [sources[s] for s in slugs]
        keys = unique_keys([citation_key(s.authors, s.date_iso[:4], s.title) for s in chosen])
        bibs = [render_bibtex(s, abstract=True, key=k) for s, k in zip(chosen, keys, strict=True)]
        ris = [_records(s)[1] for s in chosen]
        csl = [{**_records(s)[2], "id": k} for s, k in zip(chosen, keys, strict=True)]
        yield from _files(route, bibs, ris, csl)


def _files(route: str, bibs: Sequence[str], ris: Sequence[str],
           csl: Sequence[dict[str, object]]) -> Iterator[OutputFile]:
    bib_path, ris_path, csl_path = urls.downloads(route)
    yield OutputFile(PurePosixPath(bib_path), ("\n\n".join(bibs) + "\n").encode())
    yield OutputFile(PurePosixPath(ris_path), "\r\n".join(ris).encode())
    yield OutputFile(PurePosixPath(csl_path), render_csl_json(csl))
