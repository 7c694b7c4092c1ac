"""Sharded indexing with the real Pagefind: a theme without search records has its paper pages
indexed as records, shard by shard, and each shard is byte for byte the bundle of a folder
holding only its pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.config import load_config
from generator.pipeline import build_site
from generator.search.pagefind import BUNDLE_DIR, PAGES_GLOB, run_pagefind
from generator.search.shards import index_records, scratch_folder
from tests.conftest import SITES, copy_site

SHARD_PAGES = 2


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_site(SITES / "full", tmp_path_factory.mktemp("shards") / "full")
    assert build_site(root, load_config(root)).ok
    return root / "output"


def test_each_shard_is_the_bundle_of_its_pages_alone(output: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(output, site, ignore=shutil.ignore_patterns(BUNDLE_DIR))
    stats = index_records(site, None, "en", shard_pages=SHARD_PAGES, tail_pages=SHARD_PAGES)
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob(PAGES_GLOB))
    shards = [pages[i:i + SHARD_PAGES] for i in range(0, len(pages), SHARD_PAGES)]
    assert len(shards) >= 3 and stats.shards == len(shards)
    for number, shard in enumerate(shards):
        # where the records are written, in the same order: Pagefind's index follows the
        # folder's listing (search/shards.py, listing_order)
        alone = scratch_folder(tmp_path)
        for page in shard:
            (alone / page).parent.mkdir(parents=True)
            (alone / page).write_bytes((site / page).read_bytes())
        run_pagefind(alone, tmp_path / f"bundle-{number}", "en", None)
        shutil.rmtree(alone)
        made = site / BUNDLE_DIR / ("" if number == 0 else f"shards/{number}")
        expected = tree(tmp_path / f"bundle-{number}")
        assert {k: v for k, v in tree(made).items() if not k.startswith("shards")} == expected
    assert not list(site.glob(".search-*"))  # nothing left behind
