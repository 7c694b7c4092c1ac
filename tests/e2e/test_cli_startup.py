"""`paperboy --help` stays fast because the CLI imports the heavy libraries only inside commands."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

HEAVY = ("jinja2", "markdown", "yaml", "numpy", "scipy", "sklearn", "nh3", "rich", "feedgen",
         "latex2mathml", "threadpoolctl")

PROGRAM = """
import sys
from generator.commands import main
try:
    main(["--help"])
except SystemExit:
    pass
print("LOADED", " ".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_cli_help_imports_no_heavy_library() -> None:
    result = subprocess.run([sys.executable, "-c", PROGRAM], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert "Usage: paperboy" in result.stdout
    loaded = set(result.stdout.split("LOADED", 1)[1].split())
    assert "click" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
