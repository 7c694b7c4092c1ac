"""Topics: TF-IDF over title + abstract, LSA, k-means with k chosen by the modularity of the
papers' neighbour graph (generator/topics/count.py), labels by class-based TF-IDF
(generator/topics/labels.py), related papers by cosine similarity, and a 2-D layout for the topic
map. Follows a topics.lock.yaml when given one: listed papers keep their topic.

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
from generator.topics.labels import (
    LABEL_CANDIDATES,
    cased,
    class_terms,
    make_labels,
    preferred_casing,
    shown_and_label_terms,
    term_scores,
)
from generator.topics.lock import TopicLock, match_topics
from generator.topics.rule import Centroid, assign, centroids_of
from generator.topics.vectors import SEGMENT

LSA_DIMENSIONS = 100
SVD_ITERATIONS = 5
KMEANS_WORK = 200_000  # papers x k-means runs voting on the final topics
MIN_RUNS, MAX_RUNS = 5, 50
MAX_TERMS = 100_000
_NOT_WORDS = re.compile(r"https?://\S+|\\[A-Za-z]+|<[^>]*>")
MAX_TOPICS = 40
MIN_TOPIC_PAPERS = 5  # k is at most (papers / this): no site wants topics of two papers
EXACT_RELATED_LIMIT = 5000
RELATED_BLOCK = 512  # rows scored at a time
RELATED_BLOCKS_PER_WORKER = 16  # below this, forking costs more than it saves


def cluster_topics(papers: Sequence[Paper], *, count: int | None = None, related_count: int = 5,
                   seed: int = 0, renames: Mapping[str, str] | None = None,
                   lock: TopicLock | None = None, jobs: int | None = None) -> TopicModel:
    """Group papers into topics; ``lock`` keeps slugs and assignments of an earlier build;
    ``jobs``: processes for related papers (default: every core; never changes the result)."""
    ordered = sorted(papers, key=lambda p: p.slug)
    if not ordered:
        return TopicModel((), MappingProxyType({}), MappingProxyType({}))
    texts = [_text_of(p) for p in ordered]
    matrix, vocabulary = _vectorize(texts)
    embedding, centroids = None, None
    if matrix is None or len(ordered) < 4:
        assignment = np.zeros(len(ordered), dtype=int)
    else:
        embedding, _ = _lsa(_words_only(matrix, vocabulary), seed)
        assignment, centroids = _assign(matrix, vocabulary, embedding, count, seed, lock,
                                          [p.slug for p in ordered])
    topics = _make_topics(ordered, texts, assignment, matrix, vocabulary, centroids,
                          dict(renames or {}), lock)
    topic_of = {slug: t.slug for t in topics for slug in t.papers}
    related = _related(ordered, matrix, assignment, related_count, jobs)
    coords = {}
    if embedding is not None:
        from generator.topics.layout import layout_points

        points = layout_points(embedding, assignment)
        coords = {p.slug: (float(x), float(y)) for p, (x, y) in zip(ordered, points, strict=True)}
    return TopicModel(tuple(topics), MappingProxyType(topic_of), MappingProxyType(related),
                      MappingProxyType(coords))


def _text_of(paper: Paper) -> str:
    """Title twice plus abstract, without URLs, LaTeX commands or tags (never topic words);
    the parts are SEGMENTs, so no bigram joins the end of the title to its repeat ("sale sale"
    from "For sale", "dos windows" from "Windows or DOS").

    A regex, not markup.plain_text: rendering Markdown for every abstract cost more than the
    whole TF-IDF at 10k papers, and the tokens that matter are the same.
    """
    title = _NOT_WORDS.sub(" ", paper.title)
    return f"{title}{SEGMENT}{title}{SEGMENT}{_NOT_WORDS.sub(' ', paper.abstract)}"


def _vectorize(texts: list[str]) -> tuple[sparse.csr_matrix | None, np.ndarray | None]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from generator.topics.vectors import tfidf_matrix

    n = len(texts)
    fitted = tfidf_matrix(texts, min_df=2 if n >= 20 else 1, max_df=0.5 if n >= 20 else 1.0,
                          max_features=MAX_TERMS, stop_words=ENGLISH_STOP_WORDS)
    return fitted if fitted is not None else (None, None)


def _words_only(matrix: sparse.csr_matrix, vocabulary: np.ndarray) -> sparse.csr_matrix:
    """The single-word columns, rows L2-normalised again: what the clustering reads. Bigrams
    stay in labels and related papers; clustering on words alone scored higher on both bench
    corpora (README: Topic quality)."""
    from sklearn.preprocessing import normalize

    words = np.flatnonzero(np.char.find(vocabulary.astype(str), " ") < 0)
    if len(words) < 2:
        return matrix
    return normalize(matrix[:, words])


def _lsa(matrix: sparse.csr_matrix, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows in LSA space, L2-normalised, and the term axes (dims x terms) to project others.

    Randomized SVD with 5 power iterations, as scikit-learn's TruncatedSVD: with 2, V-measure
    was lower on both bench corpora (README: Topic quality).
    """
    from sklearn.preprocessing import normalize
    from sklearn.utils.extmath import randomized_svd

    dims = max(1, min(LSA_DIMENSIONS, matrix.shape[0] - 1, matrix.shape[1] - 1))
    _, _, axes = randomized_svd(matrix, dims, n_iter=SVD_ITERATIONS, random_state=seed)
    axes = axes.astype(np.float32)
    return normalize(np.asarray(matrix @ axes.T, dtype=np.float64)), axes


