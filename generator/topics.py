"""Topics: TF-IDF over title + abstract, LSA, k-means with k from the number of papers, labels
by class-based TF-IDF (generator/topic_labels.py), related papers by cosine similarity, and a
2-D layout for the topic map. Aligns to a topics.lock.yaml when given one.

Pure and deterministic: papers are sorted by slug first and every random step is seeded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
from scipy import sparse

from generator.models import Paper, Topic, TopicModel
from generator.slugs import slugify
from generator.topic_labels import (
    TOPIC_TERMS,
    cased,
    class_terms,
    make_labels,
    preferred_casing,
    top_terms,
)
from generator.topic_lock import (
    CENTROID_TERMS,
    TopicLock,
    centroid_vectors,
    match_topics,
)

LSA_DIMENSIONS = 100
SVD_ITERATIONS = 2
MAX_TERMS = 100_000
_NOT_WORDS = re.compile(r"https?://\S+|\\[A-Za-z]+|<[^>]*>")
MAX_TOPICS = 40
EXACT_RELATED_LIMIT = 5000
SMALL_TOPIC_SHARE = 0.05  # topics under 5 % of the mean topic size are merged into neighbours


def cluster_topics(papers: Sequence[Paper], *, count: int | None = None, related_count: int = 5,
                   seed: int = 0, renames: Mapping[str, str] | None = None,
                   lock: TopicLock | None = None) -> TopicModel:
    """Group papers into topics; ``lock`` keeps slugs and assignments of an earlier build."""
    ordered = sorted(papers, key=lambda p: p.slug)
    if not ordered:
        return TopicModel((), MappingProxyType({}), MappingProxyType({}))
    texts = [_text_of(p) for p in ordered]
    matrix, vocabulary = _vectorize(texts)
    embedding = None
    if matrix is None or len(ordered) < 4:
        assignment = np.zeros(len(ordered), dtype=int)
    else:
        embedding, axes = _lsa(matrix, seed)
        seeds = _locked_seeds(lock, axes, vocabulary, embedding, count)
        assignment = _cluster(embedding, count, seed, seeds)
    topics = _make_topics(ordered, texts, assignment, matrix, vocabulary,
                          dict(renames or {}), lock)
    topic_of = {slug: t.slug for t in topics for slug in t.papers}
    related = _related(ordered, matrix, assignment, related_count)
    coords = {}
    if embedding is not None:
        from generator.topic_layout import layout_points

        points = layout_points(embedding, assignment)
        coords = {p.slug: (float(x), float(y)) for p, (x, y) in zip(ordered, points, strict=True)}
    return TopicModel(tuple(topics), MappingProxyType(topic_of), MappingProxyType(related),
                      MappingProxyType(coords))


def _text_of(paper: Paper) -> str:
    """Title twice plus abstract, without URLs, LaTeX commands or tags (never topic words).

    A regex, not markup.plain_text: rendering Markdown for every abstract cost more than the
    whole TF-IDF at 10k papers, and the tokens that matter are the same.
    """
    title = _NOT_WORDS.sub(" ", paper.title)
    return f"{title}. {title}. {_NOT_WORDS.sub(' ', paper.abstract)}"


def _vectorize(texts: list[str]) -> tuple[sparse.csr_matrix | None, np.ndarray | None]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from generator.topic_vectors import tfidf_matrix

    n = len(texts)
    fitted = tfidf_matrix(texts, min_df=2 if n >= 20 else 1, max_df=0.5 if n >= 20 else 1.0,
                          max_features=MAX_TERMS, stop_words=ENGLISH_STOP_WORDS)
    return fitted if fitted is not None else (None, None)


def _lsa(matrix: sparse.csr_matrix, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows in LSA space, L2-normalised, and the term axes (dims x terms) to project others.

    Randomized SVD with few power iterations: clustering needs the subspace, not exact
    singular vectors (see README: Topic quality).
    """
    from sklearn.preprocessing import normalize
    from sklearn.utils.extmath import randomized_svd

    dims = max(1, min(LSA_DIMENSIONS, matrix.shape[0] - 1, matrix.shape[1] - 1))
    _, _, axes = randomized_svd(matrix, dims, n_iter=SVD_ITERATIONS, random_state=seed)
    axes = axes.astype(np.float32)
    return normalize(np.asarray(matrix @ axes.T, dtype=np.float64)), axes


