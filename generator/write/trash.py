"""Remove a large folder without making the caller wait for the disk.

On file systems mounted with online discard every unlink waits for the device, so deleting
a served 10k-paper site took minutes and held up Ctrl-C. The folder is renamed aside at once
(so its name is free and nothing serves it or takes it for something else) and a detached,
low-priority process deletes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

_DELETE = "import os, shutil, sys; os.nice(10); shutil.rmtree(sys.argv[1], ignore_errors=True)"


def discard(folder: Path, aside: Path | None = None, *, background: bool = True) -> None:
    """Rename ``folder`` to ``aside`` (default: a hidden sibling), then delete it, in a
    detached process when ``background`` (in this one if that cannot start)."""
    if not folder.exists():
        return
    if aside is None:
        aside = folder.with_name(f".{folder.name.lstrip('.')}.trash-{os.urandom(4).hex()}")
    try:
        folder.rename(aside)
    except OSError:
        aside = folder  # cannot rename (busy?): still delete it, just not instantly
    if not (background and remove_in_background(aside)):
        shutil.rmtree(aside, ignore_errors=True)


def remove_in_background(folder: Path) -> bool:
    """Start a detached process that deletes ``folder``; False if it could not start."""
    try:
        subprocess.Popen([sys.executable, "-c", _DELETE, str(folder)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError:
        return False
    return True
