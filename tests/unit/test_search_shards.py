"""Sharded indexing with the real Pagefind: a shard indexed in place through a glob naming its
pages is byte for byte the bundle of a folder holding only those pages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.config import load_config
from generator.pipeline import build_site
from generator.search.pagefind import BUNDLE_DIR, PAGES_GLOB, index_site, run_pagefind, shard_glob
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
    index_site(site, "en", shard_pages=SHARD_PAGES)
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob(PAGES_GLOB))
    shards = [pages[i:i + SHARD_PAGES] for i in range(0, len(pages), SHARD_PAGES)]
    assert len(shards) >= 3
    for number, shard in enumerate(shards):
        alone = tmp_path / f"alone-{number}"
        for page in shard:
            (alone / page).parent.mkdir(parents=True)
            os.link(site / page, alone / page)
        run_pagefind(alone, tmp_path / f"bundle-{number}", "en", None)
        made = site / BUNDLE_DIR / ("" if number == 0 else f"shards/{number}")
        expected = tree(tmp_path / f"bundle-{number}")
        assert {k: v for k, v in tree(made).items() if not k.startswith("shards")} == expected
    assert not list(site.glob(".search-shard*"))  # nothing left behind


def test_shard_glob_names_plain_slugs_and_declines_the_rest() -> None:
    assert shard_glob(["papers/1706.03762/index.html", "papers/a-b_c/index.html"]) == \
        "papers/{1706.03762,a-b_c}/index.html"
    assert shard_glob(["papers/a{b/index.html"]) is None  # indexed from hard links instead
    assert shard_glob([f"papers/{'x' * 200}-{n}/index.html" for n in range(1000)]) is None
