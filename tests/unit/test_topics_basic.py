"""Topic clustering: every paper in one topic, readable labels, related papers, determinism."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from generator.models import Paper, SourceRef
from generator.topics.count import candidates, choose_count
from generator.topics.fit import MAX_TOPICS, cluster_topics, max_topics

FIELDS = {
    "protein": "protein folding structure prediction amino acid residues structure of proteins",
    "speech": "speech recognition acoustic model audio transcription spoken language speech",
    "robot": "robot grasping manipulation gripper robotic arm control robot policy",
}


def make(slug: str, text: str, day: int = 1) -> Paper:
    return Paper(slug=slug, title=text.split()[0].title() + " study " + slug, abstract=text,
                 date=dt.date(2024, 1, day), source=SourceRef(f"content/{slug}.md", 1))


def themed_papers(per_field: int = 4) -> list[Paper]:
    rng = random.Random(7)
    papers = []
    for field, text in FIELDS.items():
        words = text.split()
        for i in range(per_field):
            sample = " ".join(rng.sample(words, len(words) - 2))
            papers.append(make(f"{field}-{i}", f"{sample} we study {field} methods.", i + 1))
    return papers


def test_every_paper_is_in_exactly_one_topic() -> None:
    papers = themed_papers()
    model = cluster_topics(papers)
    members = [slug for topic in model.topics for slug in topic.papers]
    assert sorted(members) == sorted(p.slug for p in papers)
    assert set(model.topic_of) == {p.slug for p in papers}


def test_themed_papers_fall_into_their_themes() -> None:
    model = cluster_topics(themed_papers(), count=3)
    for topic in model.topics:
        assert len({slug.split("-")[0] for slug in topic.papers}) == 1, topic


def test_related_papers_share_the_theme_and_exclude_self() -> None:
    model = cluster_topics(themed_papers(), related_count=3)
    for slug, related in model.related.items():
        assert slug not in related and len(related) == 3
        assert all(r.split("-")[0] == slug.split("-")[0] for r in related), (slug, related)


def test_labels_have_terms_and_unique_slugs() -> None:
    model = cluster_topics(themed_papers(), count=3)
    assert len({t.slug for t in model.topics}) == 3
    for topic in model.topics:
        assert topic.label and 2 <= len(topic.terms) <= 8
        assert "we" not in topic.terms and "the" not in topic.terms


def test_input_order_does_not_change_the_model() -> None:
    papers = themed_papers()
    shuffled = papers[:]
    random.Random(1).shuffle(shuffled)
    assert cluster_topics(papers) == cluster_topics(shuffled)


def test_tiny_and_degenerate_inputs_do_not_fail() -> None:
    assert cluster_topics([]).topics == ()
    one = cluster_topics([make("a", "graph neural networks")])
    assert [t.papers for t in one.topics] == [("a",)] and one.related == {"a": ()}
    stop_words_only = cluster_topics([make("a", "the and of"), make("b", "of the and")])
    assert sorted(stop_words_only.topic_of) == ["a", "b"]


def test_max_topics_keeps_topics_of_several_papers() -> None:
    ks = [max_topics(n) for n in (4, 9, 20, 60, 500, 5000, 100_000)]
    assert ks == sorted(ks) and ks[0] == 2 and ks[-1] == MAX_TOPICS
    assert all(k <= max(2, n // 5) for k, n in zip(ks, (4, 9, 20, 60, 500, 5000, 100_000),
                                                  strict=True))


def planted(groups: int, per_group: int, seed: int = 0) -> np.ndarray:
    """Unit rows in 30-D around ``groups`` random directions, with noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(groups, 30))
    rows = np.repeat(centres, per_group, axis=0) + 0.35 * rng.normal(size=(groups * per_group,
                                                                          30))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_choose_count_finds_the_planted_number_of_groups() -> None:
    """The same 240 rows in 4 or in 12 groups: the criterion follows the groups, not the size."""
    assert choose_count(planted(4, 60), 40, seed=0)[0] == 4
    assert choose_count(planted(12, 20), 40, seed=0)[0] == 12


def test_choose_count_resolves_groups_smaller_than_ten_papers_on_a_small_site() -> None:
    """64 rows in 8 groups of 8: with ten links a paper, every paper links outside its group and
    the count came out 5; links are capped at the mean topic size at the largest k."""
    for seed in range(3):
        assert choose_count(planted(8, 8, seed), max_topics(64), seed=0)[0] == 8


