"""Unigram and bigram counts of word-coded texts, a block of texts at a time, for vectors.py.

A unigram's feature code is its word code; the bigram (a, b) is ``size + a * size + b``, where
``size`` is the number of distinct words. Nothing here holds one entry per (text, term) pair for
the whole corpus at once: document frequencies are tallied block by block and merged, so memory
follows the number of distinct terms, not the size of the corpus. Pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

CHUNK = 4096  # texts per counting step: bounds the size of the temporary key arrays
BOUNDARY = 0  # word code between parts of a text: neither a term nor part of a bigram


class Block(NamedTuple):
    """Every distinct term of the texts ``first`` .. ``first + len(per_text) - 1``."""

    first: int
    per_text: np.ndarray  # number of distinct terms of each text (int64)
    features: np.ndarray  # feature codes, text by text, ascending within a text (int64)
    counts: np.ndarray  # occurrences of the feature in its text (int32)


class Corpus(NamedTuple):
    codes: np.ndarray  # word codes of every text, concatenated (int32)
    lengths: np.ndarray  # number of words of each text (int64)
    size: int  # number of distinct words


def blocks(corpus: Corpus) -> Iterator[Block]:
    """The distinct terms of every text with their counts, CHUNK texts at a time."""
    codes, lengths, size = corpus
    starts = np.concatenate([[0], np.cumsum(lengths)])
    span = size + size * size
    for first in range(0, len(lengths), CHUNK):
        last = min(first + CHUNK, len(lengths))
        chunk = codes[starts[first]:starts[last]].astype(np.int64)
        doc = np.repeat(np.arange(last - first, dtype=np.int64), lengths[first:last])
        same = (doc[:-1] == doc[1:]) & (chunk[:-1] != BOUNDARY) & (chunk[1:] != BOUNDARY)
        bigrams = size + chunk[:-1][same] * size + chunk[1:][same]
        words = chunk != BOUNDARY
        keys = np.concatenate([(doc * span + chunk)[words], doc[:-1][same] * span + bigrams])
        del chunk, bigrams
        unique, counts = np.unique(keys, return_counts=True)
        del keys
        row, feature = np.divmod(unique, span)
        yield Block(first, np.bincount(row, minlength=last - first), feature,
                    counts.astype(np.int32))


def document_frequencies(corpus: Corpus) -> tuple[np.ndarray, np.ndarray]:
    """(every feature code that occurs, ascending; in how many texts it occurs)."""
    tally = _Tally()
    for block in blocks(corpus):
        tally.add(*np.unique(block.features, return_counts=True))
    return tally.total()


class _Tally:
    """Sums (sorted keys, counts) pieces; equal-sized pieces are merged pairwise (a binary
    counter), so each key is merged O(log pieces) times and at most two big pieces coexist."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, np.ndarray, np.ndarray]] = []  # (pieces merged, keys, n)

    def add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        weight, counts = 1, counts.astype(np.int32)
        while self._stack and self._stack[-1][0] == weight:
            _, below_keys, below_counts = self._stack.pop()
            keys, counts = _merge(below_keys, below_counts, keys, counts)
            weight *= 2
        self._stack.append((weight, keys, counts))

    def total(self) -> tuple[np.ndarray, np.ndarray]:
        keys, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        while self._stack:
            _, below_keys, below_counts = self._stack.pop()
            keys, counts = _merge(below_keys, below_counts, keys, counts)
        return keys, counts


def _merge(keys: np.ndarray, counts: np.ndarray, other_keys: np.ndarray,
           other_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two ascending, duplicate-free key arrays with their counts, as one."""
    at = np.searchsorted(keys, other_keys)
    found = at < len(keys)
    found[found] = keys[at[found]] == other_keys[found]
    counts = counts.copy()
    counts[at[found]] += other_counts[found]  # keys are unique: no index repeats
    new = ~found
    return np.insert(keys, at[new], other_keys[new]), np.insert(counts, at[new], other_counts[new])
