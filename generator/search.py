"""Static full-text search: runs Pagefind over a written site to add its index in ``pagefind/``.

Pagefind (the binary shipped by the ``pagefind-bin`` package) indexes only elements marked
``data-pagefind-body`` (the paper pages) and splits the index into small fragments, so a browser
loads only the pieces a query needs. This module runs it; it never touches the final output/
folder itself: build.py calls it on the temporary folder before the atomic swap.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator import urls
from generator.diagnostics import UserError

BUNDLE_DIR = "pagefind"
TIMEOUT_SECONDS = 1800
# Only paper pages carry data-pagefind-body; without a glob Pagefind still reads and parses
# every tag, topic, digest and archive page to find that out (measured at 10k: 24.4 s -> 15.5 s
# of CPU, 1.63 -> 1.32 GiB peak, the same bundle byte for byte).
PAGES_GLOB = urls.paper("*") + "index.html"


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise UserError("error: search: the 'pagefind-bin' package is not installed; "
                        "install it or set 'search: {enabled: false}' in site.yaml") from None
    return get_executable()


def index_site(site_dir: Path, language: str) -> None:
    """Write the search bundle into ``site_dir/pagefind/``. Raises UserError if Pagefind fails.

    ``--force-language`` keeps a single index whatever ``lang`` attributes pages carry, so the
    output does not depend on which page Pagefind happens to read first.
    """
    command = [str(pagefind_executable()), "--site", str(site_dir),
               "--output-subdir", BUNDLE_DIR, "--glob", PAGES_GLOB,
               "--force-language", language.split("-")[0].lower(), "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"error: search: could not run Pagefind: {exc}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise UserError(f"error: search: Pagefind failed (exit {done.returncode}): {detail}")
