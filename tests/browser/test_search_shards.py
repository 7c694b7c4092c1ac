"""A site indexed in several Pagefind shards (as large sites are) is searched as one: the theme's
script merges the bundles that pagefind/shards.json lists. The build shards its search records
oldest first; here every shard holds one paper."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import pytest

from generator.config import load_config
from generator.pipeline import build_site
from generator.search import shards as search_shards
from generator.search.pagefind import BUNDLE_DIR, PAGES_GLOB
from generator.serve.static_server import make_server, serve_in_thread
from tests.browser.conftest import BASE_PATH, KNOWN_PAPER, SEARCH_WORD, ServedSite, open_page
from tests.conftest import SITES, copy_site

SHARD_PAGES = 1  # the known paper is not the oldest, so it lands outside the main bundle


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    root = copy_site(SITES / "full", tmp_path_factory.mktemp("sharded") / "full")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_shards, "SHARD_PAGES", SHARD_PAGES)
        patch.setattr(search_shards, "TAIL_PAGES", SHARD_PAGES)
        assert build_site(root, load_config(root)).ok
    server = make_server(root / "output", BASE_PATH, "127.0.0.1", 0)
    serve_in_thread(server)
    try:
        yield ServedSite("default", root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


def test_shards_together_index_every_paper_page_once(sharded_site: ServedSite) -> None:
    output = sharded_site.root / "output"
    bundle = output / BUNDLE_DIR
    shards = json.loads((bundle / "shards.json").read_text())
    pages = sorted(output.glob(PAGES_GLOB))
    assert len(shards) == -(-len(pages) // SHARD_PAGES) - 1 >= 2
    counts = [json.loads((folder / "pagefind-entry.json").read_text())["languages"]["en"]
              ["page_count"] for folder in (bundle, *(bundle / s for s in shards))]
    assert counts[:-1] == [SHARD_PAGES] * (len(counts) - 1)
    assert sum(counts) == len(pages)


def test_search_finds_a_paper_indexed_outside_the_main_shard(sharded_site: ServedSite,
                                                              context) -> None:
    main_bundle = sharded_site.root / "output" / BUNDLE_DIR / "fragment"
    assert not any(KNOWN_PAPER.encode() in gzip.decompress(f.read_bytes())
                   for f in main_bundle.iterdir())  # found through a merged shard
    page, recorder = open_page(context, sharded_site.url(f"search/?q={SEARCH_WORD}"))
    hit = page.locator(f"#search-page-results a[href$='{KNOWN_PAPER}']")
    hit.wait_for(state="visible")
    assert "Attention Is All You Need" in hit.inner_text()
    assert recorder.problems == []
