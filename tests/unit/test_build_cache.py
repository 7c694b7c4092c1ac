"""The build cache is a shortcut only: warm, cold and uncached builds write the same bytes, and
a changed entry, a damaged cache file or one planted by a pull request is a miss, never a
stale, failed or hijacked build."""

from __future__ import annotations

import dataclasses
import multiprocessing
import shutil
import time
from pathlib import Path

import pytest

from generator.cache import DiskCache, site_cache_folder
from generator.config import load_config
from generator.content import load_content
from generator.markup import abstracts as markup
from generator.markup.warm import calls_for, compute_calls, markup_version, start_markup
from generator.pipeline import build_site
from generator.topics import cached_topics, fit_fingerprint
from tests.conftest import REPO


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


SECRET = b"k" * 32


def _cache_files(site: Path) -> list[Path]:
    folder = site_cache_folder(site)
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


def _sample_site(tmp_path: Path, name: str) -> Path:
    site = tmp_path / name
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    return site


@pytest.mark.slow
def test_build_cache_cold_warm_and_uncached_builds_are_byte_identical(tmp_path: Path) -> None:
    site = _sample_site(tmp_path, "cached")
    config = load_config(site, {})
    assert build_site(site, config).ok
    cold = _tree(site / "output")
    assert {"entries", "markup", "search", "topics"} <= {p.name.split("-")[0]
                                                          for p in _cache_files(site)}
    assert not any(p.name.startswith(".paperboy") for p in site.iterdir())  # nothing in the site
    assert build_site(site, config).ok
    assert _tree(site / "output") == cold
    plain = _sample_site(tmp_path, "plain")
    assert build_site(plain, load_config(plain, {}), cache=False, jobs=1).ok
    assert _cache_files(plain) == []
    assert _tree(plain / "output") == cold


@pytest.mark.slow
def test_build_cache_changed_entry_shows_on_rebuild(tmp_path: Path) -> None:
    site = _sample_site(tmp_path, "site")
    config = load_config(site, {})
    assert build_site(site, config).ok
    entry = sorted((site / "content").rglob("*.md"))[0]
    entry.write_text(entry.read_text() + "\nA sentence *added* by the test.\n")
    assert build_site(site, config).ok
    slug = next(p for p in load_content(site).papers if p.source.path.endswith(entry.name)).slug
    page = (site / "output" / "papers" / slug / "index.html").read_text()
    assert "A sentence <em>added</em> by the test." in page


@pytest.mark.slow
def test_build_cache_damaged_file_is_a_miss(tmp_path: Path) -> None:
    site = _sample_site(tmp_path, "site")
    config = load_config(site, {})
    assert build_site(site, config).ok
    first = _tree(site / "output")
    for cached in _cache_files(site):
        cached.write_bytes(b"not json")
    for blob in (site_cache_folder(site) / "blobs").rglob("*"):  # the search shards' bundles
        if blob.is_file():
            blob.write_bytes(blob.read_bytes() + b"x")
    shutil.rmtree(site / "output")
    assert build_site(site, config).ok
    assert _tree(site / "output") == first


@pytest.mark.slow
def test_topic_cache_hit_skips_the_fit_and_a_changed_abstract_refits(tmp_path: Path) -> None:
    config = load_config(REPO, {})
    papers = load_content(REPO).papers
    cache = DiskCache(tmp_path, SECRET)
    fits = []

    def fit(model_papers):
        from generator.topics import cluster_topics

        fits.append(len(model_papers))
        return cluster_topics(model_papers, seed=config.topics.seed)

    fingerprint = fit_fingerprint(config.topics, b"")
    first = cached_topics(papers, fingerprint, cache, lambda: fit(papers))
    again = cached_topics(papers, fingerprint, cache, lambda: fit(papers))
    assert len(fits) == 1 and again == first
    changed = (dataclasses.replace(papers[0], abstract=papers[0].abstract + " More."),
               *papers[1:])
    cached_topics(changed, fingerprint, cache, lambda: fit(changed))
    assert len(fits) == 2
    renamed = dataclasses.replace(config.topics, renames={"some-topic": "Another label"})
    cached_topics(changed, fit_fingerprint(renamed, b""), cache, lambda: fit(changed))
    cached_topics(changed, fingerprint, cache, lambda: fit(changed))
    assert len(fits) == 4  # renames and the lock are part of what a fit is cached by


