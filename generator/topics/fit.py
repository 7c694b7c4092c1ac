"""Topics: TF-IDF over title + abstract, LSA, k-means with k chosen by the modularity of the
papers' neighbour graph (generator/topics/count.py), labels by class-based TF-IDF
(generator/topics/labels.py), related papers by cosine similarity, and a 2-D layout for the topic
map. Follows a topics.lock.yaml when given one: listed papers keep their topic.

Everything but the clustering is fitted on a "base" (generator/topics/base.py): every paper when
the topics are fitted, the lock's members when a lock is followed. Papers a followed lock does
not list as members are placed in that base: TF-IDF rows in its vector space, a topic by the
locked rules, related lists scored against every paper (an old paper's list takes a new paper in
only where it ranks), a point on its map. So a followed lock's output depends only on the lock,
the papers and the settings, whether the base came from the cache or not.

Pure and deterministic: papers are sorted by slug first and every random step is seeded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
from scipy import sparse

from generator.models import Paper, Topic, TopicModel
from generator.slugs import slugify
from generator.topics.base import BaseFit, BaseStore
from generator.topics.compact import TermRows
from generator.topics.labels import (
    LABEL_CANDIDATES,
    cased,
    class_terms,
    make_labels,
    preferred_casing,
    shown_and_label_terms,
    term_scores,
)
from generator.topics.layout import fit_layout, place_points
from generator.topics.lock import TopicLock, match_topics
from generator.topics.related import Related, empty_related, extend_related, related_within
from generator.topics.rule import Centroid, assign, centroids_of
from generator.topics.vectors import SEGMENT

Space = tuple[sparse.csr_matrix, np.ndarray, np.ndarray]  # TF-IDF rows, terms, idf

LSA_DIMENSIONS = 100
SVD_ITERATIONS = 5
KMEANS_WORK = 200_000  # papers x k-means runs voting on the final topics
MIN_RUNS, MAX_RUNS = 5, 50
MAX_TERMS = 100_000
_NOT_WORDS = re.compile(r"https?://\S+|\\[A-Za-z]+|<[^>]*>")
MAX_TOPICS = 40
MIN_TOPIC_PAPERS = 5  # k is at most (papers / this): no site wants topics of two papers
EXACT_RELATED_LIMIT = 5000


def cluster_topics(papers: Sequence[Paper], *, count: int | None = None, related_count: int = 5,
                   seed: int = 0, renames: Mapping[str, str] | None = None,
                   lock: TopicLock | None = None, jobs: int | None = None,
                   bases: BaseStore | None = None) -> TopicModel:
    """Group papers into topics; ``lock`` keeps slugs and assignments of an earlier build;
    ``jobs``: processes for related papers (default: every core; never changes the result);
    ``bases``: where fitted bases are kept between builds (never changes the result)."""
    ordered = sorted(papers, key=lambda p: p.slug)
    if not ordered:
        return TopicModel((), MappingProxyType({}), MappingProxyType({}))
    renames = {**(lock.renames if lock is not None else {}), **dict(renames or {})}
    params = (related_count, seed)
    if lock is not None and follows_lock(lock, count, len(ordered)):
        followed = _follow(ordered, lock, params, renames, jobs, bases)
        if followed is not None:
            return followed
    return _refit(ordered, count, params, renames, lock, jobs, bases)


def _refit(ordered: list[Paper], count: int | None, params: tuple[int, int],
           renames: Mapping[str, str], lock: TopicLock | None, jobs: int | None,
           bases: BaseStore | None) -> TopicModel:
    """Cluster every paper (k-means, k chosen unless ``count``); they are all the base."""
    related_count, seed = params
    texts = [_text_of(p) for p in ordered]
    space = _vector_space(texts)
    embedding = axes = None
    if space is None or len(ordered) < 4:
        clusters = np.zeros(len(ordered), dtype=int)
    else:
        embedding, axes = _lsa(_words_only(space[0], space[1]), seed)
        clusters = _cluster(embedding, count, seed)
    assignment = _canonical(clusters)
    k = int(assignment.max()) + 1
    centroids = (centroids_of(space[0], assignment, space[1]) if space is not None
                 else [Centroid({}, 0.0) for _ in range(k)])
    labels, terms = _topic_terms(texts, space, assignment)
    names = _slugs(dict(enumerate(labels)), [c.terms for c in centroids], lock)
    topic_slugs = tuple(names[c] for c in range(k))
    base = _finish_base(ordered, topic_slugs, assignment, labels, terms, space, embedding, axes,
                        related_count, jobs)
    if base is None:  # too few papers or no terms: one topic, no map
        related = (related_within(space[0], [np.arange(len(ordered))], related_count, jobs)
                   if space is not None else empty_related(len(ordered), related_count))
        return _trivial_model(ordered, topic_slugs[0], labels[0], terms[0], related, renames)
    if bases is not None:
        bases.store(ordered, [topic_slugs[c] for c in assignment], params, base)
    return _assemble(ordered, base, None, centroids, renames)


def _follow(ordered: list[Paper], lock: TopicLock, params: tuple[int, int],
            renames: Mapping[str, str], jobs: int | None,
            bases: BaseStore | None) -> TopicModel | None:
    """The lock's members are the base (fitted once, or loaded from ``bases``); every other
    paper is placed in it. None when the members present cannot make a base."""
    topic_of = {slug: t.slug for t in lock.topics for slug in t.members}
    base_papers = [p for p in ordered if p.slug in topic_of]
    if len(base_papers) < 4:
        return None
    topics = [topic_of[p.slug] for p in base_papers]
    base = bases.load(base_papers, topics, params) if bases is not None else None
    if base is None:
        base = _fit_base(base_papers, topics, params, jobs)
        if base is None:
            return None
        if bases is not None:
            bases.store(base_papers, topics, params, base)
    locked = {t.slug: t for t in lock.topics}
    # labels and terms as the lock keeps them: they change when topics are fitted again
    base = replace(base, labels=tuple(locked[slug].label for slug in base.topic_slugs),
                   terms=tuple(locked[slug].terms for slug in base.topic_slugs))
    rules = [Centroid(locked[slug].centroid, locked[slug].norm) for slug in base.topic_slugs]
    listed = {slug: t.slug for t in lock.topics for slug in t.added}
    new = [p for p in ordered if p.slug not in topic_of]
    return _assemble(ordered, base, _place(base, new, rules, listed), rules, renames)


def follows_lock(lock: TopicLock | None, count: int | None, n: int) -> bool:
    """The lock is followed until the site has doubled since its number of topics was chosen."""
    if lock is None or not lock.topics or len(lock.topics) >= n:
        return False
    if count is not None:
        return count == len(lock.topics)
    return n < 2 * max(lock.papers, 1)


def _fit_base(papers: list[Paper], topics: list[str], params: tuple[int, int],
              jobs: int | None) -> BaseFit | None:
    """The base of a followed lock, from its members' text and topics alone (labels and terms
    are the lock's)."""
    related_count, seed = params
    texts = [_text_of(p) for p in papers]
    space = _vector_space(texts)
    if space is None:
        return None
    embedding, axes = _lsa(_words_only(space[0], space[1]), seed)
    names = sorted(set(topics))
    number = {name: i for i, name in enumerate(names)}
    clusters = np.array([number[t] for t in topics])
    assignment = _canonical(clusters)
    topic_slugs = tuple(names[clusters[np.flatnonzero(assignment == c)[0]]]
                        for c in range(len(names)))
    return _finish_base(papers, topic_slugs, assignment, ("",) * len(names),
                        ((),) * len(names), space, embedding, axes, related_count, jobs)


