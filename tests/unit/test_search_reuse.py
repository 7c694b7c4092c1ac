"""The search index is reused shard by shard with the real Pagefind: a build re-indexes only the
shards whose search records changed, and its output is byte for byte a build from scratch of
the same content, whatever the cache holds (forged or damaged entries are misses)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.cache import open_build_cache
from generator.config import load_config
from generator.pipeline import BuildResult, build_site
from generator.search import BUNDLE_DIR, index_site
from generator.search import shards as search_shards
from tests.conftest import write_files

pytestmark = pytest.mark.slow

SITE_YAML = """\
title: Shards
description: A site whose search index is split into small shards.
base_url: https://example.github.io/digest/
language: en
topics:
  enabled: false
"""
WORDS = ["lattice", "quasar", "meadow", "tundra", "harbor", "glacier", "canyon", "prairie",
         "lagoon", "savanna"]


def entry(day: int, word: str, *, extra: str = "") -> str:
    return (f"---\ntitle: \"Paper on {word}\"\ndate: 2024-01-{day:02d}\n"
            f"authors: [Ada Example, Bo Sample]\ntags: [t{day % 3}]\n{extra}---\n"
            f"We study the {word} problem and show that {word} methods scale.\n")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shards of 5 records, tails of 2: eight papers make shards of 5, 2 and 1."""
    monkeypatch.setattr(search_shards, "SHARD_PAGES", 5)
    monkeypatch.setattr(search_shards, "TAIL_PAGES", 2)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write_files(root, {"site.yaml": SITE_YAML,
                       **{f"content/p{day}.md": entry(day, WORDS[day - 1])
                          for day in range(1, 9)}})
    return root


def build(root: Path, cache: bool = True) -> BuildResult:
    result = build_site(root, load_config(root), cache=cache)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result


