"""Static full-text search: Pagefind run over the written pages, in shards for large sites."""

from generator.search.pagefind import BUNDLE_DIR, index_site

__all__ = ["BUNDLE_DIR", "index_site"]
