"""Topic labels: class-based TF-IDF terms per topic, cleaned for people to read.

Bigrams win over their parts, generic research words and stop-words never label a topic, and no
term repeats within a label or across labels (acronyms and plurals count as repeats). A term
most topics use ("writes" in a forum, "classes" in papers) is shown last and never labels a topic
while a specific one is left, and the label takes the topic's leading terms in order of coverage
(share of its papers using the term) times exclusivity (share of the papers using it that are in
the topic). Pure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

TOPIC_TERMS = 8
CASING_SAMPLE = 2000
LABEL_TERMS = 2
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]")

# Words any abstract in any field uses; they say nothing about what a topic is about.
_GENERIC_TEXT = """
able accuracy achieve achieved capabilities derive examples learn standard
achieved achieves address aim analysis approach approaches based benchmark
benchmarks better challenge challenges challenging common compared comprehensive conduct
current data dataset datasets demonstrate demonstrates designed despite different effective
effectively efficient evaluate evaluation existing experiment experimental experiments extensive
finally findings framework frameworks furthermore given good high however improve improved
improvement improvements improves including introduce introduces key large leading leverage
limited low main make method methods model models moreover new novel number outperforms paper
performance potential prediction predictions present presents previous problem problems proposed
propose proposes provide provides real recent recently related remains report research result
results robust scale set significant significantly simple specific state state-of-the-art study
studies task tasks use used uses using various way wide work works
"""
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())


def class_terms(matrix: sparse.csr_matrix, assignment: np.ndarray, vocabulary: Sequence[str],
                k: int, count: int = TOPIC_TERMS) -> list[list[str]]:
    """Class-based TF-IDF (as BERTopic): a topic's ``count`` best terms by their weight in it
    against all topics."""
    indicator = sparse.csr_matrix(
        (np.ones(len(assignment)), (assignment, np.arange(len(assignment)))),
        shape=(k, len(assignment)))
    per_class = np.asarray((indicator @ matrix).todense())
    frequency = per_class.sum(axis=0) + 1e-12
    average = per_class.sum() / max(k, 1)
    weights = (per_class / (per_class.sum(axis=1, keepdims=True) + 1e-12)) * np.log1p(
        average / frequency)
    phrases_of = _phrases_by_word(vocabulary)
    words_at = {str(term): i for i, term in enumerate(vocabulary) if " " not in str(term)}
    result = []
    # a phrase stands for its word when it is in enough of the topic's papers that use the word:
    # counted in papers, not weight (a phrase's rarity inflates its TF-IDF weight)
    present = np.asarray((indicator @ (matrix > 0).astype(np.float64)).todense())
    for row, mass in zip(weights, present, strict=True):
        order = top_terms(row, vocabulary, count * 8)
        kept = [_as_phrase(int(i), mass, vocabulary, phrases_of, words_at) for i in order
                if row[i] > 0 and _is_informative(vocabulary[i])]
        result.append(prefer_phrases(list(dict.fromkeys(kept)), count))
    return result


def term_scores(matrix: sparse.csr_matrix, assignment: np.ndarray, vocabulary: Sequence[str],
                term_lists: Sequence[Sequence[str]]) -> list[dict[str, tuple[bool, float]]]:
    """For each topic's terms: (specific, coverage x exclusivity). Coverage is the share of the
    topic's papers that use the term, exclusivity the share of papers using it that are in the
    topic. A term is generic (not specific) when its exclusivity is under MIN_EXCLUSIVITY or
    it is not MIN_LIFT times more common in the topic than overall ("writes" in a forum)."""
    k = len(term_lists)
    index = {str(term): i for i, term in enumerate(vocabulary)}
    wanted = sorted({index[t] for terms in term_lists for t in terms if t in index})
    if not wanted:
        return [{t: (True, 0.0) for t in terms} for terms in term_lists]
    present = (matrix[:, wanted] > 0).astype(np.float64)
    indicator = sparse.csr_matrix(
        (np.ones(len(assignment)), (assignment, np.arange(len(assignment)))),
        shape=(k, len(assignment)))
    inside = np.asarray((indicator @ present).todense())
    everywhere = np.maximum(inside.sum(axis=0), 1)
    sizes = np.maximum(np.bincount(assignment, minlength=k), 1)
    column = {term: j for j, term in enumerate(wanted)}
    result = []
    for topic, terms in enumerate(term_lists):
        scores = {}
        for term in terms:
            j = column.get(index.get(term, -1))
            if j is None:
                scores[term] = (True, 0.0)
                continue
            coverage = inside[topic, j] / sizes[topic]
            exclusivity = inside[topic, j] / everywhere[j]
            specific = exclusivity >= max(MIN_EXCLUSIVITY,
                                          MIN_LIFT * sizes[topic] / len(assignment))
            scores[term] = (bool(specific), float(coverage * exclusivity))
        result.append(scores)
    return result


def shown_and_label_terms(terms: Sequence[str], scores: Mapping[str, tuple[bool, float]],
                          ) -> tuple[list[str], list[str]]:
    """(the TOPIC_TERMS terms shown: class TF-IDF order, specific ones first; candidates for the
    label: the LABEL_CANDIDATES best of those by coverage x exclusivity, specific first)."""
    shown = sorted(terms, key=lambda t: not scores[t][0])
    label = sorted(shown[:LABEL_POOL], key=lambda t: scores[t], reverse=True)
    return shown[:TOPIC_TERMS], label


MIN_EXCLUSIVITY = 0.3
MIN_LIFT = 1.5
LABEL_CANDIDATES = 3 * TOPIC_TERMS  # class TF-IDF terms read per topic
LABEL_POOL = 2 * TOPIC_TERMS  # of which the label may use the first (specific ones first)
PHRASE_SHARE = 0.5  # a word gives way to a phrase found in half the topic's papers using it


def _phrases_by_word(vocabulary: Sequence[str]) -> dict[str, list[int]]:
    """Each word -> the vocabulary indices of the phrases that contain it."""
    phrases: dict[str, list[int]] = {}
    for index, term in enumerate(vocabulary):
        words = str(term).split()
        if len(words) > 1:
            for word in set(words):
                phrases.setdefault(word, []).append(index)
    return phrases


def _as_phrase(index: int, mass: np.ndarray, vocabulary: Sequence[str],
               phrases_of: Mapping[str, list[int]],
               words_at: Mapping[str, int] | None = None) -> str:
    """The term, or the informative phrase around it found in at least PHRASE_SHARE of the
    topic's papers that use each of its words (``mass``: papers per term): "neural networks"
    rather than "networks" and "neural" as two label words; but "DOS" and "windows" stay words
    when most posts about Windows do not say "DOS windows"."""
    term = str(vocabulary[index])
    candidates = [i for i in phrases_of.get(term, ()) if _is_informative(vocabulary[i])]
    if " " in term or not candidates:
        return term
    best = max(candidates, key=lambda i: (mass[i], -i))
    if words_at is None:
        words_at = {str(t): i for i, t in enumerate(vocabulary) if " " not in str(t)}
    words = [words_at.get(word) for word in str(vocabulary[best]).split()]
    carried = all(mass[best] >= PHRASE_SHARE * mass[w] for w in words if w is not None)
    return str(vocabulary[best]) if carried and mass[best] >= PHRASE_SHARE * mass[index] else term


def top_terms(row: np.ndarray, vocabulary: Sequence[str], count: int) -> list[int]:
    """Indices of the ``count`` largest weights, ties by term: sorts a few, not the vocabulary."""
    if count < len(row):
        cut = row[np.argpartition(-row, count - 1)[count - 1]]
        candidates = np.flatnonzero(row >= cut)
    else:
        candidates = np.arange(len(row))
    return sorted(candidates.tolist(), key=lambda i: (-row[i], vocabulary[i]))[:count]


def _is_informative(term: str) -> bool:
    """Not generic at either end, not only numbers or letters, and no word of one character
    repeated ("eeeee vv", "xxx": encoded attachments and ASCII art in forum posts)."""
    words = term.split()
    if any(w in GENERIC_WORDS for w in (words[0], words[-1])):
        return False
    if any(len(w) >= 3 and len(set(w)) == 1 for w in words):
        return False
    return not all(w.isdigit() or len(w) < 2 for w in words)


def prefer_phrases(ranked: list[str], count: int = TOPIC_TERMS) -> list[str]:
    """Keep a bigram instead of its single words, and drop words, acronyms and plurals that
    repeat a term already chosen."""
    chosen: list[str] = []
    for term in ranked:
        words = term.split()
        if len(words) == 1 and any(_repeats(term, c) for c in chosen):
            continue
        if len(words) > 1:
            if any(set(words) & set(c.split()) for c in chosen if len(c.split()) > 1):
                continue
            chosen = [c for c in chosen if not _repeats(c, term)]
        elif any(_repeats(c, term) for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) >= count:
            break
    return chosen


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _repeats(word: str, phrase: str) -> bool:
    """True when single ``word`` says nothing ``phrase`` does not: a part, plural or acronym."""
    if len(word.split()) > 1:
        return False
    parts = phrase.split()
    stems = {_stem(p) for p in parts}
    if _stem(word) in stems:
        return True
    initials = "".join(p[0] for p in parts)
    return len(parts) > 1 and _stem(word) in (initials, initials + "s")


def preferred_casing(texts: Sequence[str], words: set[str]) -> dict[str, str]:
    """Most common written form of each of ``words`` (lowercase), so 'llm' is shown as 'LLM'.

    Reads an evenly spaced sample of at most CASING_SAMPLE texts: the terms worth casing are
    frequent, and counting every word of every text cost seconds at 10k papers.
    """
    step = max(1, len(texts) // CASING_SAMPLE)
    forms: dict[str, Counter[str]] = {}
    for form, count in Counter(_WORD.findall("\n".join(texts[::step]))).items():
        lower = form.lower()
        if lower in words:
            forms.setdefault(lower, Counter())[form] += count
    return {lower: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for lower, c in forms.items()}


def cased(term: str, casing: Mapping[str, str]) -> str:
    words = []
    for word in term.split():
        form = casing.get(word, word)
        capitals = sum(c.isupper() for c in form)
        words.append(form if capitals >= 2 and capitals >= len(form) - 1 else word)
    return " ".join(words)


def make_labels(term_lists: Sequence[Sequence[str]], order: Sequence[int]) -> dict[int, str]:
    """One label per topic from its first terms, visiting topics in ``order`` (largest first) so
    that a big topic keeps a term and smaller ones choose another instead of repeating it."""
    used_terms: set[str] = set()
    used_labels: set[str] = set()
    labels = {}
    for index in order:
        terms = list(term_lists[index])
        fresh = [t for t in terms if not any(_clashes(t, u) for u in used_terms)]
        picked = _pick((fresh if len(fresh) >= LABEL_TERMS else terms)[:LABEL_TERMS + 3])
        label = ", ".join(_capitalise(t) for t in picked) if picked else "Other papers"
        base, number = label, 2
        while label in used_labels:
            label, number = f"{base} ({number})", number + 1
        used_labels.add(label)
        used_terms.update(t.lower() for t in picked)
        labels[index] = label
    return labels


def _pick(terms: list[str]) -> list[str]:
    """The first LABEL_TERMS terms, but a phrase close behind beats a single word."""
    picked = terms[:LABEL_TERMS]
    phrases = [t for t in terms[LABEL_TERMS:] if " " in t]
    for position in range(len(picked) - 1, 0, -1):
        if phrases and " " not in picked[position]:
            picked[position] = phrases.pop(0)
    return picked


def _clashes(term: str, used: str) -> bool:
    term = term.lower()
    return term == used or _repeats(term, used) or _repeats(used, term)


def _capitalise(term: str) -> str:
    return term[:1].upper() + term[1:]
