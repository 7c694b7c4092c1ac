"""The search bundle refreshed in the background (paperboy serve): once settled it is byte for
byte what a clean build makes, a newer change supersedes an older refresh, and closing stops
Pagefind and leaves no staging folder."""

from __future__ import annotations

import threading
from pathlib import Path

from generator.config import load_config
from generator.serve.incremental import RebuildState
from generator.serve.rebuild import rebuild_site
from generator.serve.search_refresh import BackgroundSearch, staging_dir
from tests.unit.test_incremental import Workspace, tree


class Recorder:
    def __init__(self) -> None:
        self.reports: list[tuple[float, str | None]] = []

    def __call__(self, seconds: float, error: str | None) -> None:
        self.reports.append((seconds, error))


def rebuild(work: Workspace, search: BackgroundSearch, lock: threading.Lock) -> None:
    result = rebuild_site(work.site, load_config(work.site), work.cache, work.target,
                          lock=lambda: lock, reindex=search.request)
    assert result.ok, result.diagnostics


def test_background_refresh_settles_to_the_clean_build(tmp_path: Path) -> None:
    work, lock, reports = Workspace(tmp_path), threading.Lock(), Recorder()
    search = BackgroundSearch(work.target, lambda: lock, reports)
    try:
        rebuild(work, search, lock)
        work.edit("content/2024-03/attention.md", "Attention Is All", "Attention Is Mostly")
        rebuild(work, search, lock)  # usually supersedes the first refresh while it runs
        work.edit("content/adam.yaml", "date: 2024-03-10", "date: 2024-03-13")
        rebuild(work, search, lock)
        assert search.wait_settled(timeout=120)
    finally:
        search.close()
    assert reports.reports and all(error is None for _, error in reports.reports)
    assert (work.target / "pagefind/pagefind-entry.json").is_file()
    work.assert_same_as_clean_build()  # pages and bundle, byte for byte
    assert not staging_dir(work.target, "search-next").exists()
    assert not staging_dir(work.target, "search-old").exists()


def test_close_stops_a_running_refresh_and_cleans_up(tmp_path: Path) -> None:
    work, lock, reports = Workspace(tmp_path), threading.Lock(), Recorder()
    result = rebuild_site(work.site, load_config(work.site), RebuildState(), work.target,
                          reindex=lambda target, language, records: None)  # pages only
    assert result.ok
    search = BackgroundSearch(work.target, lambda: lock, reports)
    search.request(work.target, "en")
    search.close()
    assert reports.reports == []  # stopped before swapping anything in
    assert not (work.target / "pagefind").exists()
    assert not staging_dir(work.target, "search-next").exists()
    assert tree(work.target)  # the pages are untouched