def test_markup_cache_worker_results_equal_in_process_results() -> None:
    papers = load_content(REPO).papers
    calls = calls_for(papers)
    assert len(calls) > 20
    forked = compute_calls(calls, jobs=2, min_per_worker=1)
    functions = {"render_abstract": markup.render_abstract, "render_title": markup.render_title,
                 "plain_text": markup.plain_text}
    assert forked == {(name, source): functions[name](source) for name, source in calls}


@pytest.mark.forks
def test_markup_started_early_gives_in_process_results_and_caches_them(tmp_path: Path) -> None:
    papers = load_content(REPO).papers
    calls = calls_for(papers)
    cache = DiskCache(tmp_path / "c", SECRET)
    before = set(multiprocessing.active_children())  # other tests' processes, if any
    pending = start_markup(papers, cache, jobs=2, min_per_worker=1)
    workers = set(multiprocessing.active_children()) - before
    assert workers  # working while the caller goes on
    assert pending.finish() == len(calls)
    assert all(worker.exitcode is not None for worker in workers)
    functions = {"render_abstract": markup.render_abstract, "render_title": markup.render_title,
                 "plain_text": markup.plain_text}
    stored = cache.load("markup", markup_version())
    assert len(stored) == len(calls)
    assert sorted(stored.values()) == sorted(functions[n](s) for n, s in calls)
    assert start_markup(papers, cache, jobs=2, min_per_worker=1).finish() == 0  # all cached


@pytest.mark.forks
def test_markup_workers_stop_when_the_work_beside_them_fails(tmp_path: Path) -> None:
    papers = load_content(REPO).papers
    before = set(multiprocessing.active_children())  # other tests' processes, if any
    pending = start_markup(papers, DiskCache(tmp_path / "c", SECRET), jobs=2, min_per_worker=1)
    workers = set(multiprocessing.active_children()) - before
    assert workers
    with pytest.raises(ValueError, match="topics failed"), pending.cancelled_on_error():
        raise ValueError("topics failed")
    deadline = time.monotonic() + 30
    while any(worker.is_alive() for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(worker.is_alive() for worker in workers)


def test_build_cache_keeps_only_the_newest_entry_of_a_kind(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c", SECRET)
    cache.store("markup", "k1", {"a": 1})
    cache.store("markup", "k2", {"b": 2})
    assert [p.name for p in (tmp_path / "c").iterdir()] == ["markup-k2.json"]
    assert cache.load("markup", "k2") == {"b": 2} and cache.load("markup", "k1") is None


def test_blobs_come_back_only_when_their_bytes_match_their_digest(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "cache", SECRET)
    digest = cache.store_blob("pages", b"<p>kept</p>")
    assert cache.load_blob("pages", digest) == b"<p>kept</p>"
    assert cache.load_blob("other", digest) is None  # spaces do not share blobs
    path = tmp_path / "cache" / "blobs" / "pages" / digest[:2] / digest[2:]
    path.write_bytes(b"<script>planted</script>")  # damaged or planted: a miss
    assert cache.load_blob("pages", digest) is None
    assert cache.load_blob("pages", "../" * 10 + "etc") is None  # not a digest: a miss
    assert DiskCache(None).load_blob("pages", digest) is None


def test_pruning_blobs_keeps_only_those_still_named(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "cache", SECRET)
    old, kept = cache.store_blob("pages", b"old"), cache.store_blob("pages", b"kept")
    elsewhere = cache.store_blob("search", b"old")
    cache.prune_blobs("pages", {kept})
    assert cache.load_blob("pages", kept) == b"kept"
    assert cache.load_blob("pages", old) is None
    assert cache.load_blob("search", elsewhere) == b"old"
