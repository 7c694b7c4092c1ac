"""Worker processes are forked only while the process runs a single thread: a fork with live
threads can deadlock the child (Python 3.12 warns about it)."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from generator.config import load_config
from generator.pipeline import build_site
from generator.workers import live_threads, map_forked
from tests.conftest import REPO


def _threads_at_each_fork() -> list[int]:
    seen: list[int] = []
    os.register_at_fork(before=lambda: seen.append(live_threads()))
    return seen


@pytest.mark.forks
@pytest.mark.slow
def test_a_build_forks_its_workers_only_while_single_threaded(tmp_path: Path,
                                                              monkeypatch) -> None:
    from generator.content import loader
    from generator.markup import warm
    from generator.render import pool
    from generator.topics import related

    # every pool, even on the small sample site (the related papers run while markup works)
    for module, name in ((warm, "MIN_PER_WORKER"), (pool, "MIN_ROUTES_PER_WORKER"),
                         (loader, "PARSE_MIN_PER_WORKER"), (related, "RELATED_BLOCKS_PER_WORKER")):
        monkeypatch.setattr(module, name, 1)
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    seen = _threads_at_each_fork()
    start = len(seen)

    assert build_site(site, load_config(site, {}), jobs=2, cache=False).ok

    forks = seen[start:]
    assert len(forks) >= 6, forks  # parse, markup and render pools, two workers each
    assert set(forks) == {1}, forks


def test_with_a_live_thread_work_stays_in_process() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    seen = _threads_at_each_fork()
    try:
        start = len(seen)
        before = set(multiprocessing.active_children())
        result = map_forked(lambda n: n * n, list(range(400)), jobs=2, min_per_worker=1)
        assert set(multiprocessing.active_children()) == before
    finally:
        stop.set()
        thread.join()
    assert result == [n * n for n in range(400)]
    assert seen[start:] == []


def test_without_threads_work_is_forked() -> None:
    """In a fresh process (this one may run other tests' threads): workers are forked, and
    only while it is single-threaded."""
    script = (
        "import os\n"
        "from generator.workers import live_threads, map_forked\n"
        "seen = []\n"
        "os.register_at_fork(before=lambda: seen.append(live_threads()))\n"
        "assert map_forked(lambda n: n + 1, list(range(400)), jobs=2, min_per_worker=1) == "
        "list(range(1, 401))\n"
        "print(seen)\n")
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", script],
                          capture_output=True, text=True, cwd=REPO, timeout=300, check=True)
    assert done.stdout.strip() == "[1, 1]", done.stdout + done.stderr
