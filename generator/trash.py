"""Remove a large folder without making the caller wait for the disk.

On file systems mounted with online discard every unlink waits for the device, so deleting
a served 10k-paper site took minutes and held up Ctrl-C. The folder is renamed aside at once
(so its name is free and nothing serves it) and a detached process deletes it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_DELETE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def discard(folder: Path) -> None:
    """Rename ``folder`` to a hidden sibling and delete that in the background."""
    if not folder.exists():
        return
    aside = folder.with_name(f".{folder.name.lstrip('.')}.trash-{os.urandom(4).hex()}")
    try:
        folder.rename(aside)
    except OSError:
        aside = folder  # cannot rename (busy?): still delete it, just not instantly
    subprocess.Popen([sys.executable, "-c", _DELETE, str(aside)], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
