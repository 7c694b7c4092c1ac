"""Topics: TF-IDF over title + abstract, LSA, k-means with k chosen by silhouette, labels by
class-based TF-IDF, and related papers by cosine similarity.

Pure and deterministic: papers are sorted by slug first and every random step is seeded.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
from scipy import sparse

from generator.markup import plain_text
from generator.models import Paper, Topic, TopicModel
from generator.slugs import slugify

LSA_DIMENSIONS = 100
MAX_TOPICS = 50
SILHOUETTE_SAMPLE = 2000
EXACT_RELATED_LIMIT = 5000
LABEL_TERMS = 3
TOPIC_TERMS = 8
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]")


def cluster_topics(papers: Sequence[Paper], *, count: int | None = None, related_count: int = 5,
                   seed: int = 0, renames: Mapping[str, str] | None = None) -> TopicModel:
    """Group papers into topics. ``renames`` is applied by the site planner (labels only)."""
    del renames  # display labels are the planner's business; slugs never change with them
    ordered = sorted(papers, key=lambda p: p.slug)
    if not ordered:
        return TopicModel((), MappingProxyType({}), MappingProxyType({}))
    texts = [_text_of(p) for p in ordered]
    matrix, vocabulary = _vectorize(texts)
    if matrix is None or len(ordered) < 4:
        assignment = np.zeros(len(ordered), dtype=int)
    else:
        assignment = _cluster(matrix, count, seed)
    topics = _make_topics(ordered, texts, assignment, matrix, vocabulary)
    topic_of = {slug: t.slug for t in topics for slug in t.papers}
    related = _related(ordered, matrix, assignment, related_count)
    return TopicModel(tuple(topics), MappingProxyType(topic_of), MappingProxyType(related))


def _text_of(paper: Paper) -> str:
    title = plain_text(paper.title)
    return f"{title}. {title}. {plain_text(paper.abstract)}"


def _vectorize(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, stop_words="english", strip_accents="unicode",
        min_df=2 if n >= 20 else 1, max_df=0.5 if n >= 20 else 1.0,
        max_features=200_000, token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]\b",
        dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # empty vocabulary: nothing but stop-words
        return None, None
    return matrix.tocsr(), vectorizer.get_feature_names_out()


def _cluster(matrix: sparse.csr_matrix, count: int | None, seed: int) -> np.ndarray:
    n = matrix.shape[0]
    embedding = _lsa(matrix, seed)
    k = min(count, n) if count else choose_k(embedding, seed)
    labels = _kmeans(embedding, k, seed).predict(embedding)
    return _merge_small_clusters(embedding, labels, min_size=2 if n >= 6 else 1)


def _lsa(matrix: sparse.csr_matrix, seed: int) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dims = max(1, min(LSA_DIMENSIONS, matrix.shape[0] - 1, matrix.shape[1] - 1))
    reduced = TruncatedSVD(n_components=dims, random_state=seed).fit_transform(matrix)
    return normalize(reduced).astype(np.float64)


def _kmeans(embedding: np.ndarray, k: int, seed: int):
    from sklearn.cluster import KMeans, MiniBatchKMeans

    if embedding.shape[0] > 20_000:
        return MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3,
                               batch_size=4096).fit(embedding)
    return KMeans(n_clusters=k, random_state=seed, n_init=4).fit(embedding)


def candidate_ks(n: int) -> list[int]:
    """Around sqrt(n/2), the classic rule of thumb, from 2 up to MAX_TOPICS."""
    centre = math.sqrt(n / 2)
    low, high = max(2, int(centre / 2)), min(MAX_TOPICS, max(3, int(centre * 2)), n - 1)
    step = max(1, (high - low) // 8)
    return list(range(low, high + 1, step)) or [2]


def choose_k(embedding: np.ndarray, seed: int) -> int:
    """The k with the best cosine silhouette, measured on a seeded sample for large sites."""
    from sklearn.metrics import silhouette_score

    rng = np.random.default_rng(seed)
    sample = embedding
    if embedding.shape[0] > SILHOUETTE_SAMPLE:
        sample = embedding[rng.choice(embedding.shape[0], SILHOUETTE_SAMPLE, replace=False)]
    best_k, best_score = 2, -2.0
    for k in candidate_ks(sample.shape[0]):
        labels = _kmeans(sample, k, seed).labels_
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(sample, labels, metric="cosine")
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    return best_k


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


# ------------------------------------------------------------------------------------- labels

def _make_topics(papers: list[Paper], texts: list[str], assignment: np.ndarray,
                 matrix: sparse.csr_matrix | None, vocabulary) -> list[Topic]:
    k = int(assignment.max()) + 1
    term_lists = (_class_terms(matrix, assignment, vocabulary, k) if matrix is not None
                  else [[] for _ in range(k)])
    casing = _preferred_casing(texts)
    used_labels: set[str] = set()
    used_slugs: set[str] = set()
    topics = []
    for cluster in range(k):
        members = [p for p, c in zip(papers, assignment, strict=True) if c == cluster]
        terms = tuple(_cased(t, casing) for t in term_lists[cluster][:TOPIC_TERMS])
        label = _unique_label(terms, used_labels)
        slug = _unique_slug(slugify(label, max_length=60) or "topic", used_slugs)
        newest_first = sorted(members, key=lambda p: (-p.date.toordinal(), p.slug))
        topics.append(Topic(slug, label, terms, tuple(p.slug for p in newest_first)))
    topics.sort(key=lambda t: (-len(t.papers), t.slug))
    return topics


def _class_terms(matrix: sparse.csr_matrix, assignment: np.ndarray, vocabulary,
                 k: int) -> list[list[str]]:
    """Class-based TF-IDF (as BERTopic): term weight within a topic versus across topics."""
    indicator = sparse.csr_matrix(
        (np.ones(len(assignment)), (assignment, np.arange(len(assignment)))),
        shape=(k, len(assignment)))
    per_class = np.asarray((indicator @ matrix).todense())
    frequency = per_class.sum(axis=0) + 1e-12
    average = per_class.sum() / max(k, 1)
    weights = (per_class / (per_class.sum(axis=1, keepdims=True) + 1e-12)) * np.log1p(
        average / frequency)
    result = []
    for row in weights:
        order = np.lexsort((vocabulary, -row))[: TOPIC_TERMS * 4]
        result.append(_prefer_phrases([str(vocabulary[i]) for i in order if row[i] > 0]))
    return result


def _prefer_phrases(ranked: list[str]) -> list[str]:
    """Keep a bigram instead of its single words, and drop words a chosen bigram covers."""
    chosen: list[str] = []
    for term in ranked:
        words = term.split()
        if len(words) == 1 and any(term in c.split() for c in chosen):
            continue
        if len(words) > 1:
            chosen = [c for c in chosen if c not in words]
            if any(set(words) & set(c.split()) for c in chosen if len(c.split()) > 1):
                continue
        chosen.append(term)
        if len(chosen) >= TOPIC_TERMS:
            break
    return chosen


def _preferred_casing(texts: list[str]) -> dict[str, str]:
    """Most common written form of each word, so 'llm' is shown as 'LLM'."""
    forms: dict[str, Counter[str]] = {}
    for text in texts[:5000]:
        for word in _WORD.findall(text):
            forms.setdefault(word.lower(), Counter())[word] += 1
    return {lower: counter.most_common(1)[0][0] for lower, counter in forms.items()}


def _cased(term: str, casing: Mapping[str, str]) -> str:
    words = []
    for word in term.split():
        form = casing.get(word, word)
        words.append(form if form.isupper() and len(form) > 1 else word)
    return " ".join(words)


def _unique_label(terms: tuple[str, ...], used: set[str]) -> str:
    if not terms:
        label = "Other papers"
    else:
        label = ", ".join(_capitalise(t) for t in terms[:LABEL_TERMS - 1])
        extra = LABEL_TERMS - 1
        while label in used and extra < len(terms):
            label += ", " + _capitalise(terms[extra])
            extra += 1
    base, number = label, 2
    while label in used:
        label, number = f"{base} ({number})", number + 1
    used.add(label)
    return label


def _capitalise(term: str) -> str:
    return term[:1].upper() + term[1:]


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
