"""Parsing arXiv API Atom answers: fields, unwrapped abstracts, error entries, hostile XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.importers.arxiv_atom import ArxivError, api_url, parse_atom

ATOM = Path(__file__).resolve().parent.parent / "data" / "arxiv-2302.06675.atom"


def test_parse_atom_reads_the_recorded_answer() -> None:
    papers, problems = parse_atom(ATOM.read_bytes())
    assert problems == []
    (paper,) = papers
    assert paper.arxiv == "2302.06675"  # the version suffix of the id URL is dropped
    assert paper.title == "Symbolic Discovery of Optimization Algorithms"
    assert paper.authors[0] == "Xiangning Chen" and paper.authors[-1] == "Quoc V. Le"
    assert len(paper.authors) == 12
    assert paper.categories == ("cs.LG", "cs.AI", "cs.CL", "cs.CV", "cs.NE")
    assert "Lion\n" not in paper.abstract and "Lion (Evo\\textbf{Lved" in paper.abstract


def test_parse_atom_keeps_paragraphs_and_joins_wrapped_lines() -> None:
    feed = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
            b"<id>http://arxiv.org/abs/hep-th/9901001v1</id><title>  Two\n  lines </title>"
            b"<summary>  First para\n  goes on.\n\n  Second.\n</summary></entry></feed>")
    (paper,), _ = parse_atom(feed)
    assert (paper.arxiv, paper.title) == ("hep-th/9901001", "Two lines")
    assert paper.abstract == "First para goes on.\n\nSecond."


def test_parse_atom_turns_error_and_empty_entries_into_problems() -> None:
    feed = (b'<feed xmlns="http://www.w3.org/2005/Atom">'
            b"<entry><id>http://arxiv.org/api/errors#bad</id><title>Error</title>"
            b"<summary>incorrect id format for 1234</summary></entry>"
            b"<entry><id>http://arxiv.org/abs/2401.00001v1</id><title></title></entry></feed>")
    papers, problems = parse_atom(feed)
    assert papers == []
    assert problems == ["entry 1: the arXiv API reported an error: incorrect id format for 1234",
                        "entry 2: no paper with this ID (id 'http://arxiv.org/abs/2401.00001v1',"
                        " title '')"]


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>',
    b"not xml at all",
    b"<rss/>",
])
def test_parse_atom_refuses_entities_and_non_atom(data: bytes) -> None:
    with pytest.raises(ArxivError):
        parse_atom(data)


def test_api_url_prefers_option_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_ARXIV_API", "http://127.0.0.1:1/env")
    assert api_url("http://127.0.0.1:1/option") == "http://127.0.0.1:1/option"
    assert api_url(None) == "http://127.0.0.1:1/env"
    monkeypatch.delenv("PAPERBOY_ARXIV_API")
    assert api_url(None).endswith("/api/query")
