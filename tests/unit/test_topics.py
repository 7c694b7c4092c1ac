"""Topics on real arXiv abstracts (tests/data) and on small constructed sites: partition,
number of topics, labels, related papers, determinism and degenerate input."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.metrics import v_measure_score

from generator.models import Paper, SourceRef, TopicModel
from generator.topics.fit import cluster_topics, max_topics

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "arxiv-sample.jsonl.gz"

THEMES = {
    "protein": [
        ("Protein folding with deep learning",
         "We predict protein folding pathways and the three-dimensional structure of proteins "
         "from amino acid sequences."),
        ("Energy landscapes of protein folding",
         "Molecular dynamics of protein folding reveal how amino acid residues form the "
         "native structure of small proteins."),
        ("Protein structure prediction from sequence",
         "A transformer reads amino acid sequences and predicts protein folding and contact "
         "maps between residues."),
    ],
    "speech": [
        ("Speech recognition in noisy rooms",
         "Automatic speech recognition of spoken utterances with acoustic models that are "
         "robust to background noise."),
        ("Streaming speech recognition",
         "A low-latency acoustic model transcribes spoken audio for streaming speech "
         "recognition on phones."),
        ("Speech recognition for accented speakers",
         "Accented speakers challenge speech recognition; we adapt the acoustic model with "
         "a few minutes of spoken audio."),
    ],
    "galaxy": [
        ("Galaxy morphology from sky surveys",
         "We classify galaxy morphology in telescope images from wide sky surveys of "
         "distant galaxies."),
        ("Redshift estimation for galaxies",
         "Photometric redshift of galaxies from telescope images in deep sky surveys."),
        ("Finding merging galaxies",
         "Galaxy mergers in sky survey images: a telescope catalogue of interacting "
         "galaxies."),
    ],
}


def make_paper(slug: str, title: str, abstract: str, date: str = "2025-01-01") -> Paper:
    return Paper(slug=slug, title=title, abstract=abstract, date=dt.date.fromisoformat(date),
                 source=SourceRef("content/x.md", 1))


@cache
def sample_records() -> tuple[dict, ...]:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as lines:
        return tuple(json.loads(line) for line in lines)


def sample_papers(n: int, seed: int = 0) -> list[Paper]:
    records = random.Random(seed).sample(sample_records(), n)
    return [make_paper(r["id"], r["title"], r["abstract"], r["date"]) for r in records]


def themed_papers() -> list[Paper]:
    return [make_paper(f"{theme}-{i}", title, abstract, f"2025-01-0{i + 1}")
            for theme, entries in THEMES.items() for i, (title, abstract) in enumerate(entries)]


@pytest.fixture(scope="module")
def fifty() -> tuple[list[Paper], TopicModel]:
    papers = sample_papers(50)
    return papers, cluster_topics(papers)


def assert_partition(papers: list[Paper], model: TopicModel) -> None:
    members = [slug for topic in model.topics for slug in topic.papers]
    assert sorted(members) == sorted(p.slug for p in papers)  # each paper exactly once
    assert dict(model.topic_of) == {s: t.slug for t in model.topics for s in t.papers}


def test_every_paper_is_in_exactly_one_topic(fifty: tuple[list[Paper], TopicModel]) -> None:
    assert_partition(*fifty)


def test_sample_site_has_no_singleton_topics(fifty: tuple[list[Paper], TopicModel]) -> None:
    _, model = fifty
    assert len(model.topics) >= 2
    assert min(len(t.papers) for t in model.topics) >= 2


@pytest.mark.parametrize("n", [20, 35, 60])
def test_small_sites_get_a_sensible_number_of_topics(n: int) -> None:
    """Topics of two papers or more, at most papers / 5 of them, and more than two on 60
    abstracts (the small-site case of test_choose_count_resolves_groups_smaller_than_ten_papers
    on real text)."""
    model = cluster_topics(sample_papers(n, seed=n))
    assert 2 <= len(model.topics) <= max_topics(n)
    assert min(len(t.papers) for t in model.topics) >= 2
    if n >= 60:
        assert len(model.topics) >= 3


@pytest.mark.parametrize("count", [1, 3, 7])
def test_count_overrides_the_automatic_choice(count: int) -> None:
    papers = sample_papers(40)
    model = cluster_topics(papers, count=count)
    assert len(model.topics) == count
    assert_partition(papers, model)


def test_topics_are_ordered_by_size_and_papers_newest_first(
        fifty: tuple[list[Paper], TopicModel]) -> None:
    papers, model = fifty
    assert [(-len(t.papers), t.slug) for t in model.topics] == sorted(
        (-len(t.papers), t.slug) for t in model.topics)
    by_slug = {p.slug: p for p in papers}
    for topic in model.topics:
        keys = [(-by_slug[s].date.toordinal(), s) for s in topic.papers]
        assert keys == sorted(keys)


def test_labels_are_two_to_four_distinct_terms(fifty: tuple[list[Paper], TopicModel]) -> None:
    _, model = fifty
    assert len({t.label for t in model.topics}) == len(model.topics)
    assert len({t.slug for t in model.topics}) == len(model.topics)
    for topic in model.topics:
        parts = topic.label.split(", ")
        assert 2 <= len(parts) <= 4, topic.label
        words = [w.lower() for part in parts for w in part.split()]
        assert len(words) == len(set(words)), topic.label  # no "Learning, Deep Learning"
        assert 2 <= len(topic.terms) <= 8
        term_words = {w.lower() for term in topic.terms for w in term.split()}
        assert not term_words & ENGLISH_STOP_WORDS, topic.terms


def test_labels_prefer_a_phrase_over_its_words() -> None:
    model = cluster_topics(themed_papers(), count=3)
    speech = next(t for t in model.topics if t.papers[0].startswith("speech"))
    assert "speech recognition" in speech.label.lower().split(", "), speech.label
    assert "speech" not in speech.terms and "recognition" not in speech.terms


def test_themed_papers_cluster_by_theme() -> None:
    # Automatic k follows a cube-root rule (2 topics for 9 papers): give the count here.
    model = cluster_topics(themed_papers(), count=3)
    assert len(model.topics) == 3
    for topic in model.topics:
        assert len({slug.split("-")[0] for slug in topic.papers}) == 1, topic


def test_related_papers_share_the_theme() -> None:
    model = cluster_topics(themed_papers())
    for theme in THEMES:
        for i in range(3):
            slug = f"{theme}-{i}"
            expected = {f"{theme}-{j}" for j in range(3) if j != i}
            assert set(model.related[slug][:2]) == expected, (slug, model.related[slug])


@pytest.mark.parametrize("count", [0, 3, 5, 60])
def test_related_excludes_itself_and_has_the_requested_length(
        fifty: tuple[list[Paper], TopicModel], count: int) -> None:
    papers, _ = fifty
    model = cluster_topics(papers, related_count=count)
    assert set(model.related) == {p.slug for p in papers}
    for slug, related in model.related.items():
        assert slug not in related
        assert len(related) == len(set(related)) == min(count, len(papers) - 1)


def test_same_input_in_any_order_gives_the_same_model(
        fifty: tuple[list[Paper], TopicModel]) -> None:
    papers, model = fifty
    shuffled = papers[:]
    random.Random(3).shuffle(shuffled)
    assert cluster_topics(shuffled) == model
    assert cluster_topics(list(reversed(papers))) == model


def test_renames_change_the_label_but_not_the_slug() -> None:
    plain = cluster_topics(themed_papers())
    first = plain.topics[0]
    renamed = cluster_topics(themed_papers(), renames={first.slug: "Proteins", "nope": "X"})
    assert renamed.topics[0].slug == first.slug and renamed.topics[0].label == "Proteins"
    assert renamed.topics[1:] == plain.topics[1:]
    assert renamed.topic_of == plain.topic_of


def test_empty_site_gives_an_empty_model() -> None:
    model = cluster_topics([])
    assert model.topics == () and dict(model.topic_of) == {} and dict(model.related) == {}


@pytest.mark.parametrize("n", [1, 2])
def test_one_or_two_papers_make_one_topic(n: int) -> None:
    papers = sample_papers(n)
    model = cluster_topics(papers)
    assert len(model.topics) == 1
    assert_partition(papers, model)
    assert all(len(r) == n - 1 for r in model.related.values())


def test_stop_word_only_text_gives_one_topic() -> None:
    papers = [make_paper(s, "The", "And of the, to be or not to be.") for s in "abc"]
    model = cluster_topics(papers)
    assert len(model.topics) == 1 and model.topics[0].label
    assert_partition(papers, model)
    # nothing in common: no paper is shown as "related" to another
    assert all(model.related[p.slug] == () for p in papers)


def test_identical_papers_stay_together() -> None:
    papers = [make_paper(f"p{i:02}", "Graph neural networks", "Message passing on graphs.")
              for i in range(12)]
    model = cluster_topics(papers)
    assert len(model.topics) == 1
    assert model.related["p00"] == ("p01", "p02", "p03", "p04", "p05")
    assert len(cluster_topics(papers, count=4).topics) == 1  # cannot split identical texts


@pytest.mark.slow
def test_clustering_beats_random_assignment_on_real_abstracts() -> None:
    """V-measure against the arXiv primary category: ours vs the same topic sizes shuffled."""
    papers = sample_papers(1000)
    truth = {r["id"]: r["label"] for r in sample_records()}
    model = cluster_topics(papers)
    slugs = [p.slug for p in papers]
    labels = [truth[s] for s in slugs]
    ours = v_measure_score(labels, [model.topic_of[s] for s in slugs])
    chance = []
    for seed in range(5):
        shuffled = [model.topic_of[s] for s in slugs]
        random.Random(seed).shuffle(shuffled)
        chance.append(v_measure_score(labels, shuffled))
    assert ours > 2.5 * max(chance) and ours - max(chance) > 0.08, (ours, chance)
    assert 2 <= len(model.topics) <= max_topics(1000)
    assert Counter(map(len, model.related.values())) == {5: 1000}


NEWSGROUPS = SAMPLE.parent / "20ng-sample.jsonl.gz"


@cache
def newsgroup_papers(which: str) -> tuple[tuple[Paper, ...], tuple[str, ...]]:
    """500 posts of 5 newsgroups ("five") or 500 of all 20 ("twenty"); tests/data/README.md."""
    with gzip.open(NEWSGROUPS, "rt", encoding="utf-8") as lines:
        records = [r for r in map(json.loads, lines) if r["set"] == which]
    papers = tuple(make_paper(r["id"].replace("/", "-").replace(".", "-"), r["title"],
                              r["abstract"]) for r in records)
    return papers, tuple(r["label"] for r in records)


@pytest.mark.slow
def test_number_of_topics_follows_the_groups_in_the_text_not_the_size() -> None:
    """Same number of posts, different granularity: five newsgroups come out near five
    topics, and all twenty in more topics than that."""
    five = cluster_topics(newsgroup_papers("five")[0], related_count=0)
    twenty = cluster_topics(newsgroup_papers("twenty")[0], related_count=0)
    assert 4 <= len(five.topics) <= 7
    assert len(twenty.topics) > len(five.topics)


@pytest.mark.slow
@pytest.mark.parametrize("which", ["five", "twenty"])
def test_topics_are_not_worse_than_the_textbook_pipeline_at_the_same_k(which: str) -> None:
    """TF-IDF -> LSA(100) -> KMeans(n_init=5), told the k we chose, scored against the
    newsgroups; ours may trail it by noise (0.02) at most."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import Normalizer

    papers, truth = newsgroup_papers(which)
    model = cluster_topics(papers, related_count=0)
    ours = v_measure_score(truth, [model.topic_of[p.slug] for p in papers])
    matrix = TfidfVectorizer(max_df=0.5, min_df=5, stop_words="english").fit_transform(
        [f"{p.title}. {p.abstract}" for p in papers])
    reduced = Normalizer().fit_transform(TruncatedSVD(100, random_state=0).fit_transform(matrix))
    textbook = KMeans(len(model.topics), n_init=5, random_state=0).fit_predict(reduced)
    assert ours >= v_measure_score(truth, textbook) - 0.02


