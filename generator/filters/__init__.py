"""The filter index: which papers have a word, an author, a topic or a tag, in files small
enough that a filter on a 40,000-paper archive fetches a few of them, not the archive."""

from generator.filters.index import (
    FILTER_DIR,
    author_keys,
    bucket_of,
    filter_keys,
    render_filter_index,
    word_keys,
)

__all__ = ["FILTER_DIR", "author_keys", "bucket_of", "filter_keys", "render_filter_index",
           "word_keys"]
