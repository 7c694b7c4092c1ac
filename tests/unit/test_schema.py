"""entry_json_schema: derived from the field specs, and agreeing with the loader."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from generator.content import entry_json_schema
from generator.content.fields import FIELDS, validate_entry
from generator.diagnostics import Diagnostics
from generator.yaml_source import parse_yaml

VALID = {
    "title": "Attention Is All You Need",
    "abstract": "We propose the Transformer.",
    "date": "2024-03-12",
    "authors": ["Ashish Vaswani", "Noam Shazeer"],
    "arxiv": "1706.03762v7",
    "doi": "https://doi.org/10.48550/arXiv.1706.03762",
    "url": "https://arxiv.org/abs/1706.03762",
    "pdf": "https://arxiv.org/pdf/1706.03762",
    "code": "https://github.com/tensorflow/tensor2tensor",
    "project": "http://example.org/",
    "thumbnail": "https://example.org/t.png?x=1#y",
    "tags": ["nlp", "Transformers"],
    "upvotes": 0,
    "submitted_by": "Ada",
    "draft": False,
}

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def schema_errors(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """The subset of JSON Schema that entry_json_schema uses, checked structurally."""
    kind = schema.get("type")
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = kind is None or isinstance(value, _TYPES[kind])
    if not ok:
        return [f"{where}: not {kind}"]
    errors = []
    if "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{where}: does not match {schema['pattern']}")
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{where}: below {schema['minimum']}")
    if kind == "array":
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{where}[{index}]")
    if kind == "object":
        errors += [f"{name}: required" for name in schema["required"] if name not in value]
        for name, item in value.items():
            if name in schema["properties"]:
                errors += schema_errors(item, schema["properties"][name], name)
            elif schema["additionalProperties"] is False:
                errors.append(f"{name}: not allowed")
    return errors


def loader_accepts(entry: dict[str, Any]) -> bool:
    """Whether the real validator accepts the entry, fed through YAML with strings quoted."""
    text = yaml.safe_dump(entry, default_style='"')
    tree = parse_yaml(text)
    assert tree is not None
    diagnostics = Diagnostics()
    return validate_entry(tree, "x.yaml", diagnostics).ok and not diagnostics.has_errors


def test_schema_describes_every_field_spec() -> None:
    schema = entry_json_schema()

    assert list(schema["properties"]) == [spec.name for spec in FIELDS]
    assert schema["required"] == ["title", "abstract", "date"]
    assert all(prop["description"] for prop in schema["properties"].values())


def test_schema_is_strict_draft_2020_12_json() -> None:
    schema = entry_json_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert json.loads(json.dumps(schema)) == schema


def test_schema_patterns_avoid_python_only_regex_syntax() -> None:
    patterns = json.dumps(entry_json_schema())
    for python_only in ("(?P<", "\\A", "\\Z", "(?i", "(?#"):
        assert python_only not in patterns


def test_valid_entry_passes_schema_and_loader() -> None:
    assert schema_errors(VALID, entry_json_schema()) == []
    assert loader_accepts(VALID)


@pytest.mark.parametrize(("change", "error"), [
    ({"title": None}, "title: required"),
    ({"autors": ["x"]}, "autors: not allowed"),
    ({"url": "javascript:alert(1)"}, "url: does not match"),
    ({"thumbnail": "/relative.png"}, "thumbnail: does not match"),
    ({"upvotes": -1}, "upvotes: below 0"),
    ({"upvotes": True}, "upvotes: not integer"),
    ({"authors": "Ada Lovelace"}, "authors: not array"),
    ({"authors": [" "]}, "authors[0]: does not match"),
    ({"date": "12/03/2024"}, "date: does not match"),
    ({"arxiv": "2302.6675"}, "arxiv: does not match"),
    ({"doi": "doi.org/10.1/x"}, "doi: does not match"),
    ({"draft": "yes"}, "draft: not boolean"),
    ({"tags": "nlp"}, "tags: not array"),
])
def test_invalid_entry_fails_schema_and_loader(change: dict[str, Any], error: str) -> None:
    entry = {**VALID, **change}
    entry = {key: value for key, value in entry.items() if value is not None}

    assert any(message.startswith(error) for message in schema_errors(entry, entry_json_schema()))
    assert not loader_accepts(entry)


@pytest.mark.parametrize(("name", "value"), [
    ("arxiv", "2302.06675"), ("arxiv", "0704.0001"), ("arxiv", "hep-th/9901001v2"),
    ("arxiv", "math.GT/0309136"), ("arxiv", "1501.0001"), ("arxiv", "1412.00001"),
    ("arxiv", "2313.12345"), ("arxiv", "2302.06675v0"), ("arxiv", "HEP-TH/9901001"),
    ("doi", "10.1234/abc"), ("doi", "http://dx.doi.org/10.1234/abc"), ("doi", "doi:10.1/x"),
    ("doi", "10.1234/a b"), ("url", "https://x.org"), ("url", "http://x.org/a?b#c"),
    ("url", "https://"), ("url", "https://x .org"), ("url", "HTTPS://x.org"),
    ("url", "data:text/html,hi"), ("date", "2024-03-12"), ("date", "2024-3-12"),
])
def test_schema_pattern_agrees_with_loader(name: str, value: str) -> None:
    entry = {**VALID, name: value}

    assert (schema_errors(entry, entry_json_schema()) == []) == loader_accepts(entry)
