"""Print the lowest allowed version of each runtime dependency as pip constraints.

`make test-floors` installs Paperboy with these pins into a separate venv and runs the fast
tier, so a floor in pyproject.toml is a version that was measured to work.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_FLOOR = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def floors(pyproject: Path) -> list[str]:
    """``name==floor`` for every dependency that has one (all of them should)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = _FLOOR.match(requirement)
        if match is None:
            raise SystemExit(f"pyproject.toml: dependency without a floor: {requirement}")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
    print("\n".join(floors(root / "pyproject.toml")))