def test_label_quality_counts_coverage_and_exclusivity() -> None:
    from generator.models import Topic
    from generator.topics.report import label_quality, topics_report

    papers = [make_paper("a1", "Speech recognition", "Noisy/speech rooms."),
              make_paper("a2", "Streaming", "Spoken SPEECH on phones."),
              make_paper("a3", "Accents", "Adapting to speakers."),
              make_paper("b1", "Galaxies", "Telescope speech-free images, noise."),
              make_paper("b2", "Redshift", "Sky surveys.")]
    model = TopicModel((Topic("speech", "Renamed", (), ("a1", "a2", "a3"), "Noisy speech, Speech"),
                        Topic("sky", "Sky", (), ("b1", "b2"), "Sky")), {}, {})
    quality = label_quality(papers, model)
    # "speech" in a1, a2 ("SPEECH") and b1 ("speech-free": a whole word before the hyphen);
    # "noisy speech" in a1 ("Noisy/speech"); "noise" in b1 is neither
    assert quality["speech"] == (2 / 3, 2 / 3)
    assert quality["sky"] == (1 / 2, 1.0)
    report = topics_report(papers, model)
    assert report[0]["label_coverage"] == round(2 / 3, 3) and report[0]["label"] == "Renamed"


@pytest.mark.slow
def test_words_every_post_uses_never_label_a_topic() -> None:
    """On five newsgroups the most common words ("writes", "article", ...) are in every group;
    labels name what a topic is about instead."""
    import re

    papers, _ = newsgroup_papers("five")
    model = cluster_topics(papers, related_count=0)
    documents = Counter(w for p in papers for w in set(
        re.findall(r"[a-z][a-z0-9-]*[a-z0-9]", f"{p.title} {p.abstract}".lower()))
        if w not in ENGLISH_STOP_WORDS)
    common = {w for w, _ in documents.most_common(5)}
    for topic in model.topics:
        words = {w.lower() for term in topic.label.split(", ") for w in term.split()}
        assert not words & common, (topic.label, common)