def max_topics(n: int) -> int:
    """The most topics a site of ``n`` papers may get: topics of MIN_TOPIC_PAPERS on average,
    at least 2, at most MAX_TOPICS."""
    return max(2, min(MAX_TOPICS, n // MIN_TOPIC_PAPERS, n - 1))


def consensus_runs(n: int) -> int:
    """k-means runs whose consensus gives the topics: many where they are cheap."""
    return max(MIN_RUNS, min(MAX_RUNS, round(KMEANS_WORK / n)))


def _assign(matrix: sparse.csr_matrix, vocabulary: np.ndarray, embedding: np.ndarray,
            count: int | None, seed: int, lock: TopicLock | None,
            slugs: Sequence[str]) -> tuple[np.ndarray, list[Centroid]]:
    """The lock's assignments when it applies (new papers by its rule), else k-means."""
    n = embedding.shape[0]
    if _follows(lock, count, n):
        return follow_lock(matrix, vocabulary, lock, slugs)  # type: ignore[arg-type]
    labels = _cluster(embedding, count, seed)
    return labels, centroids_of(matrix, labels, vocabulary)


def follow_lock(matrix: sparse.csr_matrix, vocabulary: np.ndarray, lock: TopicLock,
                slugs: Sequence[str]) -> tuple[np.ndarray, list[Centroid]]:
    """Papers the lock lists keep their topic; the others go to the locked rule that fits them
    best. The rules are kept as written, so the lock changes only where papers did."""
    index = {str(term): i for i, term in enumerate(vocabulary)}
    locked = [Centroid(t.centroid, t.norm) for t in lock.topics]
    topic_of = {slug: i for i, t in enumerate(lock.topics) for slug in t.members}
    by_rule = assign(matrix, locked, index)
    chosen = np.array([topic_of.get(slug, rule) for slug, rule in zip(slugs, by_rule.tolist(),
                                                                       strict=True)])
    used, labels = np.unique(chosen, return_inverse=True)
    return labels, [locked[i] for i in used]


def _follows(lock: TopicLock | None, count: int | None, n: int) -> bool:
    """The lock is followed until the site has doubled since its number of topics was chosen."""
    if lock is None or not lock.topics or len(lock.topics) >= n:
        return False
    if count is not None:
        return count == len(lock.topics)
    return n < 2 * max(lock.papers, 1)


def _cluster(embedding: np.ndarray, count: int | None, seed: int) -> np.ndarray:
    """k-means in LSA space (cosine, as rows are unit vectors): the consensus of
    consensus_runs(n) runs (topics/consensus.py); k is ``count`` or chosen by
    topics.count.choose_count. Only singleton topics are merged."""
    from generator.topics.consensus import consensus_kmeans
    from generator.topics.count import choose_count

    n = embedding.shape[0]
    k = min(count, n) if count else choose_count(embedding, max_topics(n), seed)[0]
    labels = consensus_kmeans(embedding, k, seed, consensus_runs(n))
    return _merge_small_clusters(embedding, labels, 2 if n >= 6 else 1)


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
                 matrix: sparse.csr_matrix | None, vocabulary, centroids: list[Centroid] | None,
                 renames: dict[str, str], lock: TopicLock | None) -> list[Topic]:
    k = int(assignment.max()) + 1
    candidates = (class_terms(matrix, assignment, vocabulary, k, LABEL_CANDIDATES)
                  if matrix is not None else [[] for _ in range(k)])
    scores = (term_scores(matrix, assignment, vocabulary, candidates) if matrix is not None
              else [{} for _ in range(k)])
    shown, for_label = zip(*(shown_and_label_terms(terms, score)
                             for terms, score in zip(candidates, scores, strict=True)),
                           strict=True) if k else ((), ())
    casing = preferred_casing(texts, {w for terms in (*shown, *for_label) for t in terms
                                      for w in t.split()})
    term_lists = [[cased(t, casing) for t in terms] for terms in shown]
    if centroids is None:
        centroids = [Centroid({}, 0.0) for _ in range(k)]
    sizes = np.bincount(assignment, minlength=k)
    labels = make_labels([[cased(t, casing) for t in terms] for terms in for_label],
                         sorted(range(k), key=lambda c: (-sizes[c], c)))
    slugs = _slugs(labels, [c.terms for c in centroids], lock)
    if lock is not None:
        renames = {**lock.renames, **renames}
    topics = []
    for cluster in range(k):
        members = [p for p, c in zip(papers, assignment, strict=True) if c == cluster]
        newest_first = sorted(members, key=lambda p: (-p.date.toordinal(), p.slug))
        slug = slugs[cluster]
        topics.append(Topic(slug, renames.get(slug, labels[cluster]), tuple(term_lists[cluster]),
                            tuple(p.slug for p in newest_first), labels[cluster],
                            tuple(centroids[cluster].terms.items()), centroids[cluster].norm))
    topics.sort(key=lambda t: (-len(t.papers), t.slug))
    return topics


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
             count: int, jobs: int | None = None) -> dict[str, tuple[str, ...]]:
    """Most similar papers by cosine on TF-IDF rows (L2-normalised, so a dot product).

    Exact over all papers up to EXACT_RELATED_LIMIT; beyond it, within each paper's topic,
    which divides the n^2 work by the number of topics. Blocks of rows go to up to ``jobs``
    forked workers on large sites; each block's result does not depend on where it ran.
    """
    from generator.workers import map_forked

    slugs = [p.slug for p in papers]
    if matrix is None or count == 0 or len(papers) < 2:
        return {s: () for s in slugs}
    if len(papers) <= EXACT_RELATED_LIMIT:
        groups = [np.arange(len(papers))]
    else:
        groups = [np.flatnonzero(assignment == c) for c in range(int(assignment.max()) + 1)]
    parts = [(matrix[members], [slugs[i] for i in members]) for members in groups]
    spans = [(group, start) for group, (rows, _) in enumerate(parts)
             for start in range(0, rows.shape[0], RELATED_BLOCK)]
    related: dict[str, tuple[str, ...]] = {}
    for found in map_forked(lambda span: _related_block(*parts[span[0]], span[1], count), spans,
                            jobs=jobs, min_per_worker=RELATED_BLOCKS_PER_WORKER):
        related.update(found)
    return {s: related.get(s, ()) for s in slugs}


