"""How many topics: the k whose k-means partition best matches the papers' own neighbourhoods.

Each paper is linked to its ``NEIGHBOURS`` nearest papers (cosine, in LSA space); for every
candidate k the k-means partition is scored by the modularity of that graph: the share of links
inside topics minus the share expected if links ignored topics. Splitting a real group cuts
many links, merging two groups adds few inside links against a larger expectation, so the
score peaks near the natural number of groups, whatever the field or the size: 5 on a corpus
of five newsgroups, 18 on all twenty, both from the same rule (README: Topic quality). A paper's
neighbours are never more than the mean topic size at the largest k considered: on a small site
ten neighbours are a sixth of the papers, every paper links far outside its own topic, and
modularity chose 2 topics for 60 arXiv abstracts.
Silhouette, Calinski-Harabasz and a gap statistic kept rising or falling with k on the same
text, so they cannot choose it. Pure and deterministic.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from generator.workers import map_threads

NEIGHBOURS = 10
MIN_NEIGHBOURS = 2
SAMPLE = 4000  # k is chosen on at most this many papers (evenly chosen by seed)
SELECTION_RESTARTS = 2
DENSE_UP_TO = 12  # every k up to here, then steps of about 15 %


def candidates(k_max: int) -> list[int]:
    """2, 3, ..., DENSE_UP_TO, then about 15 % apart, up to ``k_max``."""
    ks = list(range(2, min(k_max, DENSE_UP_TO) + 1))
    while ks and ks[-1] < k_max:
        ks.append(min(k_max, max(ks[-1] + 1, round(ks[-1] * 1.15))))
    return ks


def neighbours(n: int, k_max: int) -> int:
    """Links per paper: NEIGHBOURS, but at most the mean topic size at ``k_max`` topics, so the
    finest partition considered can keep a paper's neighbours inside its topic."""
    return max(MIN_NEIGHBOURS, min(NEIGHBOURS, n // max(k_max, 1)))


def neighbour_graph(embedding: np.ndarray, near: int = NEIGHBOURS) -> sparse.csr_matrix:
    """Symmetric 0/1 adjacency: each row linked to its ``near`` nearest rows (rows are unit
    vectors, so the largest dot products; ties by index)."""
    from sklearn.neighbors import NearestNeighbors

    n = embedding.shape[0]
    near = min(near, n - 1)
    found = NearestNeighbors(n_neighbors=near + 1).fit(embedding).kneighbors(
        embedding, return_distance=False)
    columns = np.array([[j for j in row if j != i][:near] for i, row in enumerate(found)])
    rows = np.repeat(np.arange(n), near)
    graph = sparse.csr_matrix((np.ones(n * near), (rows, columns.ravel())), shape=(n, n))
    return ((graph + graph.T) > 0).astype(np.float64).tocsr()


def modularity(graph: sparse.csr_matrix, labels: np.ndarray) -> float:
    """Newman's modularity of the partition ``labels`` on ``graph``."""
    k = int(labels.max()) + 1
    member = sparse.csr_matrix((np.ones(len(labels)), (np.arange(len(labels)), labels)),
                               shape=(len(labels), k))
    inside = (member.T @ graph @ member).diagonal().sum()
    degrees = np.asarray(graph.sum(axis=1)).ravel()
    total = degrees.sum()
    if total == 0:
        return 0.0
    per_topic = np.bincount(labels, weights=degrees, minlength=k)
    return float(inside / total - np.sum((per_topic / total) ** 2))


def choose_count(embedding: np.ndarray, k_max: int, seed: int) -> tuple[int, dict[int, float]]:
    """(k with the highest modularity, modularity of every candidate); ties: the smaller k."""
    from sklearn.cluster import KMeans

    n = embedding.shape[0]
    if k_max <= 2 or n < 4:
        return max(1, min(2, k_max, n)), {}
    rows = embedding
    if n > SAMPLE:
        rows = embedding[np.sort(np.random.default_rng(seed).choice(n, SAMPLE, replace=False))]
    k_max = min(k_max, rows.shape[0] - 1)
    graph = neighbour_graph(rows, neighbours(rows.shape[0], k_max))

    def score(k: int) -> float:  # on threads: scikit-learn's k-means releases the GIL
        labels = KMeans(n_clusters=k, n_init=SELECTION_RESTARTS, random_state=seed).fit_predict(
            rows)
        return round(modularity(graph, labels), 6)

    ks = candidates(k_max)
    scores = dict(zip(ks, map_threads(score, ks), strict=True))
    best = max(scores, key=lambda k: (scores[k], -k))
    return best, scores
