"""The build cache is a shortcut only: warm, cold and uncached builds write the same bytes, and
a changed entry, a damaged cache file or one planted by a pull request is a miss, never a
stale, failed or hijacked build."""

from __future__ import annotations

import dataclasses
import json
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
    assert {"entries", "markup", "search", "topicbase", "topics"} <= {
        p.name.split("-")[0] for p in _cache_files(site)}
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
    for cached in site_cache_folder(site).rglob("*"):  # records and the blobs they name
        if cached.is_file() and cached.name != "secret.key":
            cached.write_bytes(b"not json")
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


def _add_day_of_papers(site: Path, count: int, *, next_month: bool = False) -> list[str]:
    """``count`` entries from the arXiv sample dated the day after the site's newest paper (or
    the first day of the month after it)."""
    import datetime as dt
    import gzip
    import json

    papers = load_content(site).papers
    day = max(p.date for p in papers) + dt.timedelta(days=1)
    if next_month:
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    with gzip.open(REPO / "tests" / "data" / "arxiv-sample.jsonl.gz", "rt",
                   encoding="utf-8") as handle:
        records = [json.loads(line) for _, line in zip(range(count), handle, strict=False)]
    folder = site / "content" / day.isoformat()
    folder.mkdir(parents=True)
    for record in records:
        (folder / f"new-{record['id']}.md").write_text(
            f"---\ntitle: {json.dumps(record['title'])}\ndate: {day.isoformat()}\n---\n"
            f"{record['abstract']}\n", encoding="utf-8")
    return [r["id"] for r in records]


def _base_records(site: Path) -> list[str]:
    return [p.name for p in _cache_files(site) if p.name.startswith("topicbase-")]


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["none", "blobs", "record", "ci", "ci-outputs"])
def test_daily_build_with_lock_and_cache_equals_a_clean_checkout_of_the_same_day(
        tmp_path: Path, damage: str) -> None:
    """Day 0 fits and writes the lock; day 1 adds papers with the lock and the cache kept: its
    output and lock equal those of a clean checkout of day 1 (lock committed, no cache), also
    when the cached base is damaged or forged; undamaged, day 1 reuses day 0's base. "ci":
    as in the Pages workflow, day 1 starts without output/ and with a copy of the cache (new
    inodes), and links the outputs day 1 does not change; "ci-outputs": every other output
    blob of that copy is damaged."""
    site = _sample_site(tmp_path, "daily")
    config = load_config(site, {})
    assert build_site(site, config).ok
    base = _base_records(site)
    assert len(base) == 1
    committed = (site / "topics.lock.yaml").read_bytes()
    _add_day_of_papers(site, 6)
    clean = tmp_path / "clean"
    shutil.copytree(site / "content", clean / "content")
    shutil.copy(site / "site.yaml", clean / "site.yaml")
    (clean / "topics.lock.yaml").write_bytes(committed)
    folder = site_cache_folder(site)
    if damage == "blobs":
        for blob in (folder / "blobs" / "topicbase").rglob("*"):
            if blob.is_file():
                blob.write_bytes(b"\x00" * 64)
    elif damage == "record":  # a record signed with another key: planted
        forged = DiskCache(folder, b"x" * 32)
        record = json.loads((folder / base[0]).read_bytes().partition(b"\n")[2])
        record["labels"] = ["Planted label"] * len(record["labels"])
        forged.store("topicbase", base[0].removeprefix("topicbase-").removesuffix(".json"),
                     record)

    elif damage.startswith("ci"):  # actions/cache restores a copy; output/ is not kept
        shutil.rmtree(site / "output")
        copy = tmp_path / "restored"
        shutil.copytree(folder, copy)
        shutil.rmtree(folder)
        copy.rename(folder)
        if damage == "ci-outputs":
            for blob in sorted((folder / "blobs").glob("[pe]*/*/*"))[::2]:
                blob.write_bytes(b"<p>planted</p>")

    daily = build_site(site, config)
    assert daily.ok
    assert build_site(clean, load_config(clean, {}), cache=False).ok
    assert _tree(site / "output") == _tree(clean / "output")
    if damage == "ci":  # the outputs the day does not reach are linked, not made
        assert daily.counts["pages reused"] > 0 and daily.counts["pages rendered"] > 0
        assert daily.counts["export units reused"] > 0 and daily.counts["export units made"] > 0
    assert (site / "topics.lock.yaml").read_bytes() == (clean / "topics.lock.yaml").read_bytes()
    assert b"Planted label" not in (site / "output" / "index.html").read_bytes()
    if damage == "none":
        assert _base_records(site) == base  # the same base: nothing was fitted again


@pytest.mark.slow
def test_a_day_of_papers_leaves_older_months_of_the_ranking_vectors_alone(
        tmp_path: Path) -> None:
    """With a followed lock the "For you" vectors come from the base's space, so a day's papers
    rewrite only their own month's file (a fit over all papers would move every month)."""
    site = _sample_site(tmp_path, "ranking")
    config = load_config(site, {})
    assert build_site(site, config).ok
    before = _tree(site / "output" / "ranking")
    _add_day_of_papers(site, 6, next_month=True)
    assert build_site(site, config).ok
    after = _tree(site / "output" / "ranking")
    older = [name for name in before if name != "index.json"]
    assert older and len(after) == len(before) + 1  # the new month's file
    assert {name: after[name] for name in older} == {name: before[name] for name in older}
