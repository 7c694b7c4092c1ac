"""Index the paper pages in the background while the build writes feeds and the site.

Pagefind used to start only once the whole site was written, although the paper pages (all
it indexes) are known as soon as they are rendered, and the phases after rendering (feeds, then
writing some 20k files) keep one core busy at most. ``SearchAhead`` writes the rendered paper
pages to a staging folder beside the output and runs Pagefind on them there, shard by shard,
while those phases run; ``finish`` waits and moves the bundle into the new tree before the swap,
so the build stays atomic. The staged pages are the same bytes at the same paths, so the bundle
is byte for byte what ``index_site`` makes of the written site.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from generator.diagnostics import UserError
from generator.render import OutputFile
from generator.search import (
    BUNDLE_DIR,
    SHARD_PAGES,
    assemble,
    index_site,
    is_paper_page,
    run_pagefind,
)

STAGING_PREFIX = ".paperboy-search-"


def staging_for(output_dir: Path) -> Path:
    """A sibling of the output folder (same file system, so the bundle moves by renames)."""
    return output_dir.parent / f"{STAGING_PREFIX}{output_dir.name}-{os.getpid()}"


def remove_stale_staging(output_dir: Path) -> None:
    """Staging folders left by builds that were killed."""
    for stale in output_dir.parent.glob(f"{STAGING_PREFIX}{output_dir.name}-*"):
        shutil.rmtree(stale, ignore_errors=True)


class SearchAhead:
    """Indexes the paper pages among ``files`` from the moment ``start`` is called.

    ``start`` writes the pages to the staging folder in the calling thread (a second Python
    thread writing thousands of files would hand the GIL back and forth with the build's and
    slow both) and hands each shard to a Pagefind run in a worker thread, which only waits.
    ``finish(site_dir)`` waits and puts the bundle in ``site_dir/pagefind/`` (raising UserError
    if Pagefind failed); ``close`` stops whatever still runs and removes the staging folder, and
    is always safe to call.
    """

    def __init__(self, output_dir: Path, language: str, *, shard_pages: int = SHARD_PAGES,
                 jobs: int | None = None) -> None:
        self.staging = staging_for(output_dir)
        self.output_dir, self.language = output_dir, language
        self.shard_pages, self.jobs = shard_pages, jobs
        self.elapsed = 0.0  # seconds from start to the last Pagefind run's end
        self._began = 0.0
        self._pool: ThreadPoolExecutor | None = None
        self._runs: list[Future[None]] = []
        self._outs: list[Path] = []
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen] = set()
        self._closed = False
        # Until finish() is called the build's own thread keeps a core busy, and one Pagefind
        # run keeps about one busy: leave that core to it, then use them all.
        self._workers = 1
        self._turns = threading.Semaphore(1)

    def start(self, files: Iterable[OutputFile]) -> None:
        from generator.parallel import default_jobs

        pages = sorted((file for file in files if is_paper_page(file.path)),
                       key=lambda file: file.path.as_posix())
        if not pages:  # finish() indexes the written site the usual way
            return
        self._began = time.perf_counter()
        size = self.shard_pages
        shards = [pages[i:i + size] for i in range(0, len(pages), size)]
        self._outs = [self.staging / f"out-{number}" for number in range(len(shards))]
        self._workers = min(self.jobs or default_jobs(), len(shards))
        self._pool = ThreadPoolExecutor(max_workers=self._workers,
                                        thread_name_prefix="search-ahead")
        try:
            remove_stale_staging(self.output_dir)
            for number, shard in enumerate(shards):
                folder = self._stage(number, shard)
                self._runs.append(self._pool.submit(self._index, folder, number))
        except OSError as exc:
            raise UserError(f"error: search: cannot stage the pages to index: {exc}") from None

    def finish(self, site_dir: Path) -> None:
        if self._pool is None:
            index_site(site_dir, self.language)
            return
        for _ in range(self._workers - 1):
            self._turns.release()
        for run in self._runs:
            run.result()
        assemble(self._outs, site_dir / BUNDLE_DIR)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for process in self._processes:
                process.kill()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.staging, ignore_errors=True)

    def _stage(self, number: int, pages: list[OutputFile]) -> Path:
        """Write one shard's pages under their own paths, so Pagefind gives the same URLs."""
        folder = self.staging / str(number)
        made: set[Path] = set()
        for page in pages:
            target = folder.joinpath(*page.path.parts)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            target.write_bytes(page.data)
        return folder

    def _index(self, folder: Path, number: int) -> None:
        try:
            with self._turns:
                if self._closed:
                    raise UserError("error: search: stopped")
                run_pagefind(folder, self._outs[number], self.language, self._started)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self.elapsed = time.perf_counter() - self._began

    def _started(self, process: subprocess.Popen) -> None:
        with self._lock:
            if self._closed:
                process.kill()
            self._processes.add(process)
