"""Scholarly metadata: meta tags, JSON-LD and BibTeX from hostile entry text."""

from __future__ import annotations

import json
import re

from generator.site.scholarly import (
    CitationSource,
    bibtex_text,
    citation_key,
    json_ld_data,
    meta_tags,
    render_bibtex,
    render_json_ld,
)

SOURCE = CitationSource(
    title="Attention Is All You Need", authors=("Ashish Vaswani", "Noam Shazeer"),
    description="The dominant sequence transduction models…",
    abstract="The dominant sequence transduction models are based on attention.",
    date_iso="2024-03-12", url="https://u.github.io/repo/papers/1706.03762/",
    site_title="Lab Digest", language="en", arxiv="1706.03762",
    arxiv_url="https://arxiv.org/abs/1706.03762v7", pdf_url="https://arxiv.org/pdf/1706.03762v7",
    doi="10.48550/arXiv.1706.03762", doi_url="https://doi.org/10.48550/arXiv.1706.03762",
    keywords=("nlp", "transformers"), topic="Language models",
)
HOSTILE = CitationSource(
    title='</script><script>alert(1)</script> & "quotes" 100% #1 a_b {x',
    authors=("Robert'); DROP TABLE--", "Ünïcødé Name"), description="d", abstract="a<b>c",
    date_iso="2024-12-01", url="https://u.github.io/p/", site_title="S", language="en",
)


def by_key(tags) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in tags:
        found.setdefault(tag.key, []).append(tag.content)
    return found


def test_meta_tags_cover_open_graph_twitter_and_google_scholar() -> None:
    tags = by_key(meta_tags(SOURCE))
    assert tags["og:title"] == tags["twitter:title"] == tags["citation_title"] == [SOURCE.title]
    assert tags["og:url"] == [SOURCE.url] and tags["og:type"] == ["article"]
    assert tags["twitter:card"] == ["summary"]
    assert tags["citation_author"] == ["Ashish Vaswani", "Noam Shazeer"]
    assert tags["citation_publication_date"] == ["2024/03/12"]
    assert tags["citation_pdf_url"] == ["https://arxiv.org/pdf/1706.03762v7"]
    assert tags["citation_doi"] == ["10.48550/arXiv.1706.03762"]
    assert tags["citation_arxiv_id"] == ["1706.03762"]


def test_meta_tags_use_large_card_and_image_when_paper_has_thumbnail() -> None:
    from dataclasses import replace

    tags = by_key(meta_tags(replace(SOURCE, image="https://example.org/fig.png")))
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["og:image"] == tags["twitter:image"] == ["https://example.org/fig.png"]


def test_json_ld_is_a_scholarly_article_with_identifiers() -> None:
    data = json.loads(str(render_json_ld(SOURCE)))
    assert data["@type"] == "ScholarlyArticle" and data["@context"] == "https://schema.org"
    assert [a["name"] for a in data["author"]] == ["Ashish Vaswani", "Noam Shazeer"]
    assert {i["propertyID"]: i["value"] for i in data["identifier"]} == {
        "arXiv": "1706.03762", "DOI": "10.48550/arXiv.1706.03762"}
    assert data["datePublished"] == "2024-03-12" and data["keywords"] == ["nlp", "transformers"]
    assert data["about"] == "Language models"


def test_json_ld_cannot_close_its_script_element() -> None:
    text = str(render_json_ld(HOSTILE))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == json_ld_data(HOSTILE)  # escaping loses nothing


def test_bibtex_entry_for_an_arxiv_paper() -> None:
    entry = render_bibtex(SOURCE)
    assert entry.splitlines()[0] == "@misc{vaswani2024attention,"
    assert "  title = {Attention Is All You Need},\n" in entry
    assert "  author = {Ashish Vaswani and Noam Shazeer},\n" in entry
    assert "  eprint = {1706.03762},\n  archivePrefix = {arXiv},\n" in entry
    assert "  month = {mar},\n" in entry and entry.endswith("}")


def test_bibtex_fields_cannot_break_out_of_their_braces() -> None:
    entry = render_bibtex(HOSTILE)
    title = re.search(r"title = \{(.*)\},\n", entry).group(1)
    assert r"\&" in title and r"100\%" in title and r"\#1" in title and r"a\_b" in title
    assert r"\{x" in title
    depth = 0
    for char in re.sub(r"\\[{}]", "", entry):  # braces balance once escapes are removed
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_bibtex_keeps_balanced_math_and_escapes_unbalanced_math() -> None:
    assert bibtex_text("Cost $O(n^{2})$ per layer", keep_math=True) == \
        "Cost $O(n^{2})$ per layer"
    assert bibtex_text("Bad $x}$ math", keep_math=True) == r"Bad \$x\}\$ math"
    assert bibtex_text(r"back\slash ~ ^") == \
        r"back\textbackslash{}slash \textasciitilde{} \textasciicircum{}"


def test_citation_key_is_ascii_family_name_year_and_first_word() -> None:
    assert citation_key(("Kaiming Hé",), "2016", "The Deep Residual Learning") == \
        "he2016deep"
    assert citation_key((), "2020", "!!!") == "anon2020paper"
