"""Running Pagefind, and the layout of a sharded bundle.

Pagefind (the binary shipped by the ``pagefind-bin`` package) indexes only elements marked
``data-pagefind-body`` and splits the index into small fragments, so a browser loads only the
pieces a query needs. Pagefind holds its whole index in memory (about 135 KiB per page,
measured), so a large site is indexed in shards of SHARD_PAGES pages, one run each (shards.py
decides them); the first is the main bundle and ``shards.json`` lists the others, which the
theme's script merges in the browser (Pagefind's mergeIndex). Nothing here touches the final
output/ folder: the pipeline indexes into the temporary folder before the swap.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from generator import urls
from generator.diagnostics import UserError

BUNDLE_DIR = urls.SEARCH_BUNDLE
TIMEOUT_SECONDS = 1800
# Only paper pages carry data-pagefind-body; without a glob Pagefind still reads and parses
# every tag, topic, digest and archive page to find that out (measured at 10k: 24.4 s -> 15.5 s
# of CPU, 1.63 -> 1.32 GiB peak, the same bundle byte for byte). Search records sit at their
# paper pages' paths, so the glob selects them too.
PAGES_GLOB = urls.paper("*") + "index.html"
ALL_PAGES_GLOB = "**/*.{html}"  # Pagefind's default
SHARD_PAGES = 5000  # ~0.7 GiB of Pagefind memory per run, whatever the site's size
SHARDS_DIR = "shards"  # inside the bundle: pagefind/shards/1/, pagefind/shards/2/, ...
MANIFEST = "shards.json"  # in the main bundle: the other bundles, relative to it


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise UserError("error: search: the 'pagefind-bin' package is not installed; "
                        "install it or set 'search: {enabled: false}' in site.yaml") from None
    return get_executable()


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
