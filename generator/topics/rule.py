"""The rule that puts a paper in a topic, small enough to be written into topics.lock.yaml.

A topic is remembered as its ``CENTROID_TERMS`` terms whose mean TF-IDF weight differs most
from the mean paper (signed), plus the norm of its full mean row. A paper goes to the topic
with the highest cosine to (mean paper + difference). The mean paper is recomputed from the
papers of the day, so terms every topic shares need not be stored. The lock lists every paper's
topic; this rule only places papers added since (term weights, unlike LSA axes, mean the same
thing in the next build). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from generator.topics.labels import top_terms

CENTROID_TERMS = 20


@dataclass(frozen=True)
class Centroid:
    terms: Mapping[str, float]  # term -> mean weight in the topic minus mean weight overall
    norm: float  # L2 norm of the topic's full mean TF-IDF row


def centroids_of(matrix: sparse.csr_matrix, assignment: np.ndarray,
                 vocabulary: Sequence[str]) -> list[Centroid]:
    """One Centroid per cluster 0..max(assignment)."""
    k = int(assignment.max()) + 1
    indicator = sparse.csr_matrix(
        (np.ones(len(assignment)), (assignment, np.arange(len(assignment)))),
        shape=(k, len(assignment)))
    sizes = np.maximum(np.bincount(assignment, minlength=k), 1)[:, None]
    means = np.asarray((indicator @ matrix).todense(), dtype=np.float64) / sizes
    differences = means - np.asarray(matrix.mean(axis=0), dtype=np.float64)
    # einsum, not a BLAS dot per row: threaded BLAS stalled for seconds on the loaded machine
    norms = np.sqrt(np.einsum("ij,ij->i", means, means))
    result = []
    for norm, row in zip(norms, differences, strict=True):
        top = top_terms(np.abs(row), vocabulary, CENTROID_TERMS)
        result.append(Centroid({str(vocabulary[i]): round(float(row[i]), 5) for i in top
                                if round(float(row[i]), 5) != 0}, round(float(norm), 5)))
    return result


def assign(matrix: sparse.csr_matrix, centroids: Sequence[Centroid],
           vocabulary: Mapping[str, int], mean: np.ndarray | None = None) -> np.ndarray:
    """Index of the best centroid for every row (ties: the lower index); ``mean``: the mean
    paper's row (default: the mean of ``matrix``)."""
    differences = np.zeros((len(centroids), matrix.shape[1]), dtype=np.float64)
    for row, centroid in enumerate(centroids):
        for term, weight in centroid.terms.items():
            column = vocabulary.get(term)
            if column is not None:
                differences[row, column] = weight
    if mean is None:
        mean = np.asarray(matrix.mean(axis=0), dtype=np.float64).ravel()
    shared = matrix @ mean
    scores = np.asarray(matrix @ differences.T) + shared[:, None]
    norms = np.array([c.norm if c.norm > 0 else 1.0 for c in centroids])
    return np.argmax(scores / norms, axis=1)
