"""The search index of a build, in shards of search records, each reused while its records stay
the same.

Records come oldest first, so a day's new papers land in the last shard. The shards are
SHARD_PAGES records each from the oldest; the rest (fewer than SHARD_PAGES) is split into tail
shards of TAIL_PAGES, so a daily build re-indexes at most TAIL_PAGES + a day's papers, and a
reader's browser merges at most ``papers // SHARD_PAGES + SHARD_PAGES / TAIL_PAGES`` bundles.
When the tail fills a whole shard it becomes one (a single full re-index of that shard).

A shard's Pagefind bundle depends only on its records (their paths and bytes, in order), the
Pagefind version and the language, and its files are named by their content, so the bundle of
an unchanged shard is taken from the build cache: one content-addressed blob per bundle (the
files concatenated), named with its file list in one signed record. A missing, forged or
corrupt entry is a miss: that shard is indexed again, to the same bytes.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from generator import cache as build_cache
from generator.cache import DiskCache, content_key
from generator.diagnostics import UserError
from generator.models import Paper
from generator.search import pagefind
from generator.search.records import TEMPLATE, SearchRecord, render_records

SHARD_PAGES = pagefind.SHARD_PAGES
TAIL_PAGES = 1000
CACHE_KIND = "search-shards"
CACHE_KEY = "bundles"  # one record: the bundles of the last build's shards
BLOB_SPACE = "search-shards"
_STAGING = ".search-records"  # the shards' finished bundles, inside the folder indexed
# Records are written, indexed once and deleted: in memory where Linux offers it, as thousands of
# small files in their own folders cost ~10x more on a disk (measured on ext4 under load: 2,000
# records written in 4.2 s and removed in 2.8 s, against 0.4 s and 0.3 s on tmpfs).
MEMORY_FOLDER = Path("/dev/shm")
_SCRATCH_PREFIX = "paperboy-search-"
T = TypeVar("T")


@dataclass(frozen=True)
class SearchStats:
    """What one indexing did: records in the index, records Pagefind read again, shards, and
    shards whose bundle came from the cache."""

    records: int = 0
    reindexed: int = 0
    shards: int = 0
    reused: int = 0


def shard_sizes(count: int, shard_pages: int = SHARD_PAGES,
                tail_pages: int = TAIL_PAGES) -> list[int]:
    """Full shards from the oldest record, then tail shards for the rest."""
    full, rest = divmod(count, shard_pages)
    sizes = [shard_pages] * full
    while rest > 0:
        sizes.append(min(tail_pages, rest))
        rest -= sizes[-1]
    return sizes


def split(records: Sequence[T], shard_pages: int = SHARD_PAGES,
          tail_pages: int = TAIL_PAGES) -> list[Sequence[T]]:
    """``records`` (or the papers they are made from) in shards of shard_sizes."""
    shards, start = [], 0
    for size in shard_sizes(len(records), shard_pages, tail_pages):
        shards.append(records[start:start + size])
        start += size
    return shards


def shard_key(records: Sequence[SearchRecord], language: str, listing: str = "") -> str:
    """Changes whenever anything Pagefind reads or is told for these records changes: the
    records' paths and bytes, the language, the Pagefind release, the code writing and
    indexing them, and ``listing`` (see listing_order)."""
    parts: list[str | bytes] = [pagefind_version(),
                                build_cache.code_version(pagefind, sys.modules[__name__]),
                                language, listing]
    for record in records:
        parts += [record.page, record.html]
    return content_key(*parts)


def pagefind_version() -> str:
    try:
        return importlib.metadata.version("pagefind-bin")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def index_papers(site_dir: Path, env: jinja2.Environment, papers: Iterable[tuple[Paper, Any]],
                 language: str, cache: DiskCache | None = None,
                 jobs: int | None = None) -> SearchStats:
    """The build's search bundle in ``site_dir/pagefind/``: the records of ``(paper, card)``
    pairs, indexed shard by shard (see above), by up to ``jobs`` Pagefind runs at a time.
    Each shard's records are rendered when it is keyed and dropped once it is indexed, so
    no more than ``jobs`` shards' records are held (at 100k papers all of them were some
    300 MB beside the build)."""
    if not has_search_records(env):
        return index_records(site_dir, None, language, cache, jobs=jobs)
    ordered = sorted(papers, key=lambda pair: (pair[0].date, pair[0].slug))
    if not ordered:
        return index_records(site_dir, [], language, cache, jobs=jobs)
    makers = [partial(_shard_records, env, shard)  # read now: tests set SHARD_PAGES
              for shard in split(ordered, SHARD_PAGES, TAIL_PAGES)]
    return _index_shards(site_dir, makers, language, cache, None, None, jobs)


def _shard_records(env: jinja2.Environment,
                   papers: Sequence[tuple[Paper, Any]]) -> Sequence[SearchRecord]:
    records = records_for(env, papers)
    if records is None:  # the theme lost search_record.html since has_search_records
        raise UserError(f"error: {TEMPLATE} is missing")
    return records


def has_search_records(env: jinja2.Environment) -> bool:
    """Whether the theme chain has search_record.html (else the paper pages are indexed, so
    indexing must wait for them)."""
    try:
        env.get_template(TEMPLATE)
    except jinja2.TemplateNotFound:
        return False
    except jinja2.TemplateError:
        return True  # reported when the records are rendered
    return True


def records_for(env: jinja2.Environment,
                papers: Iterable[tuple[Paper, Any]]) -> list[SearchRecord] | None:
    """The records rendered by the theme's search_record.html; None for a theme chain without
    it (an old copy of the default theme), whose paper pages are indexed instead."""
    try:
        return render_records(env, papers)
    except jinja2.TemplateNotFound:
        return None
    except jinja2.TemplateError as exc:
        raise UserError(f"error: {TEMPLATE}: {exc}") from None


def index_records(site_dir: Path, records: Sequence[SearchRecord] | None, language: str,
                  cache: DiskCache | None = None, output: Path | None = None,
                  on_start: Callable[[subprocess.Popen], None] | None = None, *,
                  shard_pages: int = SHARD_PAGES, tail_pages: int = TAIL_PAGES,
                  jobs: int | None = None) -> SearchStats:
    """Write the search bundle of ``records`` (oldest first) into ``output`` (default
    ``site_dir/pagefind/``): shards found in ``cache`` are copied from it, the others indexed
    by Pagefind (on every core, or one at a time when ``on_start`` is given: serve stops the
    running one) and stored. ``records`` None: the paper pages written in ``site_dir`` are the
    records (``page_records``); none at all (a site without papers: Pagefind refuses to index
    nothing): its other pages are indexed, whole. Raises UserError if Pagefind fails."""
    bundle = output or site_dir / pagefind.BUNDLE_DIR
    if records is None:
        records = page_records(site_dir)
    if not records:  # Pagefind refuses to index no file: give it the other pages (no body)
        pagefind.run_pagefind(site_dir, bundle, language, on_start, glob=pagefind.ALL_PAGES_GLOB)
        pagefind.write_manifest(bundle, 1)
        return SearchStats()
    return _index_shards(site_dir, [partial(_given, shard) for shard in
                                    split(records, shard_pages, tail_pages)],
                         language, cache, output, on_start, jobs)


def _given(records: Sequence[SearchRecord]) -> Sequence[SearchRecord]:
    return records


def _index_shards(site_dir: Path, makers: Sequence[Callable[[], Sequence[SearchRecord]]],
                  language: str, cache: DiskCache | None, output: Path | None,
                  on_start: Callable[[subprocess.Popen], None] | None,
                  jobs: int | None) -> SearchStats:
    """index_records of shards whose records ``makers`` make when the shard is keyed."""
    bundle = output or site_dir / pagefind.BUNDLE_DIR
    cache = cache or DiskCache(None)
    known = _load_index(cache)
    outs = [site_dir / f"{_STAGING}-out-{number}" for number in range(len(makers))]
    scratch = scratch_folder(site_dir)
    try:
        listing = listing_order(scratch)

        def build(number: int) -> tuple[str, int, bool]:
            """Copy the shard's bundle from the cache, else index it: (its key, its
            records, whether it was indexed)."""
            records = makers[number]()
            key = shard_key(records, language, listing)
            if _restore(cache, known.get(key), outs[number]):
                return key, len(records), False
            _index_shard(scratch / str(number), records, outs[number], language, on_start)
            return key, len(records), True

        # Copies (file writes) and Pagefind runs overlap; serve (on_start) runs one at a time.
        workers = 1 if on_start is not None else min(jobs or _jobs(), len(makers))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            built = list(pool.map(build, range(len(makers))))
        fresh = {key: _store(cache, outs[n]) for n, (key, _, indexed) in enumerate(built)
                 if indexed}
        current = {key: fresh[key] if key in fresh else known.get(key) for key, _, _ in built}
        pagefind.assemble(outs, bundle)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        for out in outs:
            shutil.rmtree(out, ignore_errors=True)
    if any(entry is not None for entry in current.values()):
        cache.store(CACHE_KIND, CACHE_KEY, {k: v for k, v in current.items() if v is not None})
        cache.prune_blobs(BLOB_SPACE, [v["blob"] for v in current.values() if v is not None])
    return SearchStats(sum(size for _, size, _ in built),
                       sum(size for _, size, indexed in built if indexed), len(built),
                       sum(1 for _, _, indexed in built if not indexed))


def index_site(site_dir: Path, language: str, output: Path | None = None,
               on_start: Callable[[subprocess.Popen], None] | None = None,
               cache: DiskCache | None = None) -> SearchStats:
    """The search bundle of a written site: its paper pages indexed as records."""
    return index_records(site_dir, None, language, cache, output, on_start)


def page_records(site_dir: Path) -> list[SearchRecord]:
    """The paper pages written in ``site_dir`` as search records, in path order: what a theme
    without search_record.html has Pagefind index (it reads each page whole, into memory)."""
    pages = sorted(site_dir.glob(pagefind.PAGES_GLOB))
    return [SearchRecord(page.relative_to(site_dir).as_posix(), page.read_bytes())
            for page in pages]


def scratch_folder(site_dir: Path) -> Path:
    """A new folder for this run's records: in MEMORY_FOLDER when it can be written (after
    removing the ones left there by runs that were killed), else inside ``site_dir``."""
    if MEMORY_FOLDER.is_dir() and os.access(MEMORY_FOLDER, os.W_OK):
        for stale in MEMORY_FOLDER.glob(f"{_SCRATCH_PREFIX}*-*"):
            pid = stale.name[len(_SCRATCH_PREFIX):].split("-")[0]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)
        parent = MEMORY_FOLDER
    else:
        parent = site_dir
    return Path(tempfile.mkdtemp(prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-", dir=parent))


def listing_order(scratch: Path) -> str:
    """What decides the order Pagefind finds the records in, and so its index files (not its
    fragments): the file system's directory listing. tmpfs lists in creation order, which the
    kernel release fixes; a disk file system by name hashes seeded per file system."""
    where = "memory" if scratch.parent == MEMORY_FOLDER else f"disk {os.stat(scratch).st_dev}"
    return f"{where} {os.uname().release}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def _jobs() -> int:
    from generator.workers import default_jobs

    return default_jobs()


def _index_shard(staging: Path, records: Sequence[SearchRecord], out: Path, language: str,
                 on_start: Callable[[subprocess.Popen], None] | None) -> None:
    """Write the shard's records under their pages' paths (so the URLs are the pages') and
    index that folder alone."""
    try:
        for record in records:
            target = staging / record.page
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(record.html)
        pagefind.run_pagefind(staging, out, language, on_start)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# -- the cache: {shard key: {"blob": sha256, "files": [[path, size], ...]}} in one record --

Entry = dict[str, object]


def _load_index(cache: DiskCache) -> dict[str, Entry]:
    stored = cache.load(CACHE_KIND, CACHE_KEY)
    if not isinstance(stored, dict):
        return {}
    return {k: v for k, v in stored.items() if isinstance(v, dict)}


def _store(cache: DiskCache, folder: Path) -> Entry | None:
    """Keep the bundle in ``folder`` as one blob; its entry, or None without a cache."""
    if cache.folder is None:
        return None
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    data = [p.read_bytes() for p in files]
    digest = cache.store_blob(BLOB_SPACE, b"".join(data))
    return {"blob": digest, "files": [[p.relative_to(folder).as_posix(), len(d)]
                                      for p, d in zip(files, data, strict=True)]}


def _restore(cache: DiskCache, entry: Entry | None, folder: Path) -> bool:
    """Write the cached bundle of ``entry`` into ``folder``; False (and nothing written) when
    the entry or its blob is missing or does not check out."""
    if entry is None or not isinstance(entry.get("blob"), str):
        return False
    files = entry.get("files")
    if not isinstance(files, list) or not all(_valid_file(f) for f in files):
        return False
    data = cache.load_blob(BLOB_SPACE, entry["blob"])  # type: ignore[arg-type]
    if data is None or sum(size for _, size in files) != len(data):
        return False
    shutil.rmtree(folder, ignore_errors=True)
    # ~5,000 files per full shard: plain os calls, one mkdir per folder (pathlib doubled it)
    base = os.fspath(folder)
    for parent in sorted({os.path.dirname(path) for path, _ in files}):
        os.makedirs(os.path.join(base, parent), exist_ok=True)
    view, start = memoryview(data), 0
    for path, size in files:
        with open(os.path.join(base, path), "wb") as handle:
            handle.write(view[start:start + size])
        start += size
    return True


_BUNDLE_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*")


def _valid_file(item: object) -> bool:
    """A [relative path inside the bundle, size] pair (the record is signed, but a path that
    could leave the folder is refused anyway: no part may start with a dot)."""
    return (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
            and isinstance(item[1], int) and item[1] >= 0
            and _BUNDLE_PATH.fullmatch(item[0]) is not None)
