"""Topics: group papers by subject (TF-IDF -> LSA -> k-means) and find related papers.

Pure and deterministic: papers are sorted by slug before anything else and every random step
is seeded, so the same papers give the same model in any input order. Labels: topic_labels.py.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy import sparse

from generator.models import Paper, TopicModel
from generator.topic_labels import TOKEN_PATTERN, build_topics

MAX_TOPICS = 50
LSA_MAX_DIMENSIONS = 100
SILHOUETTE_SAMPLE = 3000  # k is chosen on at most this many papers: O(sample^2) distances
KMEANS_RUNS = 4
RELATED_CELLS = 2**24  # similarities per block: 64 MB of float32 plus the sparse product
RELATED_THREADS = 2
MIN_PAPERS_TO_SPLIT = 6  # below this, automatic k keeps one topic

_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_URL = re.compile(r"https?://\S+|www\.\S+")


@dataclass(frozen=True)
class Vectors:
    """L2-normalised TF-IDF rows (one per paper, slug order) and their column terms."""

    matrix: sparse.csr_matrix
    terms: np.ndarray


def cluster_topics(papers: Sequence[Paper], *, count: int | None = None, related_count: int = 5,
                   seed: int = 0, renames: Mapping[str, str] | None = None) -> TopicModel:
    """Put every paper in exactly one topic, label the topics and list related papers.

    ``count`` fixes the number of topics (capped by the number of distinct texts); without it
    k is chosen by silhouette. ``renames`` maps a topic slug to a display label; slugs never
    change with it. ``related`` holds up to ``related_count`` slugs per paper, best first.
    """
    ordered = sorted(papers, key=lambda p: (p.slug, p.title, p.abstract, p.date))
    if not ordered:
        return TopicModel((), MappingProxyType({}), MappingProxyType({}))
    texts = [document_text(p) for p in ordered]
    vectors = vectorize(texts)
    assignment = assign_clusters(vectors, len(ordered), count, seed)
    topics = build_topics(ordered, texts, assignment, vectors, renames or {})
    topic_of = {slug: topic.slug for topic in topics for slug in topic.papers}
    slugs = [p.slug for p in ordered]
    related = find_related(vectors.matrix if vectors else None, slugs, related_count)
    return TopicModel(topics, MappingProxyType(topic_of), MappingProxyType(related))


def document_text(paper: Paper) -> str:
    """Title twice (titles are dense in topic words) then the abstract, without TeX or URLs."""
    text = f"{paper.title}. {paper.title}. {paper.abstract}"
    return _LATEX_COMMAND.sub(" ", _URL.sub(" ", text))


def vectorize(texts: Sequence[str]) -> Vectors | None:
    """TF-IDF of words and word pairs; None when no usable term is left (only stop-words)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    min_df, max_df = document_frequency_bounds(len(texts))
    for low, high in ((min_df, max_df), (1, 1.0)):  # relax for tiny or repetitive sites
        vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, stop_words="english",
            strip_accents="unicode", token_pattern=TOKEN_PATTERN, min_df=low, max_df=high,
            dtype=np.float32)
        try:
            matrix = vectorizer.fit_transform(texts)
        except ValueError:  # "empty vocabulary" or "no terms remain" after pruning
            continue
        return Vectors(matrix.tocsr(), vectorizer.get_feature_names_out())
    return None


def document_frequency_bounds(n: int) -> tuple[int, float]:
    """min_df / max_df for n papers: keep everything on tiny sites, drop noise on big ones.

    A term must occur in 2+ papers (more on large sites, which bounds the vocabulary and
    memory) and in at most half of them once there are enough papers for "half" to mean
    "not distinctive".
    """
    if n < 20:
        return 1, 1.0
    return max(2, math.ceil(n / 10_000)), 0.5


# ----------------------------------------------------------------------------- clustering

def assign_clusters(vectors: Vectors | None, n: int, count: int | None, seed: int) -> np.ndarray:
    """Cluster index per paper (0..k-1, dense). Singletons are merged unless ``count`` is set."""
    single = np.zeros(n, dtype=np.int64)
    automatic = count is None
    if vectors is None or n <= 2 or (automatic and n < MIN_PAPERS_TO_SPLIT):
        return single
    embedding = embed(vectors.matrix, seed)
    distinct = len(np.unique(np.round(embedding, 6), axis=0))
    k = min(count, distinct) if count is not None else choose_k(embedding, seed, distinct)
    if k <= 1:
        return single
    labels = run_kmeans(embedding, k, seed)
    if automatic:
        labels = merge_small_clusters(embedding, labels, min_size=2)
    _, dense = np.unique(labels, return_inverse=True)
    return dense.astype(np.int64)


def lsa_dimensions(n: int, n_terms: int) -> int:
    """About 4*sqrt(n), at most LSA_MAX_DIMENSIONS and below the matrix rank bound."""
    return max(1, min(LSA_MAX_DIMENSIONS, round(4 * math.sqrt(n)), n - 1, n_terms - 1))


