"""Entries: find, read and validate the files under ``content/`` into ``Paper`` values, with a
``path:line`` diagnostic for every mistake. Reads files; renders nothing.

``delta`` re-reads only the files a live preview saw change, with the same result as a full
load."""

from generator.content.fields import ARXIV_ID, ARXIV_ID_PATTERN, CheckedEntry
from generator.content.loader import (
    EntryCache,
    EntryFile,
    Scan,
    identity_keys,
    load_content,
    load_scan,
    parse_entries,
)
from generator.content.schema import entry_json_schema

__all__ = [
    "ARXIV_ID",
    "ARXIV_ID_PATTERN",
    "CheckedEntry",
    "EntryCache",
    "EntryFile",
    "Scan",
    "entry_json_schema",
    "identity_keys",
    "load_content",
    "load_scan",
    "parse_entries",
]
