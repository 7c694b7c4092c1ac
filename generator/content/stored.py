"""Parsed entries kept in the build cache between builds, keyed by each file's bytes.

A build in CI starts from a fresh checkout (every file's time stamps are new), so a file is
known again by the SHA-256 of its bytes and its path (diagnostics name the path), not by its
stat. What is kept is exactly what parsing gave: the checked entries (values, field lines,
``ok``) and the file's own diagnostics, so a hit and a parse are indistinguishable. The record
is one signed JSON value (generator/cache.py): a forged or damaged one is a miss.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from generator.cache import DiskCache, code_version, content_key
from generator.content.fields import CheckedEntry
from generator.diagnostics import Diagnostic, Level

KIND = "entries"
Parsed = tuple[list[CheckedEntry], tuple[Diagnostic, ...]]


class StoredEntries:
    """The parsed entries of the last build, by path; ``save`` keeps this build's."""

    def __init__(self, cache: DiskCache, max_bytes: int) -> None:
        import yaml

        from generator import yaml_source
        from generator.content import fields, loader

        self._cache = cache
        self._key = content_key(code_version(loader, fields, yaml_source), yaml.__version__,
                                str(max_bytes))
        stored = cache.load(KIND, self._key)
        self._old: Mapping[str, Any] = stored if isinstance(stored, dict) else {}
        self._new: dict[str, Any] = {}

    @staticmethod
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def lookup(self, rel: str, digest: str) -> Parsed | None:
        """The file's entries and diagnostics as parsing gave them, if its bytes are known."""
        stored = self._old.get(rel)
        if not isinstance(stored, list) or len(stored) != 3 or stored[0] != digest:
            return None
        try:
            parsed = ([_entry(item) for item in stored[1]],
                      tuple(_diagnostic(item) for item in stored[2]))
        except (TypeError, ValueError, KeyError, IndexError):
            return None
        self._new[rel] = stored
        return parsed

    def remember(self, rel: str, digest: str, parsed: Parsed) -> None:
        entries, diagnostics = parsed
        try:
            self._new[rel] = [digest, [_entry_json(e) for e in entries],
                              [_diagnostic_json(d) for d in diagnostics]]
        except TypeError:  # a value this codec does not know: parse the file again next time
            self._new.pop(rel, None)

    def save(self) -> None:
        if self._new != self._old:
            self._cache.store(KIND, self._key, self._new)


# -- the JSON shape: tagged where JSON has no type of its own ------------------------------


def _value_json(value: object) -> object:
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, tuple):
        return {"t": [_value_json(item) for item in value]}
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    raise TypeError(type(value).__name__)


def _value(data: object) -> object:
    if data is None or isinstance(data, str | bool | int):
        return data
    if isinstance(data, dict) and len(data) == 1:
        (tag, inner), = data.items()
        if tag == "t" and isinstance(inner, list):
            if all(type(item) is str for item in inner):  # authors, tags: the common case
                return tuple(inner)
            return tuple(_value(item) for item in inner)
        if tag == "dt" and isinstance(inner, str):
            return dt.datetime.fromisoformat(inner)
        if tag == "d" and isinstance(inner, str):
            return dt.date.fromisoformat(inner)
    raise TypeError(data)


def _entry_json(entry: CheckedEntry) -> list[object]:
    return [entry.path, entry.line, {k: _value_json(v) for k, v in entry.values.items()},
            dict(entry.lines), entry.ok]


def _entry(data: list[Any]) -> CheckedEntry:
    path, line, values, lines, ok = data
    if not (isinstance(path, str) and isinstance(line, int) and isinstance(values, dict)
            and isinstance(lines, dict) and isinstance(ok, bool)
            and all(isinstance(n, int) for n in lines.values())):
        raise TypeError(data)
    return CheckedEntry(path, line, {k: v if type(v) is str else _value(v)
                                     for k, v in values.items()}, dict(lines), ok)


def _diagnostic_json(d: Diagnostic) -> list[object]:
    return [d.path, d.line, d.column, d.level.value, d.field, d.message, d.hint]


def _diagnostic(data: list[Any]) -> Diagnostic:
    path, line, column, level, field, message, hint = data
    if not all(isinstance(x, str) for x in (path, field, message, hint)) or not all(
            isinstance(x, int) for x in (line, column)):
        raise TypeError(data)
    return Diagnostic(path, line, column, Level(level), field, message, hint)
