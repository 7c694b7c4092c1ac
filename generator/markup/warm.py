"""Markdown/LaTeX for every title and abstract, ahead of the stages that need it: results come
from the build cache (keyed by a hash of the source text and of the rendering code) or are
computed on every core, then seeded into generator.markup so later calls are look-ups.

Pure shortcut: markup.remember() only ever holds what markup's own functions return.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from generator.cache import DiskCache, code_version
from generator.markup import abstracts as markup
from generator.markup import latex
from generator.models import Paper
from generator.workers import process_pool

KIND = "markup"
MIN_PER_WORKER = 2000  # calls; below this a pool costs more than it saves
CHUNK = 500
Call = tuple[str, str]  # (function name, source)
_FUNCTIONS = {"render_abstract": markup.render_abstract, "render_title": markup.render_title,
              "plain_text": markup.plain_text}


def markup_version() -> str:
    versions = [importlib.metadata.version(n) for n in ("markdown", "nh3", "latex2mathml")]
    return code_version(markup, latex) + "-" + "-".join(versions)


def calls_for(papers: Sequence[Paper]) -> list[Call]:
    """Every call the build makes for these papers that is not the trivial plain-prose path."""
    calls: set[Call] = set()
    for paper in papers:
        for name, source in (("render_title", paper.title), ("plain_text", paper.title),
                             ("render_abstract", paper.abstract),
                             ("plain_text", paper.abstract)):
            if not markup.is_plain_prose(source):
                calls.add((name, source))
    return sorted(calls)


def _digest(call: Call) -> str:
    """The stored key of a call: its function and a hash of its source (JSON keys are text)."""
    return f"{call[0]}:{hashlib.sha1(call[1].encode('utf-8')).hexdigest()}"


def warm_markup(papers: Sequence[Paper], cache: DiskCache, jobs: int) -> int:
    """Seed markup with every result the build will need; returns how many were computed."""
    return start_markup(papers, cache, jobs).finish()


def start_markup(papers: Sequence[Paper], cache: DiskCache, jobs: int,
                 min_per_worker: int | None = None) -> PendingMarkup:
    """Begin warming: what the cache lacks is sent to forked workers at once, so the caller
    can do other work (the build fits topics meanwhile) before ``finish()``."""
    calls = calls_for(papers)
    version = markup_version()
    stored = cache.load(KIND, version)
    stored = stored if isinstance(stored, dict) else {}  # signed by this machine's builds
    known: dict[Call, str] = {}
    missing: list[Call] = []
    for call in calls:
        hit = stored.get(_digest(call))
        if not isinstance(hit, str):
            missing.append(call)
        else:
            known[call] = hit
    return PendingMarkup(known, missing, jobs, cache, version, len(stored), min_per_worker)


class _Workers:
    """Calls sent to forked processes when they start (or computed here, for few calls)."""

    def __init__(self, calls: list[Call], jobs: int, min_per_worker: int | None) -> None:
        self.calls = calls
        self.pool: ProcessPoolExecutor | None = process_pool(
            min(jobs, len(calls) // (min_per_worker or MIN_PER_WORKER)))
        if self.pool is not None:
            self.chunks = [calls[i:i + CHUNK] for i in range(0, len(calls), CHUNK)]
            self.outputs = self.pool.map(_compute_chunk, self.chunks)

    def results(self) -> dict[Call, str]:
        if self.pool is None:
            return dict(zip(self.calls, _compute_chunk(self.calls), strict=True))
        with self.pool:
            return {call: html for chunk, out in zip(self.chunks, self.outputs, strict=True)
                    for call, html in zip(chunk, out, strict=True)}


class PendingMarkup:
    """Markup results on their way from worker processes, then seeded and stored."""

    def __init__(self, known: dict[Call, str], missing: list[Call], jobs: int,
                 cache: DiskCache, version: str, stored: int,
                 min_per_worker: int | None = None) -> None:
        self._known, self._cache, self._version, self._stored = known, cache, version, stored
        self._workers = _Workers(missing, jobs, min_per_worker)

    @contextmanager
    def cancelled_on_error(self) -> Iterator[None]:
        """Stop the workers if the block raises: nothing will wait for them."""
        try:
            yield
        except BaseException:
            if self._workers.pool is not None:
                self._workers.pool.shutdown(wait=False, cancel_futures=True)
            raise

    def finish(self) -> int:
        """Wait for the results, seed them into markup, store them; returns how many were
        computed."""
        computed = self._workers.results()
        known = self._known
        known.update(computed)
        markup.remember(known)
        if computed or self._stored != len(known):
            self._cache.store(KIND, self._version, {_digest(c): html for c, html in known.items()})
        return len(computed)


def compute_calls(calls: list[Call], jobs: int,
                  min_per_worker: int | None = None) -> dict[Call, str]:
    """Each call's result, on up to ``jobs`` forked processes."""
    return _Workers(calls, jobs, min_per_worker).results()


def _compute_chunk(calls: list[Call]) -> list[str]:
    return [_FUNCTIONS[name](source) for name, source in calls]
