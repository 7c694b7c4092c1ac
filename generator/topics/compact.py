"""Compact per-paper vectors for the reader's "For you" ranking: each paper's strongest terms of
the topic model's TF-IDF, with 8-bit weights, small enough to ship with a static site.

The one interface the ranking uses (``compact_vectors``), so that the topic pipeline may change
behind it: it needs only a TF-IDF row per paper over the same text the topics are fitted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from generator.models import Paper

TERMS_PER_PAPER = 16
WEIGHT_LEVELS = 255


@dataclass(frozen=True)
class CompactVectors:
    """``rows[slug]``: (term numbers into ``terms``, weights 1..255 with the strongest at 255),
    strongest first. A paper without any kept term has no row."""

    terms: tuple[str, ...]
    rows: dict[str, tuple[tuple[int, ...], tuple[int, ...]]]


def tfidf_rows(papers: Sequence[Paper]) -> tuple[list[str], sparse.csr_matrix | None, np.ndarray]:
    """(slugs in row order, the topic model's TF-IDF rows, L2-normalised, term strings)."""
    from generator.topics.fit import _text_of, _vectorize

    ordered = sorted(papers, key=lambda p: p.slug)
    matrix, vocabulary = _vectorize([_text_of(p) for p in ordered])
    return [p.slug for p in ordered], matrix, vocabulary


def truncate(matrix: sparse.csr_matrix, per_paper: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each row's ``per_paper`` largest weights as (columns, 8-bit levels), largest first
    (ties: lower column first)."""
    result = []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        if len(values) == 0:
            result.append((columns[:0], np.zeros(0, dtype=np.uint8)))
            continue
        order = np.lexsort((columns, -values))[:per_paper]
        top = values[order]
        levels = np.maximum(1, np.rint(top / top[0] * WEIGHT_LEVELS)).astype(np.uint8)
        result.append((columns[order], levels))
    return result


@dataclass(frozen=True)
class TermRows:
    """A topic model's TF-IDF rows: ``matrix`` row i is paper ``slugs[i]``, over ``vocabulary``.
    With a followed lock these are the base's space, so an old paper's row never changes."""

    slugs: tuple[str, ...]
    matrix: sparse.csr_matrix
    vocabulary: np.ndarray


def compact_vectors(papers: Sequence[Paper], per_paper: int = TERMS_PER_PAPER,
                    rows: TermRows | None = None) -> CompactVectors:
    """From the model's ``rows`` when given (the papers' rows are picked from them), else from
    a TF-IDF fit over ``papers`` (what a model without a lock has: the same rows)."""
    if rows is None:
        slugs, matrix, vocabulary = tfidf_rows(papers)
    else:
        wanted = {p.slug for p in papers}
        picked = [i for i, slug in enumerate(rows.slugs) if slug in wanted]
        order = sorted(picked, key=lambda i: rows.slugs[i])
        slugs, matrix, vocabulary = ([rows.slugs[i] for i in order], rows.matrix[order],
                                     rows.vocabulary)
    if matrix is None:
        return CompactVectors((), {})
    truncated = truncate(matrix, per_paper)
    used = sorted({int(c) for columns, _ in truncated for c in columns})
    number = {column: i for i, column in enumerate(used)}
    rows = {slug: (tuple(number[int(c)] for c in columns), tuple(int(v) for v in levels))
            for slug, (columns, levels) in zip(slugs, truncated, strict=True) if len(columns)}
    return CompactVectors(tuple(str(vocabulary[c]) for c in used), rows)
