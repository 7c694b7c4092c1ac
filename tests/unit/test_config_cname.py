"""site.yaml `cname`: a custom domain for GitHub Pages, validated and normalised."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_config
from generator.diagnostics import UserError


def test_cname_is_lowercased_and_loses_a_trailing_dot(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: X\ncname: Papers.Example.ORG.\n")
    assert load_config(tmp_path).cname == "papers.example.org"


def test_cname_defaults_to_empty(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: X\ncname: ''\n")
    assert load_config(tmp_path).cname == ""


@pytest.mark.parametrize("value", ["localhost", "https://example.org", "a..b", "-x.org",
                                   "ex ample.org", "'x.org\\nSet-Cookie: a'"])
def test_cname_rejects_what_is_not_a_domain(tmp_path: Path, value: str) -> None:
    (tmp_path / "site.yaml").write_text(f"title: X\ncname: {value}\n")
    with pytest.raises(UserError) as info:
        load_config(tmp_path)
    (diagnostic,) = info.value.diagnostics
    assert diagnostic.format().startswith("site.yaml:2: error: cname: must be a domain name")
