"""Keep the search bundle of a served site current without making saves wait for Pagefind.

Pagefind re-reads every search record (generator/search), so at 10k papers it costs seconds.
``paperboy serve`` therefore publishes the changed pages first and refreshes the bundle here,
in the background: Pagefind writes into a staging folder next to the site, and the finished
bundle is swapped in with two renames under the site's lock, so requests never see a
half-written bundle. A newer change supersedes a refresh still running (its result is thrown
away and Pagefind runs again).
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from functools import partial
from pathlib import Path
from typing import Any

from generator.diagnostics import UserError
from generator.search import BUNDLE_DIR, SearchRecord, index_records
from generator.write import discard

Lock = Callable[[], AbstractContextManager[Any]]
Report = Callable[[float, str | None], None]  # (seconds, error message or None)


def staging_dir(target: Path, name: str) -> Path:
    """A sibling of the site folder (same file system, so renames are atomic)."""
    return target.with_name(f".{target.name}.{name}")


def refresh_bundle(target: Path, language: str | None, lock: Lock = nullcontext,
                   on_start: Callable[[subprocess.Popen], None] | None = None,
                   still_wanted: Callable[[], bool] = lambda: True,
                   records: Sequence[SearchRecord] | None = None) -> bool:
    """Index ``records`` (None: the pages of ``target``) into a staging folder and swap it in
    as ``target/pagefind``, the same bundle as a build's; with ``language`` None, remove the
    bundle. False when ``still_wanted`` said no at the end."""
    fresh, old = staging_dir(target, "search-next"), staging_dir(target, "search-old")
    for folder in (fresh, old):  # left by a refresh that was stopped
        discard(folder)
    if language is not None:
        index_records(target, records, language, output=fresh, on_start=on_start)
    with lock():
        if not still_wanted():
            discard(fresh)
            return False
        bundle = target / BUNDLE_DIR
        if bundle.exists():
            bundle.rename(old)
        if language is not None:
            fresh.rename(bundle)
    discard(old)  # ~one fragment file per paper: deleting them can take seconds
    return True


class BackgroundSearch:
    """One worker thread that refreshes the bundle after each ``request``; the newest request
    wins. ``wait_settled`` lets callers (and tests) wait until the bundle matches the site."""

    def __init__(self, target: Path, lock: Lock, report: Report) -> None:
        self.target, self.lock, self.report = target, lock, report
        self._cond = threading.Condition()
        self._wanted = self._done = 0  # request counters
        self._language: str | None = None
        self._records: Sequence[SearchRecord] | None = None
        self._process: subprocess.Popen | None = None
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="search", daemon=True)
        self._thread.start()

    def request(self, target: Path, language: str | None,
                records: Sequence[SearchRecord] | None = None) -> None:
        """Refresh for the site as it is now (``language`` None: remove the bundle; ``records``
        None: index its pages)."""
        assert target == self.target
        with self._cond:
            self._wanted += 1
            self._language, self._records = language, records
            if self._process is not None:  # the running Pagefind reads a stale site: stop it
                with suppress(OSError):
                    self._process.kill()
            self._cond.notify_all()

    def wait_settled(self, timeout: float | None = None) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._done == self._wanted or self._closing,
                                       timeout)

    def close(self) -> None:
        """Stop Pagefind if it runs and the worker; the staging folders are removed."""
        with self._cond:
            self._closing = True
            if self._process is not None:
                with suppress(OSError):
                    self._process.kill()
            self._cond.notify_all()
        self._thread.join(timeout=10)
        for name in ("search-next", "search-old"):
            discard(staging_dir(self.target, name))

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._wanted != self._done or self._closing)
                if self._closing:
                    return
                ticket, language, records = self._wanted, self._language, self._records
            started = time.perf_counter()
            try:
                finished = refresh_bundle(self.target, language, self.lock, self._started,
                                          partial(self._current, ticket), records)
                error = None
            except UserError as exc:
                finished, error = self._current(ticket), str(exc)
            with self._cond:
                self._process = None
                if finished and not self._closing:
                    self._done = ticket
                    self._cond.notify_all()
            if finished and not self._closing:
                self.report(time.perf_counter() - started, error)

    def _started(self, process: subprocess.Popen) -> None:
        with self._cond:
            self._process = process
            if self._closing:
                process.kill()

    def _current(self, ticket: int) -> bool:
        with self._cond:
            return ticket == self._wanted and not self._closing
