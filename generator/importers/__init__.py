"""Importers: turn outside listings (page dumps, JSON Lines) into entry files under content/.

They only write new files; building the site from those files is the loader's job.
"""

from generator.importers.entry_writer import Entry, ImportReport, render_entry, write_entries
from generator.importers.jsonl import import_jsonl
from generator.importers.text_dump import TextPaper, import_text_dump, parse_text_dump

__all__ = [
    "Entry",
    "ImportReport",
    "TextPaper",
    "import_jsonl",
    "import_text_dump",
    "parse_text_dump",
    "render_entry",
    "write_entries",
]
