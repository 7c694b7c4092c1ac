"""Topic labels: characteristic terms per cluster (class-based TF-IDF), readable labels, slugs.

Pure: works on the clustering result of topics.py and never changes which paper is where.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from generator.models import Paper, Topic
from generator.slugs import slugify

if TYPE_CHECKING:
    from generator.topics import Vectors

TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]\b"  # no bare numbers, keeps "few-shot"
TOPIC_TERMS = 8
LABEL_TERMS = 3
LABEL_MAX_CHARS = 48  # a longer three-term label falls back to two terms
CANDIDATES = 40  # ranked terms per topic considered for the final list
PHRASE_SHARE = 0.5  # a word becomes its phrase when the phrase covers half its papers
SCAN_LIMIT = 100  # member texts read per topic for casing and literal phrases
FALLBACK_LABEL = "Miscellaneous"
# Words of scholarly boilerplate: a term made only of these says nothing about a topic.
BOILERPLATE = frozenset([
    "achieve", "approach", "based", "demonstrate", "existing", "experiment", "extensive",
    "framework", "introduce", "method", "novel", "paper", "performance", "present", "propose",
    "proposed", "result", "show", "state-of-the-art", "study", "use", "using", "work"])
_TOKEN = re.compile(TOKEN_PATTERN)
_PARTS = re.compile(r"[\s-]+")
_SMALL_WORDS = frozenset(["a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or",
                          "the", "to", "via", "vs", "with"])


def build_topics(papers: Sequence[Paper], texts: Sequence[str], assignment: np.ndarray,
                 vectors: Vectors | None, renames: Mapping[str, str]) -> tuple[Topic, ...]:
    """Topics by size (desc) then slug; ``papers`` sorted by slug, ``assignment`` per paper."""
    k = int(assignment.max()) + 1
    members = [np.flatnonzero(assignment == c) for c in range(k)]
    ranked = (class_terms(vectors, assignment, k) if vectors is not None
              else [([], {}) for _ in range(k)])
    # name big topics first so they get the plain label and slug, and smaller ones the suffix
    order = sorted(range(k), key=lambda c: (-len(members[c]), papers[members[c][0]].slug))
    used_labels: set[str] = set()
    used_slugs: set[str] = set()
    topics = []
    for cluster in order:
        terms = pick_cluster_terms(ranked[cluster], [texts[i] for i in members[cluster]])
        label = unique_label(terms, used_labels)
        slug = unique_slug(slugify(label, max_length=60) or "topic", used_slugs)
        newest = sorted((papers[i] for i in members[cluster]),
                        key=lambda p: (-p.date.toordinal(), p.slug))
        topics.append(Topic(slug, renames.get(slug, label), tuple(terms),
                            tuple(p.slug for p in newest)))
    return tuple(sorted(topics, key=lambda t: (-len(t.papers), t.slug)))


def class_terms(vectors: Vectors, assignment: np.ndarray,
                k: int) -> list[tuple[list[str], dict[str, float]]]:
    """Per cluster: the top terms by class-based TF-IDF and each term's paper count there.

    c-TF-IDF (as in BERTopic), on the TF-IDF mass rather than raw counts, which damps words
    every abstract uses: weight(t, c) = tfidf(t, c) * log(1 + A / tfidf(t)), where
    tfidf(t, c) sums the term's TF-IDF over the cluster, tfidf(t) over all papers, and A is
    the average TF-IDF mass of a cluster. Terms frequent in the cluster and rare elsewhere win.
    """
    n = len(assignment)
    indicator = sparse.csr_matrix((np.ones(n, dtype=np.float32), (assignment, np.arange(n))),
                                  shape=(k, n))
    presence = vectors.matrix.copy()
    presence.data[:] = 1
    counts = (indicator @ presence).tocsr()
    mass = (indicator @ vectors.matrix).tocsr()
    total = np.asarray(mass.sum(axis=0)).ravel()
    idf = np.log1p(mass.sum() / k / np.maximum(total, 1e-12))
    weights = mass.multiply(idf[np.newaxis, :]).tocsr()
    sizes = np.bincount(assignment, minlength=k)
    return [_ranked_row(weights, counts, c, vectors.terms, min(2, int(sizes[c])))
            for c in range(k)]


def _ranked_row(weights: sparse.csr_matrix, counts: sparse.csr_matrix, row: int,
                vocabulary: np.ndarray, min_count: int) -> tuple[list[str], dict[str, float]]:
    start, stop = weights.indptr[row], weights.indptr[row + 1]
    columns, scores = weights.indices[start:stop], weights.data[start:stop]
    paper_counts = dict(zip(counts.indices[counts.indptr[row]:counts.indptr[row + 1]],
                            counts.data[counts.indptr[row]:counts.indptr[row + 1]], strict=True))
    keep = np.array([paper_counts[c] >= min_count for c in columns], dtype=bool)
    columns, scores = columns[keep], scores[keep]
    best = np.lexsort((vocabulary[columns], -scores))[:CANDIDATES]  # ties by term, stable
    terms = [str(vocabulary[columns[i]]) for i in best]
    return terms, {str(vocabulary[c]): float(paper_counts[c]) for c in columns[best]}


def pick_cluster_terms(ranked: tuple[list[str], dict[str, float]],
                       texts: Sequence[str]) -> list[str]:
    """Up to TOPIC_TERMS display terms: phrases over their words, no repeated word."""
    candidates, counts = ranked
    step = max(1, len(texts) // SCAN_LIMIT)
    words = {w for term in candidates for w in term.split()}
    forms, pairs = scan_texts(texts[::step], words)
    # "model SAM", "models LLMs": a word and the acronym that follows it are no phrase
    pairs = {p for p in pairs if _is_acronym(forms.get(p[0], p[0]))
             or not _is_acronym(forms.get(p[1], p[1]))}
    chosen = pick_terms(candidates, counts, pairs)
    return [display_term(term, forms) for term in chosen]


def pick_terms(ranked: Sequence[str], counts: Mapping[str, float],
               pairs: set[tuple[str, str]]) -> list[str]:
    """Walk the ranking; swap a word for its phrase, skip anything sharing a word.

    ``pairs`` are the word pairs that really occur next to each other: the vectoriser drops
    stop-words before pairing, so "learning for robots" yields a pair "learning robots" that
    no author wrote, and such a pair never becomes part of a label.
    """
    ranked = [t for t in ranked if not _stems(t) <= BOILERPLATE]
    phrases = [t for t in ranked if " " in t and tuple(t.split()) in pairs]
    chosen: list[str] = []
    for term in ranked:
        if " " in term and term not in phrases:
            continue
        if " " not in term:
            term = _phrase_for(term, phrases, counts) or term
        if term not in chosen and not any(_overlap(term, c) for c in chosen):
            chosen.append(term)
        if len(chosen) == TOPIC_TERMS:
            break
    return chosen


def _phrase_for(word: str, phrases: Sequence[str], counts: Mapping[str, float]) -> str | None:
    containing = [p for p in phrases if word in p.split()
                  and counts.get(p, 0) >= PHRASE_SHARE * counts.get(word, 0)]
    return max(containing, key=lambda p: counts.get(p, 0), default=None)


def _singular(word: str) -> str:
    """Crude singular, enough to tell 'bias'/'biases' and 'LLM'/'LLMs' apart from new words."""
    if len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "ses")):
        return word[:-2]
    if word[-2] in "aiosu":  # bias, analysis, lens-like endings stay
        return word
    return word[:-1]


def _stems(term: str) -> set[str]:
    return {_singular(p) for p in _PARTS.split(term.lower()) if p and p not in ENGLISH_STOP_WORDS}


def _initials(term: str) -> set[str]:
    parts = [p for p in _PARTS.split(term.lower()) if p]
    content = [p for p in parts if p not in ENGLISH_STOP_WORDS]
    return {"".join(p[0] for p in parts), "".join(p[0] for p in content)} if len(parts) > 1 \
        else set()


def _overlap(term: str, other: str) -> bool:
    """A shared word (singular or plural) or an acronym of the other: RL, CoT, LLM."""
    mine, theirs = _stems(term), _stems(other)
    return bool(mine & theirs) or _abbreviates(mine, other) or _abbreviates(theirs, term)


def _abbreviates(stems: set[str], term: str) -> bool:
    """'rl' for 'reinforcement learning'; 'llm' also for 'language models' (large is implied)."""
    initials = _initials(term)
    return len(stems) == 1 and any(i and i in s and len(s) <= len(i) + 1
                                   for s in stems for i in initials)


def scan_texts(texts: Iterable[str], words: set[str]) -> tuple[dict[str, str],
                                                               set[tuple[str, str]]]:
    """Most common written form of each of ``words`` and the adjacent word pairs seen."""
    forms: dict[str, Counter[str]] = {}
    pairs: set[tuple[str, str]] = set()
    for text in texts:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        matches = list(_TOKEN.finditer(folded))
        for first, second in itertools.pairwise(matches):
            adjacent = folded[first.end():second.start()].isspace()  # "models (LLMs)": no
            if adjacent and first.group().lower() in words:
                pairs.add((first.group().lower(), second.group().lower()))
        for match in matches:
            if (low := match.group().lower()) in words:
                forms.setdefault(low, Counter())[match.group()] += 1
    return {w: c.most_common(1)[0][0] for w, c in forms.items()}, pairs


def _is_acronym(form: str) -> bool:
    """LLM, LLMs, CoT, GPT-4o: a part with an upper-case letter after its first one."""
    return any(ch.isupper() for part in form.split("-") for ch in part[1:])


def display_term(term: str, forms: Mapping[str, str]) -> str:
    """Lower case, except words usually written with inner capitals (acronyms)."""
    return " ".join(forms[w] if _is_acronym(forms.get(w, w)) else w for w in term.split())


def title_case(term: str) -> str:
    """'text-to-image generation' -> 'Text-to-Image Generation'; acronyms stay as written."""
    words = []
    for word in term.split():
        if _is_acronym(word):
            words.append(word)
            continue
        parts = word.split("-")
        words.append("-".join(p if (i and p in _SMALL_WORDS) else p[:1].upper() + p[1:]
                              for i, p in enumerate(parts)))
    return " ".join(words)


def unique_label(terms: Sequence[str], used: set[str]) -> str:
    """The top 2-3 terms, title-cased; another term, then a number, if the label is taken."""
    titled = [title_case(t) for t in terms]
    size = LABEL_TERMS
    if len(", ".join(titled[:size])) > LABEL_MAX_CHARS:
        size = 2
    label = ", ".join(titled[:size]) or FALLBACK_LABEL
    if label in used and len(titled) > size:
        label = ", ".join(titled[:size + 1])
    base, number = label, 2
    while label in used:
        label, number = f"{base} ({number})", number + 1
    used.add(label)
    return label


def unique_slug(slug: str, used: set[str]) -> str:
    base, number = slug, 2
    while slug in used:
        slug, number = f"{base}-{number}", number + 1
    used.add(slug)
    return slug