def _related_block(rows: sparse.csr_matrix, slugs: list[str], start: int,
                   count: int) -> dict[str, tuple[str, ...]]:
    """Best ``count`` for rows ``start`` .. ``start + RELATED_BLOCK - 1`` by score, ties by slug
    (``slugs`` are sorted, so by position); each row's candidates come from the same
    argpartition as the row alone would get."""
    take = min(count, len(slugs) - 1)
    stop = min(start + RELATED_BLOCK, len(slugs))
    if take <= 0:
        return {s: () for s in slugs[start:stop]}
    width = min(take * 4, len(slugs))
    scores = np.asarray((rows[start:stop] @ rows.T).todense(), dtype=np.float64)
    here = np.arange(scores.shape[0])
    scores[here, start + here] = -np.inf
    candidates = np.argpartition(-scores, take - 1, axis=1)[:, :width]
    values = np.take_along_axis(scores, candidates, axis=1)
    order = np.lexsort((candidates, -values), axis=1)[:, :take]
    best = np.take_along_axis(candidates, order, axis=1).tolist()
    kept = (np.take_along_axis(values, order, axis=1) > -np.inf).tolist()
    return {slugs[start + offset]: tuple(slugs[j] for j, k in zip(columns, keep, strict=True) if k)
            for offset, (columns, keep) in enumerate(zip(best, kept, strict=True))}