def test_consensus_recovers_groups_that_single_runs_miss() -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from generator.topics.consensus import consensus_kmeans

    rows, truth = planted(12, 20, seed=1), np.repeat(np.arange(12), 20)
    singles = [adjusted_rand_score(truth, KMeans(12, n_init=1, random_state=r).fit_predict(rows))
               for r in range(20)]
    assert min(singles) < 0.95  # some starts merge two groups and split another
    agreed = consensus_kmeans(rows, 12, seed=0, runs=20)
    assert adjusted_rand_score(truth, agreed) == 1.0
    assert np.array_equal(agreed, consensus_kmeans(rows, 12, seed=0, runs=20))


def test_consensus_does_not_depend_on_how_many_threads_run_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import workers
    from generator.topics import consensus

    rows = planted(10, 15, seed=2) + np.random.default_rng(3).normal(0, 0.3, (150, 30))
    found = []
    for threads in (1, 2, 5):
        monkeypatch.setattr(workers, "default_jobs", lambda threads=threads: threads)
        found.append(consensus.consensus_kmeans(rows, 10, seed=4, runs=15))
    assert all(np.array_equal(found[0], other) for other in found[1:])
    assert len(np.unique(found[0])) == 10


def test_choose_count_scores_every_candidate_and_respects_the_maximum() -> None:
    best, scores = choose_count(planted(12, 20), 6, seed=0)
    assert best == 6 and sorted(scores) == [2, 3, 4, 5, 6]
    assert candidates(40)[:11] == list(range(2, 13)) and candidates(40)[-1] == 40


def test_labels_drop_acronyms_plurals_and_generic_words() -> None:
    import numpy as np
    from scipy import sparse

    from generator.topics.labels import class_terms, make_labels, prefer_phrases

    vocabulary = np.array(["graph", "models", "proposed", "replay"])
    matrix = sparse.csr_matrix(np.array([[0, 1, 1, 1], [0, 1, 1, 1], [1, 1, 1, 0]], float))
    assert class_terms(matrix, np.array([0, 0, 1]), vocabulary, 2) == [["replay"], ["graph"]]
    terms = prefer_phrases(["continual", "cl", "continual learning", "catastrophic forgetting",
                            "replay"])
    assert terms[:2] == ["continual learning", "catastrophic forgetting"]
    assert "cl" not in terms and "continual" not in terms
    labels = make_labels([prefer_phrases(["graph neural networks", "graphs", "molecules"]),
                          prefer_phrases(["graph neural networks", "gnn", "link prediction",
                                          "edges"])], [0, 1])
    assert labels[0] == "Graph neural networks, Molecules"
    assert labels[1] == "Link prediction, Edges"


def test_a_phrase_that_carries_its_words_labels_the_topic_instead_of_them() -> None:
    """'neural' and 'networks' each outrank 'neural networks' by class TF-IDF (the phrase is
    rarer elsewhere too), but the phrase holds most of their weight in the topic, so the label
    reads "Neural networks", never "Networks, Neural"."""
    import numpy as np
    from scipy import sparse

    from generator.topics.labels import class_terms, make_labels

    vocabulary = np.array(["graph", "networks", "neural", "neural networks", "pruning"])
    rows = [[0, 1, 1, 0.8, 0.5], [0, 1, 1, 0.8, 0.5], [0, 1, 1, 0, 0], [1, 0.4, 0, 0, 0]]
    matrix = sparse.csr_matrix(np.array(rows, float))
    terms = class_terms(matrix, np.array([0, 0, 0, 1]), vocabulary, 2)
    assert terms[0][0] == "neural networks"
    assert "neural" not in terms[0] and "networks" not in terms[0]
    assert make_labels(terms, [0, 1])[0] == "Neural networks, Pruning"
    # a phrase holding under half of a word's weight in the topic leaves the word as it is
    from generator.topics.labels import _as_phrase, _phrases_by_word

    phrases = _phrases_by_word(vocabulary)
    assert _as_phrase(2, np.array([0, 3, 3, 1.6, 1]), vocabulary, phrases) == "neural networks"
    assert _as_phrase(2, np.array([0, 3, 3, 1.4, 1]), vocabulary, phrases) == "neural"
    # ... and so does a phrase in most papers using one word but few using the other
    assert _as_phrase(2, np.array([0, 10, 3, 2, 1]), vocabulary, phrases) == "neural"
