"""The base of a topic model: what is fitted on the papers a topics.lock.yaml lists as members
(or on every paper when no lock is followed), kept whole so that papers added later are placed
in it without fitting anything again: the vector space (terms, idf, LSA axes), the topics'
labels and terms, the base papers' related lists with their scores, and the map with its frame.

A base is a pure function of its papers' text, which topic each is in, and the settings: the
build caches it (generator/topics/cache.py) and a build without the cache computes the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse

from generator.models import Paper
from generator.topics.layout import LayoutFrame
from generator.topics.related import Related


@dataclass(frozen=True)
class BaseFit:
    slugs: tuple[str, ...]  # the base papers, sorted
    topic_slugs: tuple[str, ...]  # topic number -> slug; numbered by size, then first slug
    assignment: np.ndarray  # base paper -> topic number
    labels: tuple[str, ...]  # generated label of each topic
    terms: tuple[tuple[str, ...], ...]  # terms shown for each topic
    vocabulary: np.ndarray  # term strings
    idf: np.ndarray  # float64, per term
    matrix: sparse.csr_matrix  # the base papers' TF-IDF rows, float32
    axes: np.ndarray  # LSA axes over the single-word terms (dims x words), float32
    related: Related  # positions into ``slugs``
    coords: np.ndarray  # (papers, 2) map positions
    frame: LayoutFrame  # to place more papers on the same map
    stop_words: frozenset[str]  # dropped before terms are formed, as in the fit

    @property
    def columns(self) -> dict[str, int]:
        """Term -> column of ``matrix``."""
        return {str(term): i for i, term in enumerate(self.vocabulary.tolist())}

    @property
    def mean_row(self) -> np.ndarray:
        """The mean base paper: what the locked rules compare new papers against."""
        total = np.bincount(self.matrix.indices, weights=self.matrix.data.astype(np.float64),
                            minlength=self.matrix.shape[1])
        return total / max(self.matrix.shape[0], 1)


class BaseStore(Protocol):
    """Where bases are kept between builds (the signed disk cache); a miss is None."""

    def load(self, papers: Sequence[Paper], topics: Sequence[str],
             params: Sequence[object]) -> BaseFit | None: ...

    def store(self, papers: Sequence[Paper], topics: Sequence[str], params: Sequence[object],
              base: BaseFit) -> None: ...
