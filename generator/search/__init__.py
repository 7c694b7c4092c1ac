"""Static full-text search: Pagefind run over search records (or the written pages), in shards
reused from the build cache while their records stay the same."""

from generator.search.pagefind import BUNDLE_DIR
from generator.search.records import SearchRecord, render_records
from generator.search.shards import (
    SearchStats,
    has_search_records,
    index_papers,
    index_records,
    index_site,
    records_for,
)

__all__ = ["BUNDLE_DIR", "SearchRecord", "SearchStats", "has_search_records", "index_papers",
           "index_records", "index_site", "records_for", "render_records"]