def _canonical(clusters: np.ndarray) -> np.ndarray:
    """Clusters numbered by size (largest first), then by their first paper (in slug order):
    a numbering that does not depend on how they were found, so a base fitted from a lock's
    members (its map, its related groups) equals the one made right after the fit that wrote
    the lock."""
    _, first, dense = np.unique(clusters, return_index=True, return_inverse=True)
    sizes = np.bincount(dense)
    order = np.lexsort((first, -sizes))
    renumber = np.empty(len(order), dtype=int)
    renumber[order] = np.arange(len(order))
    return renumber[dense]


def _topic_terms(texts: list[str], space: Space | None,
                 assignment: np.ndarray) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(generated label, shown terms) of every topic, by class-based TF-IDF."""
    k = int(assignment.max()) + 1
    matrix, vocabulary = (space[0], space[1]) if space is not None else (None, None)
    candidates = (class_terms(matrix, assignment, vocabulary, k, LABEL_CANDIDATES)
                  if matrix is not None else [[] for _ in range(k)])
    scores = (term_scores(matrix, assignment, vocabulary, candidates) if matrix is not None
              else [{} for _ in range(k)])
    shown, for_label = zip(*(shown_and_label_terms(terms, score)
                             for terms, score in zip(candidates, scores, strict=True)),
                           strict=True) if k else ((), ())
    casing = preferred_casing(texts, {w for terms in (*shown, *for_label) for t in terms
                                      for w in t.split()})
    sizes = np.bincount(assignment, minlength=k)
    labels = make_labels([[cased(t, casing) for t in terms] for terms in for_label],
                         sorted(range(k), key=lambda c: (-sizes[c], c)))
    return (tuple(labels[c] for c in range(k)),
            tuple(tuple(cased(t, casing) for t in terms) for terms in shown))


def _finish_base(papers: list[Paper], topic_slugs: tuple[str, ...], assignment: np.ndarray,
                 labels: tuple[str, ...], terms: tuple[tuple[str, ...], ...], space: Space | None,
                 embedding: np.ndarray | None, axes: np.ndarray | None, related_count: int,
                 jobs: int | None) -> BaseFit | None:
    """Related lists and the map of a base; None without a vector space or an embedding."""
    if space is None or embedding is None or axes is None:
        return None
    matrix, vocabulary, idf = space
    related = related_within(matrix, _related_groups(assignment, len(topic_slugs)), related_count,
                             jobs)
    coords, frame = fit_layout(embedding, assignment)
    return BaseFit(tuple(p.slug for p in papers), topic_slugs, assignment, labels, terms,
                   vocabulary, idf, matrix, axes, related, coords, frame, _stop_words())


def _related_groups(assignment: np.ndarray, k: int) -> list[np.ndarray]:
    """Exact over all papers up to EXACT_RELATED_LIMIT; beyond it, within each paper's topic,
    which divides the n^2 work by the number of topics."""
    if len(assignment) <= EXACT_RELATED_LIMIT:
        return [np.arange(len(assignment))]
    return [np.flatnonzero(assignment == c) for c in range(k)]


@dataclass(frozen=True)
class _Placed:
    papers: list[Paper]
    topics: np.ndarray  # topic number of each
    rows: sparse.csr_matrix  # TF-IDF rows in the base's space
    coords: np.ndarray


def _place(base: BaseFit, papers: list[Paper], rules: list[Centroid],
           listed: Mapping[str, str]) -> _Placed | None:
    """Papers outside the base: a locked topic (the one the lock lists them in, else the best
    rule), rows in the base's space, a point on the base's map."""
    if not papers:
        return None
    from generator.topics.vectors import tfidf_transform

    columns = base.columns
    rows = tfidf_transform([_text_of(p) for p in papers], columns, base.idf,
                           stop_words=base.stop_words)
    by_rule = assign(rows, rules, columns, mean=base.mean_row)
    number = {slug: i for i, slug in enumerate(base.topic_slugs)}
    topics = np.array([number.get(listed.get(p.slug, ""), rule)
                       for p, rule in zip(papers, by_rule.tolist(), strict=True)])
    embedding = _placed_embedding(rows, base.vocabulary, base.axes)
    return _Placed(papers, topics, rows, place_points(base.frame, embedding, topics))


def _placed_embedding(rows: sparse.csr_matrix, vocabulary: np.ndarray,
                      axes: np.ndarray) -> np.ndarray:
    """_project(_words_only(rows)) in numpy alone: a day's build with a cached base then never
    loads scikit-learn (seconds of imports); a clean build places papers through here too."""
    words = np.flatnonzero(np.char.find(vocabulary.astype(str), " ") < 0)
    if len(words) >= 2:
        rows = rows[:, words].tocsr()
        norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
        rows = sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ rows
    projected = np.asarray(rows @ axes.T, dtype=np.float64)
    norms = np.sqrt(np.einsum("ij,ij->i", projected, projected))
    return projected / np.where(norms > 0, norms, 1.0)[:, None]


def _assemble(ordered: list[Paper], base: BaseFit, placed: _Placed | None,
              centroids: Sequence[Centroid], renames: Mapping[str, str]) -> TopicModel:
    """The model: the base's topics with the placed papers added to them."""
    slugs = list(base.slugs)
    topic_numbers = base.assignment
    coords = base.coords
    related = base.related
    if placed is not None:
        new_slugs = [p.slug for p in placed.papers]
        slugs += new_slugs
        topic_numbers = np.concatenate([base.assignment, placed.topics])
        coords = np.vstack([base.coords, placed.coords])
        rank = np.empty(len(slugs), dtype=np.int64)
        rank[np.argsort(np.array(slugs), kind="stable")] = np.arange(len(slugs))
        k = len(base.topic_slugs)
        if len(base.slugs) <= EXACT_RELATED_LIMIT:
            old_groups, new_groups = [np.arange(len(base.slugs))], [np.arange(len(new_slugs))]
        else:
            old_groups = [np.flatnonzero(base.assignment == c) for c in range(k)]
            new_groups = [np.flatnonzero(placed.topics == c) for c in range(k)]
        related = extend_related(base.related, base.matrix, placed.rows, old_groups, new_groups,
                                 rank)
    dates = {p.slug: p.date for p in ordered}
    topics = []
    for number, slug in enumerate(base.topic_slugs):
        members = [slugs[i] for i in np.flatnonzero(topic_numbers == number)]
        newest_first = sorted(members, key=lambda s: (-dates[s].toordinal(), s))
        label = base.labels[number]
        topics.append(Topic(slug, renames.get(slug, label), base.terms[number],
                            tuple(newest_first), label, tuple(centroids[number].terms.items()),
                            centroids[number].norm))
    topics.sort(key=lambda t: (-len(t.papers), t.slug))
    topic_of = {slug: t.slug for t in topics for slug in t.papers}
    lists = related.slugs(slugs)
    points = {slug: (float(x), float(y)) for slug, (x, y) in zip(slugs, coords.tolist(),
                                                                  strict=True)}
    placed_slugs = frozenset(slugs[len(base.slugs):])
    rows = base.matrix if placed is None else sparse.vstack([base.matrix, placed.rows]).tocsr()
    return TopicModel(tuple(topics), MappingProxyType(topic_of),
                      MappingProxyType({p.slug: lists[p.slug] for p in ordered}),
                      MappingProxyType({p.slug: points[p.slug] for p in ordered}), placed_slugs,
                      TermRows(tuple(slugs), rows, base.vocabulary))


