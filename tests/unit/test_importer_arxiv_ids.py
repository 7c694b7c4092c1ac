"""The importers use the content loader's arXiv ID rule: an ID the loader rejects is reported and
skipped by every importer, and the IDs it accepts are written and load back unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.content import load_content
from generator.diagnostics import UserError
from generator.importers import import_jsonl
from generator.importers.arxiv import parse_id_argument
from generator.importers.arxiv_atom import ArxivError, fetch_atom, parse_atom
from generator.importers.entry_writer import load_existing_arxiv_ids, normalise_arxiv_id
from generator.importers.hf import parse_daily_paper

# Shaped like arXiv IDs, and accepted by the importers' former, looser copies of the rule.
LOADER_REJECTS = (
    "0912.12345",  # five digits before 2015
    "2302.0667",  # four digits from 2015
    "2513.00001",  # month 13
    "2300.00001",  # month 00
    "2302.06675v0",  # versions start at v1
    "hep-/9901001",  # archive name ends with '-'
)
LOADER_ACCEPTS = (
    ("0704.0001", "0704.0001", None),  # the first new-style ID, four digits
    ("2302.06675v2", "2302.06675", "v2"),  # five digits, with a version
    ("hep-th/9901001", "hep-th/9901001", None),  # old style
    ("math.AG/0601001v3", "math.AG/0601001", "v3"),  # old style, subject class and version
)


def record(arxiv: str) -> str:
    return json.dumps({"id": arxiv, "title": f"Paper {arxiv}", "date": "2025-03-01",
                       "abstract": "An abstract.", "authors": ["Ada"]}) + "\n"


def loaded(site: Path) -> dict[str, tuple[str | None, str | None]]:
    """Title -> (arxiv, version) of the papers the content loader accepts; no errors allowed."""
    result = load_content(site, "content")
    assert [d.format() for d in result.diagnostics if d.level == "error"] == []
    return {p.title: (p.arxiv, p.arxiv_version) for p in result.papers}


def loader_accepts(site: Path, arxiv: str) -> bool:
    (site / "content").mkdir(parents=True, exist_ok=True)
    (site / "content" / "probe.md").write_text(
        f'---\ntitle: Probe\ndate: 2025-03-01\narxiv: "{arxiv}"\n---\nAbstract.\n')
    return not any(d.level == "error" for d in load_content(site, "content").diagnostics)


@pytest.mark.parametrize("arxiv", LOADER_REJECTS)
def test_importers_report_an_id_the_loader_rejects(tmp_path: Path, arxiv: str) -> None:
    assert not loader_accepts(tmp_path / "probe", arxiv)
    source = tmp_path / "in.jsonl"
    source.write_text(record("2503.00001") + record(arxiv), encoding="utf-8")
    report = import_jsonl(source, tmp_path / "site" / "content")
    assert [p.name for p in report.written] == ["2503.00001.md"]
    assert report.problems == (f"{source}:2: skipped record: 'id' is not an arXiv ID: "
                               f"{arxiv!r}",)
    with pytest.raises(ValueError, match=r"'paper\.id' is not an arXiv ID"):
        parse_daily_paper({"paper": {"id": arxiv, "title": "T", "summary": "S"},
                           "publishedAt": "2025-03-01T00:00:00Z"})
    with pytest.raises(UserError, match="is not an arXiv ID"):
        parse_id_argument(f"arXiv:{arxiv}")
    with pytest.raises(ArxivError, match="is not an arXiv ID"):  # refused before any request
        fetch_atom([arxiv], "http://127.0.0.1:9/never-asked")
    assert normalise_arxiv_id(f"see arXiv:{arxiv} here") is None


@pytest.mark.parametrize(("arxiv", "normalised", "version"), LOADER_ACCEPTS)
def test_importers_write_ids_the_loader_accepts(tmp_path: Path, arxiv: str, normalised: str,
                                                version: str | None) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(record(arxiv), encoding="utf-8")
    report = import_jsonl(source, tmp_path / "site" / "content")
    assert report.problems == () and len(report.written) == 1
    assert loaded(tmp_path / "site") == {f"Paper {arxiv}": (normalised, version)}
    assert parse_id_argument(f"arXiv:{arxiv}") == normalised
    assert normalise_arxiv_id(f"https://arxiv.org/abs/{arxiv}") == normalised
    assert load_existing_arxiv_ids(tmp_path / "site" / "content") == {
        normalised: report.written[0]}


def test_import_jsonl_repeat_copies_pass_the_loader_in_every_id_style(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(record(a) for a, _, _ in LOADER_ACCEPTS), encoding="utf-8")
    content = tmp_path / "site" / "content"
    report = import_jsonl(source, content, repeat=3)
    assert report.problems == () and len(report.written) == 3 * len(LOADER_ACCEPTS)
    problems = load_content(tmp_path / "site", "content").diagnostics
    assert [d.format() for d in problems if d.field == "arxiv"] == []  # copies share titles
    ids = load_existing_arxiv_ids(content)
    assert len(ids) == len(report.written)
    assert sorted(i for i in ids if i.startswith("0704.")) == ["0704.0001", "0704.9998",
                                                               "0704.9999"]
    assert sorted(i for i in ids if i.startswith("math")) == [
        "math.AG/0601001", "math.AG/0601998", "math.AG/0601999"]


def test_atom_answer_with_an_id_the_loader_rejects_is_a_problem_line() -> None:
    feed = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
            b"<id>http://arxiv.org/abs/2513.00001v1</id><title>Month thirteen</title>"
            b"<summary>S</summary></entry></feed>")
    papers, problems = parse_atom(feed)
    assert papers == [] and problems == [
        "entry 1: no paper with this ID (id 'http://arxiv.org/abs/2513.00001v1', "
        "title 'Month thirteen')"]
