"""Static full-text search: runs Pagefind over a written site to add its index in ``pagefind/``.

Pagefind (the binary shipped by the ``pagefind-bin`` package) indexes only elements marked
``data-pagefind-body`` (the paper pages) and splits the index into small fragments, so a browser
loads only the pieces a query needs. Pagefind holds its whole index in memory (about 135 KiB
per paper page, measured), so a large site is indexed in shards of SHARD_PAGES pages, one run
each; the first is the main bundle and ``shards.json`` lists the others, which the theme's
script merges in the browser (Pagefind's mergeIndex). This module runs it; it never touches
the final output/ folder itself: the pipeline calls it on the temporary folder before the swap.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from generator import urls
from generator.diagnostics import UserError

BUNDLE_DIR = urls.SEARCH_BUNDLE
TIMEOUT_SECONDS = 1800
# Only paper pages carry data-pagefind-body; without a glob Pagefind still reads and parses
# every tag, topic, digest and archive page to find that out (measured at 10k: 24.4 s -> 15.5 s
# of CPU, 1.63 -> 1.32 GiB peak, the same bundle byte for byte).
PAGES_GLOB = urls.paper("*") + "index.html"
ALL_PAGES_GLOB = "**/*.{html}"  # Pagefind's default
SHARD_PAGES = 5000  # ~0.7 GiB of Pagefind memory per run, whatever the site's size
SHARDS_DIR = "shards"  # inside the bundle: pagefind/shards/1/, pagefind/shards/2/, ...
MANIFEST = "shards.json"  # in the main bundle: the other bundles, relative to it
_STAGING = ".search-shard"  # hard links to one shard's pages, inside the folder being indexed
_PLAIN_SLUG = re.compile(r"[A-Za-z0-9._-]+")  # nothing a glob would read as syntax
_MAX_GLOB = 120_000  # Linux takes at most 128 KiB in one argument


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise UserError("error: search: the 'pagefind-bin' package is not installed; "
                        "install it or set 'search: {enabled: false}' in site.yaml") from None
    return get_executable()


def is_paper_page(path: PurePosixPath) -> bool:
    """True for the pages PAGES_GLOB selects (``papers/<slug>/index.html``)."""
    return PurePosixPath(path).match(PAGES_GLOB) and len(PurePosixPath(path).parts) == 3


def index_site(site_dir: Path, language: str, output: Path | None = None,
               on_start: Callable[[subprocess.Popen], None] | None = None, *,
               shard_pages: int = SHARD_PAGES) -> None:
    """Write the search bundle into ``output`` (default ``site_dir/pagefind/``). Raises
    UserError if Pagefind fails. ``on_start`` receives each running Pagefind process (so that
    serve can stop a refresh early).

    Pages are split into shards in path order, so the same site always gives the same bundles.
    """
    bundle = output or site_dir / BUNDLE_DIR
    pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.glob(PAGES_GLOB))
    shards = [pages[i:i + shard_pages] for i in range(0, len(pages), shard_pages)]
    if not pages:  # Pagefind refuses to index no file: give it the other pages (no body)
        run_pagefind(site_dir, bundle, language, on_start, glob=ALL_PAGES_GLOB)
        write_manifest(bundle, 1)
    elif len(shards) == 1:
        run_pagefind(site_dir, bundle, language, on_start)
        write_manifest(bundle, 1)
    else:
        _index_shards(site_dir, shards, bundle, language, on_start)


def write_manifest(bundle: Path, shards: int) -> None:
    """``shards.json``: the bundles besides the main one, relative to it."""
    extra = [f"{SHARDS_DIR}/{number}/" for number in range(1, shards)]
    (bundle / MANIFEST).write_text(json.dumps(extra) + "\n", encoding="utf-8")


def assemble(outs: list[Path], bundle: Path) -> None:
    """Move finished shard bundles into place: the first is ``bundle``, shard n
    ``bundle/shards/n/``; then write the manifest."""
    shutil.rmtree(bundle, ignore_errors=True)
    outs[0].rename(bundle)
    if len(outs) > 1:
        (bundle / SHARDS_DIR).mkdir()
    for number, out in enumerate(outs[1:], start=1):
        out.rename(bundle / SHARDS_DIR / str(number))
    write_manifest(bundle, len(outs))


def _index_shards(site_dir: Path, shards: list[list[str]], bundle: Path, language: str,
                  on_start: Callable[[subprocess.Popen], None] | None) -> None:
    """Shard 0 becomes the main bundle, shard n ``shards/n/``. In a full build (no
    ``on_start``) shards are indexed on every core, as one Pagefind run keeps about one core
    busy; serve refreshes one at a time so that it can stop the running one. Each run writes
    into its own folder, moved into place once all have finished."""
    from concurrent.futures import ThreadPoolExecutor

    from generator.workers import default_jobs

    outs = [site_dir / f"{_STAGING}-out-{number}" for number in range(len(shards))]

    def index(number: int) -> None:
        _index_pages(site_dir, shards[number], outs[number], language, on_start,
                     site_dir / f"{_STAGING}-{number}")

    try:
        workers = 1 if on_start is not None else min(default_jobs(), len(shards))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(index, range(len(shards))))
        assemble(outs, bundle)
    finally:
        for out in outs:
            shutil.rmtree(out, ignore_errors=True)


def shard_glob(pages: list[str]) -> str | None:
    """A Pagefind glob that selects exactly ``pages`` (``papers/{a,b,...}/index.html``), so a
    shard is indexed in place; None when a slug holds a glob character or the pattern would be
    too long for one command-line argument. Same bundle as a folder of links to the pages,
    without creating and removing thousands of links (measured: ~4 s of disk work per 5000)."""
    prefix, suffix = PAGES_GLOB.split("*")
    slugs = [page[len(prefix):-len(suffix)] for page in pages]
    if not all(_PLAIN_SLUG.fullmatch(slug) for slug in slugs):
        return None
    pattern = prefix + "{" + ",".join(slugs) + "}" + suffix
    return pattern if len(pattern) <= _MAX_GLOB else None


def _index_pages(site_dir: Path, pages: list[str], out: Path, language: str,
                 on_start: Callable[[subprocess.Popen], None] | None, staging: Path) -> None:
    """Index only ``pages``: by a glob naming them, else from a folder of hard links to them
    (same URLs either way)."""
    glob = shard_glob(pages)
    if glob is not None:
        run_pagefind(site_dir, out, language, on_start, glob=glob)
        return
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for page in pages:
            target = staging / page
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(site_dir / page, target)
            except OSError:  # a file system without hard links
                shutil.copyfile(site_dir / page, target)
        run_pagefind(staging, out, language, on_start)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run_pagefind(site: Path, out: Path, language: str,
                  on_start: Callable[[subprocess.Popen], None] | None,
                  glob: str = PAGES_GLOB) -> None:
    """``--force-language`` keeps a single index whatever ``lang`` attributes pages carry, so the
    output does not depend on which page Pagefind happens to read first."""
    command = [str(pagefind_executable()), "--site", str(site), "--output-path", str(out),
               "--glob", glob, "--force-language", language.split("-")[0].lower(),
               "--silent"]
    try:
        # Its own process group: a terminal's Ctrl-C reaches only us, and we stop it ourselves.
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, process_group=0) as process:
            if on_start is not None:
                on_start(process)
            try:
                stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
            except BaseException:
                process.kill()
                raise
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"error: search: could not run Pagefind: {exc}") from None
    if process.returncode != 0:
        detail = (stderr or stdout).strip()
        raise UserError(f"error: search: Pagefind failed (exit {process.returncode}): {detail}")
