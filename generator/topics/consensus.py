"""One k-means partition agreed by many: the consensus of several k-means runs.

A single k-means run (even the best inertia of many starts) depends on where it started: on 500
abstracts two runs at the same k differ by several hundredths of V-measure. Here each of the
runs votes: every paper becomes the concatenation of its one-hot topic in each run, and k-means
on those rows groups the papers that most runs put together (squared distance between two rows
is twice the number of runs that separate them, so this is k-means on the co-association of
evidence accumulation, without its n x n matrix). Measured against the best of the same number of
starts on both bench corpora (README: Topic quality). Pure and deterministic.

The runs are independent and scikit-learn's k-means iterations release the GIL, so they run on
threads, one per core (each with its own seed: the votes do not depend on the thread count).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from generator.workers import map_threads

FINAL_RESTARTS = 10  # k-means++ starts on the vote rows (cheap: one non-zero per run)


def consensus_kmeans(embedding: np.ndarray, k: int, seed: int, runs: int) -> np.ndarray:
    """Topic of each row: ``runs`` k-means++ runs of one start each, then their consensus."""
    from sklearn.cluster import KMeans

    n = embedding.shape[0]
    k = min(k, len(np.unique(embedding, axis=0)))  # identical rows cannot be split
    seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=runs).tolist()

    def run(run_seed: int) -> np.ndarray:
        return KMeans(n_clusters=k, n_init=1, random_state=run_seed).fit_predict(embedding)

    votes = np.column_stack(map_threads(run, seeds))
    if runs == 1 or len(np.unique(votes, axis=0)) < k:
        return votes[:, 0]  # too few distinct vote patterns to form k groups: nothing to agree
    columns = (votes + np.arange(runs) * k).ravel()
    rows = sparse.csr_matrix((np.full(n * runs, 1 / np.sqrt(runs)),
                              (np.repeat(np.arange(n), runs), columns)), shape=(n, runs * k))
    return KMeans(n_clusters=k, n_init=FINAL_RESTARTS, random_state=seed).fit_predict(rows)