def embed(matrix: sparse.csr_matrix, seed: int) -> np.ndarray:
    """LSA (truncated SVD) of the TF-IDF rows, L2-normalised: k-means then groups by cosine."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    n, n_terms = matrix.shape
    dims = lsa_dimensions(n, n_terms)
    if n_terms <= dims + 1:  # a handful of terms: the TF-IDF space is already small
        return normalize(matrix.toarray().astype(np.float64))
    svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=5, random_state=seed)
    return normalize(svd.fit_transform(matrix).astype(np.float64))


def run_kmeans(embedding: np.ndarray, k: int, seed: int, runs: int = KMEANS_RUNS) -> np.ndarray:
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=k, n_init=runs, random_state=seed)
    return model.fit_predict(embedding).astype(np.int64)


def candidate_ks(n: int) -> list[int]:
    """At most 10 values of k in [sqrt(n/2)/2, 1.5*sqrt(n/2)], within [2, MAX_TOPICS] and n/2.

    sqrt(n/2) is the classic rule of thumb; n/2 keeps two papers per topic possible.
    """
    centre = math.sqrt(n / 2)
    low = max(2, min(math.floor(centre / 2), MAX_TOPICS // 2))
    high = min(MAX_TOPICS, n // 2, max(low, math.floor(1.5 * centre)))
    if high < low:
        return []
    step = max(1, math.ceil((high - low) / 9))
    values = list(range(low, high + 1, step))
    return values if values[-1] == high else [*values, high]


def choose_k(embedding: np.ndarray, seed: int, distinct: int) -> int:
    """The candidate k with the highest cosine silhouette (ties: smaller k).

    On large sites k-means and the silhouette run on a seeded sample of SILHOUETTE_SAMPLE
    papers, which keeps the choice fast and the sample still holds ~60+ papers per topic.
    """
    from sklearn.metrics import silhouette_score

    sample = embedding
    if len(embedding) > SILHOUETTE_SAMPLE:
        rng = np.random.default_rng(seed)
        sample = embedding[np.sort(rng.choice(len(embedding), SILHOUETTE_SAMPLE, replace=False))]
    best_k, best_score = 1, -np.inf
    for k in candidate_ks(len(embedding)):
        if k >= min(distinct, len(sample)):
            break
        labels = run_kmeans(sample, k, seed, runs=2)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(sample, labels, metric="cosine")
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    return best_k


def merge_small_clusters(embedding: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Move the papers of clusters smaller than ``min_size`` to the nearest kept centroid."""
    labels = labels.copy()
    sizes = Counter(labels.tolist())
    keep = sorted(c for c, size in sizes.items() if size >= min_size)
    moving = np.flatnonzero(np.isin(labels, sorted(set(sizes) - set(keep))))
    if not keep or not len(moving):
        return labels
    centroids = np.vstack([embedding[labels == c].mean(axis=0) for c in keep])
    labels[moving] = np.asarray(keep)[np.argmax(embedding[moving] @ centroids.T, axis=1)]
    return labels


# -------------------------------------------------------------------------------- related

def find_related(matrix: sparse.csr_matrix | None, slugs: Sequence[str],
                 count: int) -> dict[str, tuple[str, ...]]:
    """The ``count`` most similar other papers per paper: cosine on TF-IDF rows, best first.

    Exact over all pairs, in row blocks of about RELATED_CELLS similarities (never n x n),
    on up to RELATED_THREADS threads: scipy and numpy release the GIL in the heavy parts, and
    each block's result is independent, so the output does not depend on scheduling.
    ``slugs`` must be sorted, so a lower index breaks ties between equal scores.
    """
    n = len(slugs)
    take = max(0, min(count, n - 1))
    if matrix is None:  # no usable words: every similarity is 0, a tie broken by slug
        return {slug: tuple(itertools.islice((s for s in slugs if s != slug), take))
                for slug in slugs}
    if take == 0:
        return {slug: () for slug in slugs}
    transposed = matrix.T.tocsr()
    block = max(64, min(2048, RELATED_CELLS // n))

    def best_in_block(start: int) -> list[np.ndarray]:
        stop = min(n, start + block)
        scores = (matrix[start:stop] @ transposed).toarray()
        scores[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # never itself
        return top_indices(scores, take)

    threads = max(1, min(RELATED_THREADS, os.cpu_count() or 1))
    with ThreadPoolExecutor(threads) as pool:
        blocks = list(pool.map(best_in_block, range(0, n, block)))
    rows = (row for found in blocks for row in found)
    return {slug: tuple(slugs[j] for j in best) for slug, best in zip(slugs, rows, strict=True)}


def top_indices(scores: np.ndarray, take: int) -> list[np.ndarray]:
    """Per row, the indices of the ``take`` highest scores; equal scores by lower index."""
    candidates = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    kth = np.take_along_axis(scores, candidates, axis=1).min(axis=1)
    tied = np.count_nonzero(scores >= kth[:, None], axis=1) > take
    result = []
    for row, cut, picked, tie in zip(scores, kth, candidates, tied, strict=True):
        if tie:  # equal scores at the cut: consider them all, the lower indices win
            picked = np.flatnonzero(row >= cut)
        order = np.lexsort((picked, -row[picked]))[:take]
        result.append(picked[order])
    return result