def from_scratch(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The output of a build of the same content without any cache."""
    fresh = tmp_path / "scratch"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns("output"))
    build(fresh, cache=False)
    return tree(fresh / "output")


def counts(result: BuildResult) -> tuple[int, int]:
    return (result.counts["search records re-indexed"], result.counts["search shards reused"])


def test_shard_sizes_keep_old_shards_when_papers_are_added() -> None:
    assert search_shards.shard_sizes(10_000) == [5000, 5000]
    assert search_shards.shard_sizes(10_050) == [5000, 5000, 50]
    assert search_shards.shard_sizes(14_999) == [5000, 5000, 1000, 1000, 1000, 1000, 999]
    assert search_shards.shard_sizes(0) == []
    for count in range(1, 40):  # one more record changes only the last shard, or completes
        before, after = (search_shards.shard_sizes(count, 8, 3),  # a full one from the tails
                         search_shards.shard_sizes(count + 1, 8, 3))
        full = [8] * (count // 8)
        if (count + 1) % 8:
            assert after[:len(before) - 1] == before[:-1]
        else:
            assert after == [*full, 8] and before[:len(full)] == full
        assert sum(after) == count + 1 and len(after) <= (count + 1) // 8 + 3


def test_a_new_newest_paper_reindexes_only_the_last_shard(site: Path, tmp_path: Path,
                                                          small_shards: None) -> None:
    assert counts(build(site)) == (8, 0)
    write_files(site, {"content/p9.md": entry(9, WORDS[8])})
    result = build(site)
    assert counts(result) == (2, 2)  # shards of 5, 2 and 2: only the last one is new
    built = tree(site / "output")
    assert built == from_scratch(site, tmp_path)
    manifest = (site / "output" / BUNDLE_DIR / "shards.json").read_text()
    assert manifest == '["shards/1/", "shards/2/"]\n'


def test_a_changed_abstract_of_an_old_paper_dirties_only_its_shard(
        site: Path, tmp_path: Path, small_shards: None) -> None:
    build(site)
    (site / "content/p2.md").write_text(entry(2, "zeppelin"), encoding="utf-8")
    result = build(site)
    assert counts(result) == (5, 2)  # the oldest shard (papers 1 to 5) only
    assert tree(site / "output") == from_scratch(site, tmp_path)
    assert counts(build(site)) == (0, 3)  # nothing changed: everything reused


def test_forged_or_damaged_cache_entries_are_misses_with_the_same_output(
        site: Path, tmp_path: Path, small_shards: None) -> None:
    build(site)
    expected = tree(site / "output")
    cache, _ = open_build_cache(site)
    assert cache.folder is not None
    blobs = sorted((cache.folder / "blobs" / search_shards.BLOB_SPACE).glob("??/*"))
    assert len(blobs) == 3
    blobs[0].write_bytes(blobs[0].read_bytes()[:-1] + b"x")  # damaged blob: its shard misses
    result = build(site)
    assert counts(result)[1] == 2
    assert tree(site / "output") == expected

    record = next(cache.folder.glob(f"{search_shards.CACHE_KIND}-*.json"))
    signature, _, body = record.read_bytes().partition(b"\n")
    record.write_bytes(signature + b"\n" + body.replace(b'"files"', b'"files" ', 1))  # forged
    assert counts(build(site)) == (8, 0)
    assert tree(site / "output") == expected


def test_records_index_like_the_paper_pages(tmp_path: Path) -> None:
    """The default theme's search records give Pagefind what the paper pages do: the same
    fragment (URL, text, word count, meta) per paper, byte for byte, and the same page count.
    (The index files also follow the order Pagefind finds files in, which depends on the
    folder's file system, so they are not compared.)"""
    root = tmp_path / "site"
    write_files(root, {
        "site.yaml": SITE_YAML.replace("topics:\n  enabled: false\n", ""),
        **{f"content/p{day}.md": entry(day, WORDS[day - 1]) for day in range(1, 9)},
        "content/p9.md": entry(9, "estuary", extra="comment: \"12 pages, 3 figures\"\n"
                               "journal_ref: \"J. Examples 4 (2024) 1-12\"\n"),
        "content/p10.md": "---\ntitle: \"No authors, *no* tags\"\ndate: 2024-01-10\n---\n"
                          "A paper with $x^2$ math and a [link](https://example.org).\n",
    })
    build(root)
    pages = tmp_path / "pages"
    shutil.copytree(root / "output", pages, ignore=shutil.ignore_patterns(BUNDLE_DIR))
    index_site(pages, "en")
    indexed = [tree(bundle / "fragment") for bundle in (pages / BUNDLE_DIR,
                                                         root / "output" / BUNDLE_DIR)]
    assert indexed[0] == indexed[1] and len(indexed[0]) == 10
    entries = [json.loads((bundle / "pagefind-entry.json").read_bytes())["languages"]["en"]
               for bundle in (pages / BUNDLE_DIR, root / "output" / BUNDLE_DIR)]
    assert entries[0]["page_count"] == entries[1]["page_count"] == 10


@pytest.mark.skipif(not search_shards.MEMORY_FOLDER.is_dir(), reason="no tmpfs to compare with")
def test_bundles_of_records_listed_by_another_file_system_are_not_reused(
        site: Path, tmp_path: Path, small_shards: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pagefind's index files follow the order the records' folder lists them in, so a bundle
    made from records in memory is not taken for one made from records on a disk."""
    assert counts(build(site)) == (8, 0)
    monkeypatch.setattr(search_shards, "MEMORY_FOLDER", tmp_path / "no-memory-folder")
    assert counts(build(site)) == (8, 0)
    assert counts(build(site)) == (0, 3)
    assert tree(site / "output") == from_scratch(site, tmp_path)



def test_records_are_held_one_shard_at_a_time(site: Path, monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    """Each shard's records are rendered when it is indexed and dropped after: while Pagefind
    indexes a shard, only that shard's records exist (a 100k site's records were some 300 MB
    beside the build when they were all made first)."""
    import gc

    from generator.pipeline import NO_TOPICS, load_entries, load_theme
    from generator.search import SearchRecord, index_papers
    from generator.search import pagefind as pagefind_module
    from generator.site import plan_site

    monkeypatch.setattr(search_shards, "SHARD_PAGES", 2)
    monkeypatch.setattr(search_shards, "TAIL_PAGES", 2)
    alive: list[int] = []
    run = pagefind_module.run_pagefind

    def counting_run(*args: object, **kwargs: object) -> None:
        gc.collect()
        alive.append(sum(isinstance(o, SearchRecord) for o in gc.get_objects()))
        run(*args, **kwargs)

    monkeypatch.setattr(pagefind_module, "run_pagefind", counting_run)
    config = load_config(site)
    papers = load_entries(site, config).papers
    model = plan_site(config, papers, NO_TOPICS)
    env = load_theme(site, config, model.urls).env
    folder = tmp_path / "indexed"
    folder.mkdir()
    stats = index_papers(folder, env, [(p, model.cards[p.slug]) for p in papers], "en", jobs=1)
    assert (stats.records, stats.shards) == (8, 4)
    assert (folder / BUNDLE_DIR / "pagefind.js").is_file()
    assert alive == [2, 2, 2, 2]