def choose_k(n: int) -> int:
    """Cube root of the number of papers, between 2 and MAX_TOPICS (see README: Topics)."""
    return max(2, min(MAX_TOPICS, round(n ** (1 / 3)), n - 1))


def _locked_seeds(lock: TopicLock | None, axes: np.ndarray, vocabulary: np.ndarray,
                  embedding: np.ndarray, count: int | None) -> np.ndarray | None:
    """Starting centroids from the lock, or None to fit afresh.

    The lock is followed until the site has doubled since its number of topics was chosen.
    """
    from sklearn.preprocessing import normalize

    n = embedding.shape[0]
    if lock is None or not lock.topics or len(lock.topics) >= n:
        return None
    if (count is not None and count != len(lock.topics)) or (count is None and
                                                             n >= 2 * max(lock.papers, 1)):
        return None
    index = {str(term): i for i, term in enumerate(vocabulary)}
    seeds = normalize(centroid_vectors(lock, index) @ axes.T.astype(np.float64))
    empty = ~np.any(seeds, axis=1)
    seeds[empty] = embedding[np.linspace(0, n - 1, int(empty.sum()) or 1).astype(int)[
        : int(empty.sum())]]
    return seeds


def _cluster(embedding: np.ndarray, count: int | None, seed: int,
             seeds: np.ndarray | None) -> np.ndarray:
    from sklearn.cluster import KMeans

    n = embedding.shape[0]
    if seeds is not None:
        # nearest locked centroid, no k-means iterations: iterating lets every topic drift
        # (measured: 96 % of papers kept with exact centroids, 92.5 % after convergence)
        labels = np.argmax(embedding @ seeds.T, axis=1)
    else:
        k = min(count, n) if count else choose_k(n)
        labels = KMeans(n_clusters=k, random_state=seed, n_init=4).fit_predict(embedding)
    k = int(labels.max()) + 1
    min_size = max(2, int(SMALL_TOPIC_SHARE * n / k)) if n >= 6 else 1
    return _merge_small_clusters(embedding, labels, min_size)


def _merge_small_clusters(embedding: np.ndarray, labels: np.ndarray, min_size: int) -> np.ndarray:
    """Move papers of clusters smaller than ``min_size`` to the nearest remaining centroid."""
    labels = labels.copy()
    while True:
        sizes = Counter(labels.tolist())
        small = sorted(c for c, size in sizes.items() if size < min_size)
        if not small or len(sizes) <= 1:
            break
        keep = sorted(c for c in sizes if c not in small)
        if not keep:
            break
        centroids = np.vstack([embedding[labels == c].mean(axis=0) for c in keep])
        moving = np.isin(labels, small)
        labels[moving] = np.array(keep)[np.argmax(embedding[moving] @ centroids.T, axis=1)]
    _, dense = np.unique(labels, return_inverse=True)
    return dense


# ------------------------------------------------------------------------------------- topics

def _make_topics(papers: list[Paper], texts: list[str], assignment: np.ndarray,
                 matrix: sparse.csr_matrix | None, vocabulary, renames: dict[str, str],
                 lock: TopicLock | None) -> list[Topic]:
    k = int(assignment.max()) + 1
    raw_terms = ([terms[:TOPIC_TERMS] for terms in class_terms(matrix, assignment, vocabulary, k)]
                 if matrix is not None else [[] for _ in range(k)])
    casing = preferred_casing(texts, {w for terms in raw_terms for t in terms for w in t.split()})
    term_lists = [[cased(t, casing) for t in terms] for terms in raw_terms]
    centroids = _centroids(matrix, assignment, vocabulary, k)
    sizes = np.bincount(assignment, minlength=k)
    labels = make_labels(term_lists, sorted(range(k), key=lambda c: (-sizes[c], c)))
    slugs = _slugs(labels, centroids, lock)
    if lock is not None:
        renames = {**lock.renames, **renames}
    topics = []
    for cluster in range(k):
        members = [p for p, c in zip(papers, assignment, strict=True) if c == cluster]
        newest_first = sorted(members, key=lambda p: (-p.date.toordinal(), p.slug))
        slug = slugs[cluster]
        topics.append(Topic(slug, renames.get(slug, labels[cluster]), tuple(term_lists[cluster]),
                            tuple(p.slug for p in newest_first), labels[cluster],
                            tuple(centroids[cluster].items())))
    topics.sort(key=lambda t: (-len(t.papers), t.slug))
    return topics


