"""The issue and topic export files (BibTeX, RIS, CSL-JSON) made from hostile text: every
record stays one record, read back by real parsers, and a file holds each paper once under a
unique key."""

from __future__ import annotations

import json

import bibtexparser
import rispy
from hypothesis import example, given
from hypothesis import strategies as st

from generator.exports.files import _collection_files
from generator.exports.formats import _CONTROL, _LINE_BREAKS, _one_line
from generator.site.scholarly import CitationSource

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
BREAKING = st.text(st.sampled_from(list("ab \r\n\t\x0b\x0c\x85\u2028\u2029\x00\x1f\x7f\"{}\\")),
                   max_size=20)


def source(title: str, author: str, abstract: str = "Text.") -> CitationSource:
    return CitationSource(title=title, authors=(author, "Smith, Jane"), description=abstract,
                          abstract=abstract, date_iso="2026-07-01",
                          url="https://example.org/papers/a/", site_title="T", language="en",
                          arxiv="2607.00001", arxiv_url="https://arxiv.org/abs/2607.00001",
                          keywords=("cs-cl",))


@given(text=st.one_of(TEXT, BREAKING))
@example(text="a\r\nb\u2028c\x00d\te ")
def test_one_line_takes_the_short_way_only_for_text_without_breaks_or_controls(
        text: str) -> None:
    assert _one_line(text) == _CONTROL.sub("", _LINE_BREAKS.sub(" ", text)).strip()
    assert not _LINE_BREAKS.search(_one_line(text))


@given(title=st.one_of(TEXT, BREAKING), author=st.one_of(TEXT, BREAKING),
       abstract=st.one_of(TEXT, BREAKING))
@example(title='Evil"}, "id": "x', author="Ro}bert", abstract='ER  - \r\nTY  - BOOK')
def test_hostile_fields_stay_inside_one_record_of_each_format(title: str, author: str,
                                                               abstract: str) -> None:
    # Two papers whose citation keys collide: the second is renamed in every format.
    papers = [source(title, author, abstract), source(title, author, abstract + " again")]
    bib, ris, csl = _collection_files("digests/2026-07-01/", papers)

    items = json.loads(csl.data)
    lines = csl.data.decode().split("\n")[:-1]  # the file ends with a line break
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 2 + len(papers)
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == items
    assert [i["title"] for i in items] == [title, title]
    assert [i["abstract"] for i in items] == [p.abstract for p in papers]
    assert items[1]["id"] == items[0]["id"] + "b"

    entries = bibtexparser.parse_string(bib.data.decode()).entries
    assert [e.key for e in entries] == [i["id"] for i in items]
    records = rispy.loads(ris.data.decode())
    assert len(records) == len(papers)
    assert {r["type_of_reference"] for r in records} == {"UNPB"}
