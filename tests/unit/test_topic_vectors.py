"""topics.vectors.tfidf_matrix builds the same TF-IDF as scikit-learn's TfidfVectorizer."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from generator.topics.vectors import tfidf_matrix

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "arxiv-sample.jsonl.gz"


def sample_texts(n: int) -> list[str]:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle][:n]
    return [f"{r['title']}. {r['abstract']}" for r in records]


@pytest.mark.parametrize(("n", "min_df", "max_df"), [(400, 2, 0.5), (12, 1, 1.0)])
def test_matches_scikit_learn(n: int, min_df: int, max_df: float) -> None:
    texts = [*sample_texts(n), "Café naïve résumé — the of and"]
    matrix, terms = tfidf_matrix(texts, min_df=min_df, max_df=max_df, max_features=10**9,
                                 stop_words=ENGLISH_STOP_WORDS)
    reference = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, stop_words="english", strip_accents="ascii",
        min_df=min_df, max_df=max_df,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]\b")
    expected = reference.fit_transform(texts)
    order = np.argsort(terms)
    assert list(terms[order]) == list(reference.get_feature_names_out())
    assert abs(matrix[:, order] - expected).max() < 1e-6


def test_max_features_keeps_the_most_frequent_terms() -> None:
    texts = sample_texts(300)
    full, all_terms = tfidf_matrix(texts, min_df=2, max_df=0.5, max_features=10**9,
                                   stop_words=ENGLISH_STOP_WORDS)
    small, terms = tfidf_matrix(texts, min_df=2, max_df=0.5, max_features=50,
                                stop_words=ENGLISH_STOP_WORDS)
    assert small.shape == (300, 50)
    df = dict(zip(all_terms, np.diff(full.tocsc().indptr), strict=True))
    assert min(df[t] for t in terms) >= max(df[t] for t in set(all_terms) - set(terms))


def test_no_terms_left_gives_none() -> None:
    assert tfidf_matrix(["the of", "and the"], min_df=1, max_df=1.0, max_features=10,
                        stop_words=ENGLISH_STOP_WORDS) is None


def test_no_bigram_spans_a_segment_boundary() -> None:
    """Title and abstract are separate parts: "sale sale" from a repeated "For sale" is no term,
    and the words on both sides still count."""
    from generator.topics.vectors import SEGMENT

    texts = [f"For sale{SEGMENT}For sale{SEGMENT}Cheap bikes", f"Bikes{SEGMENT}Sale of bikes"]
    matrix, terms = tfidf_matrix(texts, min_df=1, max_df=1.0, max_features=100,
                                 stop_words=ENGLISH_STOP_WORDS)
    assert "sale sale" not in terms and "sale cheap" not in terms and "bikes sale" not in terms
    assert {"sale", "cheap bikes", "bikes"} <= set(terms) and SEGMENT not in terms
    assert matrix.shape == (2, len(terms))
