"""Domain values passed between build stages: frozen, no I/O, no Jinja."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import MappingProxyType

from generator.diagnostics import Diagnostic

Progress = Callable[[str, int, int], None]  # (phase, done, total): a progress display

EMPTY_LINES: Mapping[str, int] = MappingProxyType({})
EMPTY_COORDS: Mapping[str, tuple[float, float]] = MappingProxyType({})


@dataclass(frozen=True)
class SourceRef:
    """Where an entry came from: path relative to the site root (POSIX) and 1-based line."""

    path: str
    line: int = 1


@dataclass(frozen=True)
class Paper:
    """One validated entry. ``abstract`` and ``title`` are the raw source text (Markdown/LaTeX)."""

    slug: str
    title: str
    abstract: str
    date: dt.date
    source: SourceRef
    authors: tuple[str, ...] = ()
    arxiv: str | None = None  # normalised, without version: "2302.06675", "hep-th/9901001"
    arxiv_version: str | None = None  # "v2" when the entry pinned one
    doi: str | None = None
    url: str | None = None
    pdf: str | None = None
    code: str | None = None
    project: str | None = None
    tags: tuple[str, ...] = ()  # slugs, sorted, unique
    upvotes: int | None = None
    submitted_by: str | None = None
    thumbnail: str | None = None
    comment: str | None = None  # the authors' arXiv comment
    journal_ref: str | None = None
    draft: bool = False
    field_lines: Mapping[str, int] = field(default_factory=lambda: EMPTY_LINES, compare=False,
                                           hash=False)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.source.line)


@dataclass(frozen=True)
class Topic:
    slug: str
    label: str
    terms: tuple[str, ...]
    papers: tuple[str, ...]  # paper slugs, newest first
    generated_label: str = ""  # the label made from the terms, before any rename
    # what the lock stores (generator/topics/rule.py): top terms of the topic's mean TF-IDF row
    # minus the mean paper's, and the norm of its whole mean row
    centroid: tuple[tuple[str, float], ...] = ()
    centroid_norm: float = 0.0


@dataclass(frozen=True)
class TopicModel:
    """Every non-draft paper is in exactly one topic; ``related``: up to N slugs, best first."""

    topics: tuple[Topic, ...]
    topic_of: Mapping[str, str]
    related: Mapping[str, tuple[str, ...]]
    # 2-D position of each paper for the topic map, both coordinates in [0, 1]
    coords: Mapping[str, tuple[float, float]] = field(default_factory=lambda: EMPTY_COORDS)
    # papers a followed topics.lock.yaml placed by its rules rather than fitted (its "added")
    placed: frozenset[str] = frozenset()
    # each paper's TF-IDF row in the model's vector space (a topics.TermRows), which the "For
    # you" ranking ships; None when the model came from the cache (the ranking computes them)
    term_rows: object | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class LoadResult:
    papers: tuple[Paper, ...]
    diagnostics: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class OutputFile:
    path: PurePosixPath  # relative to output/
    data: bytes
