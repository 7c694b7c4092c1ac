"""Entries kept in the build cache: a build that finds a file's bytes unchanged takes its parsed
entries from the cache, and what it gets is exactly what parsing gives, problems included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cache import DiskCache
from generator.content import load_content
from generator.content.stored import KIND
from tests.conftest import REPO

INVALID = REPO / "tests" / "sites" / "invalid"
SECRET = b"s" * 32


def _load(site: Path, cache: DiskCache | None, limit: int = 1_000_000):
    return load_content(site, include_drafts=True, max_entry_bytes=limit, disk_cache=cache)


def _copy(site: Path, tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(site / "content", target / "content")
    return target


@pytest.mark.parametrize("case", [REPO, *sorted(p for p in INVALID.iterdir() if p.is_dir())],
                         ids=lambda p: p.name)
def test_a_load_from_the_cache_equals_a_parse(case: Path, tmp_path: Path) -> None:
    site = _copy(case, tmp_path)
    cache = DiskCache(tmp_path / "cache", SECRET)
    parsed = _load(site, None)
    first = _load(site, cache)  # parses and stores
    assert cache.load(KIND, next(iter(_keys(tmp_path)))) is not None
    again = _load(site, cache)  # from the cache
    assert first == parsed
    assert again == parsed


def _keys(tmp_path: Path) -> list[str]:
    return [p.name.removeprefix(f"{KIND}-").removesuffix(".json")
            for p in (tmp_path / "cache").glob(f"{KIND}-*.json")]


def test_changed_added_and_removed_files_are_read_again(tmp_path: Path) -> None:
    site = _copy(REPO, tmp_path)
    cache = DiskCache(tmp_path / "cache", SECRET)
    _load(site, cache)
    entries = sorted((site / "content").rglob("*.md"))
    edited, removed = entries[0], entries[1]
    edited.write_text(edited.read_text().replace("title: ", "title: Edited ", 1))
    removed.unlink()
    (site / "content" / "new.md").write_text(
        "---\ntitle: A brand new paper\ndate: 2026-07-05\n---\nIts abstract.\n")
    assert _load(site, cache) == _load(site, None)
    titles = {p.title for p in _load(site, cache).papers}
    assert "A brand new paper" in titles and any(t.startswith("Edited ") for t in titles)


def test_a_forged_or_damaged_record_is_a_miss(tmp_path: Path) -> None:
    site = _copy(REPO, tmp_path)
    honest = DiskCache(tmp_path / "cache", SECRET)
    _load(site, honest)
    key = _keys(tmp_path)[0]
    record = honest.load(KIND, key)
    entries = next(iter(record.values()))[1]
    entries[0][2]["title"] = "<script>alert(1)</script>"
    DiskCache(tmp_path / "cache", b"x" * 32).store(KIND, key, record)  # signed by another key
    assert _load(site, honest) == _load(site, None)
    path = next((tmp_path / "cache").glob(f"{KIND}-*.json"))
    path.write_bytes(path.read_bytes()[:-40])  # damaged
    assert _load(site, honest) == _load(site, None)


def test_a_stored_value_of_the_wrong_type_is_a_miss(tmp_path: Path) -> None:
    site = _copy(REPO, tmp_path)
    cache = DiskCache(tmp_path / "cache", SECRET)
    _load(site, cache)
    key = _keys(tmp_path)[0]
    record = cache.load(KIND, key)
    for stored in record.values():
        stored[1][0][2]["date"] = {"d": "not a date"}
    cache.store(KIND, key, record)
    assert _load(site, cache) == _load(site, None)


def test_an_unchanged_file_is_not_parsed_again(tmp_path: Path) -> None:
    """The record is what the build uses: a (properly signed) change to it shows, which is how
    we know the file was not parsed again; the forged-record test shows a foreign one cannot."""
    site = _copy(REPO, tmp_path)
    cache = DiskCache(tmp_path / "cache", SECRET)
    _load(site, cache)
    key = _keys(tmp_path)[0]
    record = cache.load(KIND, key)
    for stored in record.values():
        stored[1][0][2]["title"] = "Taken from the cache"
    cache.store(KIND, key, record)
    assert {p.title for p in _load(site, cache).papers} == {"Taken from the cache"}
