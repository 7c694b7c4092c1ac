"""Static full-text search: runs Pagefind over a written site to add its index in ``pagefind/``.

Pagefind (the binary shipped by the ``pagefind-bin`` package) indexes only elements marked
``data-pagefind-body`` (the paper pages) and splits the index into small fragments, so a browser
loads only the pieces a query needs. This module runs it; it never touches the final output/
folder itself: build.py calls it on the temporary folder before the atomic swap.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from generator.diagnostics import UserError

BUNDLE_DIR = "pagefind"
TIMEOUT_SECONDS = 1800


def pagefind_executable() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise UserError("error: search: the 'pagefind-bin' package is not installed; "
                        "install it or set 'search: {enabled: false}' in site.yaml") from None
    return get_executable()


def index_site(site_dir: Path, language: str, output: Path | None = None,
               on_start: Callable[[subprocess.Popen], None] | None = None) -> None:
    """Write the search bundle into ``output`` (default ``site_dir/pagefind/``). Raises
    UserError if Pagefind fails. ``on_start`` receives the running process (to stop it early).

    ``--force-language`` keeps a single index whatever ``lang`` attributes pages carry, so the
    output does not depend on which page Pagefind happens to read first.
    """
    where = ["--output-path", str(output)] if output else ["--output-subdir", BUNDLE_DIR]
    command = [str(pagefind_executable()), "--site", str(site_dir), *where,
               "--force-language", language.split("-")[0].lower(), "--silent"]
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
