"""JSON Schema (draft 2020-12) of one entry, built from the field specs in fields.py.

Editors can use it for completion; the loader never reads it, so it only has to describe,
not enforce, rules that JSON Schema cannot say (tag slugs, duplicate papers, lost digits).
"""

from __future__ import annotations

from typing import Any

from generator.content.fields import FIELDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def entry_json_schema() -> dict[str, Any]:
    """The schema of one paper entry (a YAML file, a list item, or Markdown front matter)."""
    properties = {
        spec.name: {**spec.schema, "description": spec.description} for spec in FIELDS
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "Paperboy entry",
        "description": "One paper. In a Markdown entry the abstract is the text below the "
                       "front matter; a YAML list file holds entries under 'papers:'.",
        "type": "object",
        "properties": properties,
        "required": [spec.name for spec in FIELDS if spec.required],
        "additionalProperties": False,
    }
