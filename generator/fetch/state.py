"""The fetch state: a small JSON file committed with the site, so runs continue where the last
one stopped and never bring a paper twice.

It holds, per source, the last day fetched, and per arXiv ID written by `paperboy fetch`, the
version last seen (a replacement raises it). One ID a line keeps pull-request diffs readable.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from generator.diagnostics import UserError

FORMAT = 1


@dataclass
class FetchState:
    last_day: dict[str, dt.date] = field(default_factory=dict)  # source name -> day
    versions: dict[str, int] = field(default_factory=dict)  # arXiv ID (no version) -> version

    def to_text(self) -> str:
        sources = {name: day.isoformat() for name, day in sorted(self.last_day.items())}
        lines = ["{", f'  "format": {FORMAT},', f'  "sources": {json.dumps(sources)},',
                 '  "papers": {']
        papers = sorted(self.versions.items())
        lines += [f"    {json.dumps(arxiv)}: {version}{',' if n < len(papers) else ''}"
                  for n, (arxiv, version) in enumerate(papers, start=1)]
        lines += ["  }", "}"]
        return "\n".join(lines) + "\n"


def load_state(path: Path) -> FetchState:
    """The state in ``path`` (an empty state when the file does not exist yet)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return FetchState()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"{path.name}: error: cannot read the fetch state: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(f"{path.name}:{error.lineno}: error: not valid JSON: {error.msg}"
                        ) from None
    try:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"expected a fetch state of format {FORMAT}")
        last = {str(name): dt.date.fromisoformat(day)
                for name, day in dict(data.get("sources") or {}).items()}
        versions = {str(arxiv): int(version)
                    for arxiv, version in dict(data.get("papers") or {}).items()}
    except (TypeError, ValueError) as error:
        raise UserError(f"{path.name}: error: not a fetch state ({error}); fix it or delete it "
                        "to start from the latest announcement") from None
    return FetchState(last, versions)


def save_state(path: Path, state: FetchState) -> bool:
    """Write ``state`` when it changed (atomically); True when the file was written."""
    text = state.to_text()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return True
