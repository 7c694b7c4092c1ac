"""`sources:` and `fetch:` in site.yaml: typed sources, defaults, and site.yaml:LINE errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.config import ArxivSource, HuggingFaceSource, arxiv_query_problem, load_config
from tests.unit.test_config import errors_of

SOURCES = """\
title: X
fetch:
  holidays: [2026-12-28]
  page_size: 500
sources:
  - type: arxiv
    categories: [cs.LG, stat.ML]
    exclude: [survey]
  - type: arxiv
    name: diffusion
    query: 'abs:"diffusion model" ANDNOT (ti:survey OR ti:review)'
    categories: cs.CV
    authors: [Ada Lovelace]
  - type: huggingface
    min_upvotes: 10
"""


def test_sources_parse_with_defaults(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text(SOURCES)
    config = load_config(tmp_path)
    assert config.fetch.holidays == (dt.date(2026, 12, 28),)
    assert config.fetch.page_size == 500 and config.fetch.state == "fetch-state.json"
    assert config.sources == (
        ArxivSource(name="arxiv-cs.LG-stat.ML", categories=("cs.LG", "stat.ML"),
                    exclude=("survey",), min_papers=1, line=6),
        ArxivSource(name="diffusion", categories=("cs.CV",),
                    query='abs:"diffusion model" ANDNOT (ti:survey OR ti:review)',
                    authors=("Ada Lovelace",), min_papers=0, line=9),
        HuggingFaceSource(min_upvotes=10, line=14),
    )


def test_no_sources_by_default(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: X\n")
    assert load_config(tmp_path).sources == ()


def test_source_mistakes_are_reported_with_their_line(tmp_path: Path) -> None:
    text = """\
sources:
  - type: arxiv
    categories: [cs.LG, "not a category"]
  - type: rss
  - categories: [cs.LG]
  - type: arxiv
    query: 'title:transformers'
  - type: arxiv
    categorys: [cs.LG]
  - type: huggingface
    min_upvotes: -1
  - type: arxiv
    categories: [cs.CL]
  - type: arxiv
    categories: [cs.CL]
fetch:
  holidays: [2026-12-24, Christmas]
  page_size: 5000
"""
    assert errors_of(tmp_path, text) == [
        "site.yaml:3: error: sources[1].categories: must be arXiv categories such as cs.LG or "
        "hep-th, got 'not a category'",
        "site.yaml:4: error: sources[2].type: each source needs type: arxiv or type: "
        "huggingface, got type 'rss'",
        "site.yaml:5: error: sources[3]: each source needs type: arxiv or type: huggingface, "
        "got no type",
        "site.yaml:7: error: sources[4].query: unknown field 'title:' (use one of ti:, au:, "
        "abs:, co:, jr:, cat:, rn:, id:, all:)",
        "site.yaml:8: error: sources[5]: an arXiv source needs categories, a query or both",
        "site.yaml:9: error: sources[5].categorys: unknown option (did you mean "
        "'sources[5].categories'?)",
        "site.yaml:11: error: sources[6].min_upvotes: must be between 0 and 1000000, got -1",
        "site.yaml:14: error: sources[8]: two sources named 'arxiv-cs.CL' (the other is on "
        "line 12); give one a name:",
        "site.yaml:17: error: fetch.holidays: must be a list of YYYY-MM-DD dates, got "
        "'Christmas'",
        "site.yaml:18: error: fetch.page_size: must be between 1 and 2000, got 5000",
    ]


def test_sources_must_be_a_list(tmp_path: Path) -> None:
    assert errors_of(tmp_path, "sources:\n  type: arxiv\n") == [
        "site.yaml:1: error: sources: must be a list of sources, e.g. [{type: arxiv, "
        "categories: [cs.LG]}, {type: huggingface}]"]


@pytest.mark.parametrize("query", [
    "ti:transformer",
    'abs:"large language model" AND cat:cs.CL',
    "(au:lecun OR au:bengio) ANDNOT ti:survey",
    "all:electron AND (cat:hep-ph OR cat:astro-ph.CO)",
])
def test_arxiv_queries_that_are_accepted(query: str) -> None:
    assert arxiv_query_problem(query) == ""


@pytest.mark.parametrize(("query", "problem"), [
    ("transformer", "expected a term such as ti:word"),
    ("ti:a AND", "ends without a term"),
    ("AND ti:a", "has AND without a term before it"),
    ("ti:a ti:b", "needs AND, OR or ANDNOT before 'ti:b'"),
    ("(ti:a OR ti:b", "has an unclosed '('"),
    ("ti:a)", "has a ')' without a term or '(' before it"),
    ('ti:"open', "has an unclosed quote"),
    ("ti:a and ti:b", "expected a term such as ti:word"),
    ("", "must not be empty"),
])
def test_arxiv_queries_that_are_refused(query: str, problem: str) -> None:
    assert problem in arxiv_query_problem(query)