def _trivial_model(ordered: list[Paper], slug: str, label: str, terms: tuple[str, ...],
                   related: Related, renames: Mapping[str, str]) -> TopicModel:
    """One topic of every paper, without a map (too few papers or no terms to fit on)."""
    newest_first = sorted(ordered, key=lambda p: (-p.date.toordinal(), p.slug))
    topic = Topic(slug, renames.get(slug, label), terms, tuple(p.slug for p in newest_first),
                  label, (), 0.0)
    lists = related.slugs([p.slug for p in ordered])
    return TopicModel((topic,), MappingProxyType({p.slug: slug for p in newest_first}),
                      MappingProxyType(lists))


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
    space = _vector_space(texts)
    return (space[0], space[1]) if space is not None else (None, None)


def _vector_space(texts: list[str]) -> Space | None:
    """(TF-IDF rows, term strings, idf), or None when no term is kept."""
    from generator.topics.vectors import tfidf_fit

    n = len(texts)
    return tfidf_fit(texts, min_df=2 if n >= 20 else 1, max_df=0.5 if n >= 20 else 1.0,
                     max_features=MAX_TERMS, stop_words=_stop_words())


def _stop_words() -> frozenset[str]:
    from generator.stop_words import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


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
    from sklearn.utils.extmath import randomized_svd

    dims = max(1, min(LSA_DIMENSIONS, matrix.shape[0] - 1, matrix.shape[1] - 1))
    _, _, axes = randomized_svd(matrix, dims, n_iter=SVD_ITERATIONS, random_state=seed)
    axes = axes.astype(np.float32)
    return _project(matrix, axes), axes


def _project(matrix: sparse.csr_matrix, axes: np.ndarray) -> np.ndarray:
    """Rows in the LSA space of ``axes``, L2-normalised (papers placed later go through here
    too)."""
    from sklearn.preprocessing import normalize

    return normalize(np.asarray(matrix @ axes.T, dtype=np.float64))


def max_topics(n: int) -> int:
    """The most topics a site of ``n`` papers may get: topics of MIN_TOPIC_PAPERS on average,
    at least 2, at most MAX_TOPICS."""
    return max(2, min(MAX_TOPICS, n // MIN_TOPIC_PAPERS, n - 1))


def consensus_runs(n: int) -> int:
    """k-means runs whose consensus gives the topics: many where they are cheap."""
    return max(MIN_RUNS, min(MAX_RUNS, round(KMEANS_WORK / n)))


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
