"""The stop-word list kept in the package is scikit-learn's, word for word: topics and the
filter index leave out the same words whether or not scikit-learn was imported."""

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as SCIKIT_LEARN

from generator.stop_words import ENGLISH_STOP_WORDS


def test_the_kept_stop_words_are_scikit_learns() -> None:
    assert frozenset(SCIKIT_LEARN) == ENGLISH_STOP_WORDS