def _centroids(matrix: sparse.csr_matrix | None, assignment: np.ndarray, vocabulary,
               k: int) -> list[dict[str, float]]:
    """Top terms of each topic's mean TF-IDF row, L2-normalised: what the lock remembers."""
    if matrix is None:
        return [{} for _ in range(k)]
    indicator = sparse.csr_matrix(
        (np.ones(len(assignment)), (assignment, np.arange(len(assignment)))),
        shape=(k, len(assignment)))
    sums = np.asarray((indicator @ matrix).todense())
    result = []
    for mean in sums / np.bincount(assignment, minlength=k)[:, None]:
        top = top_terms(mean, vocabulary, CENTROID_TERMS)
        norm = float(np.linalg.norm(mean[top])) or 1.0
        result.append({str(vocabulary[i]): float(mean[i]) / norm for i in top if mean[i] > 0})
    return result


def _slugs(labels: Mapping[int, str], centroids: list[dict[str, float]],
           lock: TopicLock | None) -> dict[int, str]:
    """Locked slugs for clusters that match a locked topic, new slugs from labels otherwise."""
    matched = match_topics(lock, centroids) if lock is not None else {}
    slugs = {c: lock.topics[i].slug for c, i in matched.items()} if lock is not None else {}
    used = set(slugs.values()) | ({t.slug for t in lock.topics} if lock is not None else set())
    for cluster in sorted(labels, key=lambda c: labels[c]):
        if cluster not in slugs:
            slugs[cluster] = _unique_slug(slugify(labels[cluster], max_length=60) or "topic", used)
    return slugs


def _unique_slug(slug: str, used: set[str]) -> str:
    base, number = slug, 2
    while slug in used:
        slug, number = f"{base}-{number}", number + 1
    used.add(slug)
    return slug


# ------------------------------------------------------------------------------------ related

def _related(papers: list[Paper], matrix: sparse.csr_matrix | None, assignment: np.ndarray,
             count: int) -> dict[str, tuple[str, ...]]:
    """Most similar papers by cosine on TF-IDF rows (L2-normalised, so a dot product).

    Exact over all papers up to EXACT_RELATED_LIMIT; beyond it, within each paper's topic,
    which keeps the work near-linear instead of n^2.
    """
    slugs = [p.slug for p in papers]
    if matrix is None or count == 0 or len(papers) < 2:
        return {s: () for s in slugs}
    if len(papers) <= EXACT_RELATED_LIMIT:
        groups = [np.arange(len(papers))]
    else:
        groups = [np.flatnonzero(assignment == c) for c in range(int(assignment.max()) + 1)]
    related: dict[str, tuple[str, ...]] = {}
    for members in groups:
        related.update(_related_within(matrix[members], [slugs[i] for i in members], count))
    return {s: related.get(s, ()) for s in slugs}


def _related_within(rows: sparse.csr_matrix, slugs: list[str],
                    count: int) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    block = 512
    names = np.array(slugs)
    for start in range(0, rows.shape[0], block):
        scores = np.asarray((rows[start:start + block] @ rows.T).todense(), dtype=np.float64)
        for offset, row in enumerate(scores):
            index = start + offset
            row[index] = -np.inf
            take = min(count, len(slugs) - 1)
            if take <= 0:
                result[slugs[index]] = ()
                continue
            # rank by score, ties broken by slug (names are sorted already)
            candidates = np.argpartition(-row, take - 1)[: take * 4 if take * 4 < len(row)
                                                       else len(row)]
            ordered = sorted(candidates, key=lambda j: (-row[j], names[j]))[:take]
            result[slugs[index]] = tuple(str(names[j]) for j in ordered if row[j] > -np.inf)
    return result
