"""Each tests/sites/invalid/<case>/ holds one broken entry; expected.txt is the exact report.

A case may carry a site.yaml (e.g. a lower max_entry_bytes); it is loaded like the CLI does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_config
from generator.content import load_content
from generator.diagnostics import Level

INVALID = Path(__file__).resolve().parent.parent / "sites" / "invalid"
CASES = sorted(path.name for path in INVALID.iterdir() if path.is_dir())


def load_case(site: Path):
    limit = load_config(site).max_entry_bytes if (site / "site.yaml").exists() else 1_000_000
    return load_content(site, include_drafts=True, max_entry_bytes=limit)


def test_invalid_sites_exist() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_reports_exact_diagnostics(case: str) -> None:
    site = INVALID / case
    expected = (site / "expected.txt").read_text(encoding="utf-8")

    result = load_case(site)

    assert "".join(d.format() + "\n" for d in result.diagnostics) == expected
    assert any(d.level is Level.ERROR for d in result.diagnostics)


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_leaves_out_every_paper_with_an_error(case: str) -> None:
    result = load_case(INVALID / case)

    bad_places = {(d.path, d.line) for d in result.diagnostics}
    for paper in result.papers:
        lines = {paper.source.line, *paper.field_lines.values()}
        assert not {(paper.source.path, line) for line in lines} & bad_places
