"""Search indexed while the build goes on (generator/search_ahead.py), with the real Pagefind:
the bundle is byte for byte what indexing the written site gives, sharded or not; a stopped or
failed run leaves no staging folder, and a build whose index cannot be made keeps the previous
output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath

import pytest

from generator.build import build_site
from generator.config import load_config
from generator.diagnostics import UserError
from generator.render import OutputFile
from generator.search import BUNDLE_DIR, PAGES_GLOB, index_site
from generator.search_ahead import STAGING_PREFIX, SearchAhead, staging_for
from tests.conftest import SITES, copy_site


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_site(SITES / "full", tmp_path_factory.mktemp("ahead") / "full")
    result = build_site(root, load_config(root))
    assert result.ok, result.diagnostics
    return root / "output"


def rendered(output: Path) -> list[OutputFile]:
    """The site's files as the renderer hands them over (every page, not only papers)."""
    return [OutputFile(PurePosixPath(p.relative_to(output).as_posix()), p.read_bytes())
            for p in sorted(output.rglob("*.html")) if BUNDLE_DIR not in p.parts]


@pytest.mark.parametrize("shard_pages", [2, 1000])
def test_bundle_is_the_index_of_the_written_site(built: Path, tmp_path: Path,
                                                 shard_pages: int) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(built, reference, ignore=shutil.ignore_patterns(BUNDLE_DIR))
    index_site(reference, "en", shard_pages=shard_pages)

    search = SearchAhead(tmp_path / "out" / "output", "en", shard_pages=shard_pages)
    target = tmp_path / "new"
    target.mkdir()
    try:
        search.start(rendered(built))
        search.finish(target)
    finally:
        search.close()
    assert tree(target / BUNDLE_DIR) == tree(reference / BUNDLE_DIR)
    shards = json.loads((target / BUNDLE_DIR / "shards.json").read_text())
    papers = len(list(built.glob(PAGES_GLOB)))
    assert len(shards) == -(-papers // shard_pages) - 1
    assert list((tmp_path / "out").iterdir()) == []  # staging removed


def test_full_build_bundle_equals_indexing_the_output_afterwards(built: Path,
                                                                 tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(built, reference, ignore=shutil.ignore_patterns(BUNDLE_DIR))
    index_site(reference, "en")
    assert tree(built / BUNDLE_DIR) == tree(reference / BUNDLE_DIR)
    assert not list(built.parent.glob(f"{STAGING_PREFIX}*"))


def test_close_stops_indexing_and_leaves_nothing(built: Path, tmp_path: Path) -> None:
    search = SearchAhead(tmp_path / "output", "en", shard_pages=1)
    search.start(rendered(built))
    search.close()
    assert list(tmp_path.iterdir()) == []


def test_site_without_paper_pages_is_indexed_from_the_written_tree(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "about").mkdir(parents=True)
    (site / "about" / "index.html").write_text("<html><body><p>No papers</p></body></html>")
    search = SearchAhead(tmp_path / "output", "en")
    try:
        search.start([OutputFile(PurePosixPath("about/index.html"), b"")])
        search.finish(site)
    finally:
        search.close()
    entry = json.loads((site / BUNDLE_DIR / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 1
    assert json.loads((site / BUNDLE_DIR / "shards.json").read_text()) == []


def test_build_keeps_previous_output_when_the_index_cannot_be_made(tmp_path: Path) -> None:
    root = copy_site(SITES / "full", tmp_path / "full")
    config = load_config(root)
    assert build_site(root, config).ok
    before = tree(root / "output")
    staging = staging_for(root / "output")  # this process's: a file in its way
    staging.write_text("not a folder")
    try:
        with pytest.raises(UserError, match="search"):
            build_site(root, config)
    finally:
        staging.unlink()
    assert tree(root / "output") == before
    leftovers = {p.name for p in root.iterdir()} - {"content", "site.yaml", "topics.lock.yaml",
                                                     "output", ".paperboy-cache"}
    assert leftovers == set(), leftovers


def test_shard_glob_names_plain_slugs_and_declines_the_rest() -> None:
    from generator.search import shard_glob

    assert shard_glob(["papers/1706.03762/index.html", "papers/a-b_c/index.html"]) == \
        "papers/{1706.03762,a-b_c}/index.html"
    assert shard_glob(["papers/a{b/index.html"]) is None  # indexed from hard links instead
    assert shard_glob([f"papers/{'x' * 200}-{n}/index.html" for n in range(1000)]) is None
