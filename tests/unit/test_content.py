"""load_content: finding, reading and validating entries; exact diagnostics for each mistake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pytest

from generator.content import load_content
from generator.models import LoadResult, SourceRef
from generator.slugs import short_hash

BODY = "An abstract.\n"


def md(front: str, body: str = BODY) -> str:
    """A Markdown entry; ``front`` is the YAML between the fences (starts at line 2)."""
    return f"---\n{front}---\n{body}"


GOOD = "title: A Paper\ndate: 2024-03-12\n"


def load(root: Path, files: Mapping[str, str | bytes], **options: object) -> LoadResult:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (root / "content").mkdir(exist_ok=True)
    return load_content(root, **options)  # type: ignore[arg-type]


def messages(result: LoadResult) -> list[str]:
    return [d.format() for d in result.diagnostics]


# -- entries that load ---------------------------------------------------------------------


def test_markdown_entry_loads_every_field(tmp_path: Path) -> None:
    front = (
        "title: '  Attention Is All You Need '\ndate: 2024-03-12\n"
        "authors: [Ashish Vaswani, Noam Shazeer]\narxiv: 1706.03762v7\n"
        "doi: https://doi.org/10.48550/arXiv.1706.03762\nurl: https://example.org/p\n"
        "pdf: https://example.org/p.pdf\ncode: https://github.com/x/y\n"
        "project: http://example.org\nthumbnail: https://example.org/t.png\n"
        "tags: [NLP, transformers]\nupvotes: 42\nsubmitted_by: Ada\ndraft: false\n"
    )
    result = load(tmp_path, {"content/2024/attention.md": md(front, "\n\nThe abstract.\t$x$\n")})

    assert messages(result) == []
    (paper,) = result.papers
    assert paper.title == "Attention Is All You Need"
    assert paper.abstract == "The abstract.\t$x$"
    assert paper.date == dt.date(2024, 3, 12)
    assert paper.authors == ("Ashish Vaswani", "Noam Shazeer")
    assert (paper.arxiv, paper.arxiv_version) == ("1706.03762", "v7")
    assert paper.doi == "10.48550/arXiv.1706.03762"
    assert paper.url == "https://example.org/p"
    assert paper.tags == ("nlp", "transformers")
    assert (paper.upvotes, paper.submitted_by, paper.draft) == (42, "Ada", False)
    assert paper.source == SourceRef("content/2024/attention.md", 2)
    assert paper.slug == "1706.03762"
    assert paper.line_of("upvotes") == 13
    assert paper.line_of("abstract") == 19  # after two blank lines


def test_single_yaml_entry_loads(tmp_path: Path) -> None:
    yaml = "# comment\ntitle: Adam\ndate: 2024-03-10\nabstract: |\n  Line one.\n  Line two.\n"
    result = load(tmp_path, {"content/adam.yaml": yaml})

    (paper,) = result.papers
    assert paper.abstract == "Line one.\nLine two."
    assert paper.source == SourceRef("content/adam.yaml", 2)
    assert paper.slug == "adam"


def test_list_yaml_gives_each_paper_its_item_line(tmp_path: Path) -> None:
    yaml = ("papers:\n  - title: One\n    date: 2024-03-11\n    abstract: a\n"
            "\n  - title: Two\n    date: 2024-03-12\n    abstract: b\n")
    result = load(tmp_path, {"content/list.yml": yaml})

    assert [(p.title, p.source.line, p.line_of("date")) for p in result.papers] == [
        ("Two", 6, 7), ("One", 2, 3)]


def test_bom_and_crlf_keep_lines_right(tmp_path: Path) -> None:
    text = "\ufeff---\r\ntitle: Windows\r\ndate: 2024-03-12\r\nupvotes: 1\r\n---\r\nBody.\r\n"
    result = load(tmp_path, {"content/w.md": text.encode("utf-8")})

    (paper,) = result.papers
    assert (paper.title, paper.abstract, paper.line_of("upvotes")) == ("Windows", "Body.", 4)


def test_bom_and_crlf_errors_point_at_the_right_line(tmp_path: Path) -> None:
    text = "\ufeff---\r\ntitle: Windows\r\n\r\ndate: 3/12/2024\r\n---\r\nBody.\r\n"
    result = load(tmp_path, {"content/w.md": text.encode("utf-8")})

    assert messages(result) == ["content/w.md:4: error: date: must be YYYY-MM-DD or a "
                                "date-time such as 2025-02-02T22:23:00Z, got '3/12/2024'"]


def test_drafts_are_left_out_unless_included(tmp_path: Path) -> None:
    files = {"content/a.md": md(GOOD + "draft: true\n"),
             "content/b.md": md("title: B\ndate: 2024-03-12\n")}
    assert [p.title for p in load(tmp_path, files).papers] == ["B"]
    assert [p.title for p in load_content(tmp_path, include_drafts=True).papers] == [
        "A Paper", "B"]


def test_papers_are_sorted_newest_first_then_by_slug(tmp_path: Path) -> None:
    files = {"content/a.md": md("title: Zeta\ndate: 2024-03-12\n"),
             "content/b.md": md("title: Alpha\ndate: 2024-03-12\n"),
             "content/c.md": md("title: Newest\ndate: 2024-03-13\n")}
    assert [p.slug for p in load(tmp_path, files).papers] == ["newest", "alpha", "zeta"]


def test_hidden_underscore_readme_and_other_files_are_ignored(tmp_path: Path) -> None:
    broken = "not an entry"
    files = {"content/.hidden.md": broken, "content/_draft.yaml": broken,
             "content/README.md": broken, "content/sub/readme.md": broken,
             "content/.git/x.md": broken, "content/_partials/x.md": broken,
             "content/notes.txt": broken, "content/sub/ok.markdown": md(GOOD)}
    result = load(tmp_path, files)

    assert messages(result) == []
    assert [p.source.path for p in result.papers] == ["content/sub/ok.markdown"]


def test_custom_content_dir_gives_paths_relative_to_site_root(tmp_path: Path) -> None:
    result = load(tmp_path, {"papers/2024/x.md": md("title: X\n")}, content_dir="papers")

    assert messages(result) == ["papers/2024/x.md:2: error: date: required field is missing"]


def test_missing_content_folder_is_a_warning(tmp_path: Path) -> None:
    result = load_content(tmp_path, "nowhere")

    assert messages(result) == [
        "nowhere: warning: content folder not found; the site has no papers"]


def test_tags_are_slugified_deduplicated_and_sorted(tmp_path: Path) -> None:
    result = load(tmp_path, {"content/a.md": md(
        GOOD + "tags: [Vision, 'Computer Vision', vision, ' NLP ', Schrödinger]\n")})

    assert result.papers[0].tags == ("computer-vision", "nlp", "schrodinger", "vision")


@pytest.mark.parametrize(("written", "arxiv", "version"), [
    ("2302.06675", "2302.06675", None),
    ("'2302.06675v2'", "2302.06675", "v2"),
    ("0704.0001", "0704.0001", None),
    ("1412.6985", "1412.6985", None),
    ("hep-th/9901001v3", "hep-th/9901001", "v3"),
    ("math.GT/0309136", "math.GT/0309136", None),
])
def test_arxiv_ids_load_quoted_or_not(tmp_path: Path, written: str, arxiv: str,
                                      version: str | None) -> None:
    result = load(tmp_path, {"content/a.md": md(GOOD + f"arxiv: {written}\n")})

    assert messages(result) == []
    assert (result.papers[0].arxiv, result.papers[0].arxiv_version) == (arxiv, version)


def test_empty_optional_field_counts_as_absent(tmp_path: Path) -> None:
    result = load(tmp_path, {"content/a.md": md(GOOD + "doi:\nupvotes:\n")})

    assert messages(result) == []
    assert (result.papers[0].doi, result.papers[0].upvotes) == (None, None)


# -- slugs ---------------------------------------------------------------------------------


def test_slug_comes_from_arxiv_id(tmp_path: Path) -> None:
    files = {"content/a.md": md(GOOD + "arxiv: hep-th/9901001\n"),
             "content/b.md": md("title: B\ndate: 2024-03-12\narxiv: math.GT/0309136\n")}
    assert sorted(p.slug for p in load(tmp_path, files).papers) == [
        "hep-th-9901001", "math.gt-0309136"]


def test_slug_comes_from_title_or_falls_back_to_paper(tmp_path: Path) -> None:
    long_title = "A Very Long Title " * 10
    files = {"content/a.md": md(f"title: {long_title}\ndate: 2024-03-12\n"),
             "content/b.md": md("title: 日本語\ndate: 2024-03-11\n")}
    slugs = [p.slug for p in load(tmp_path, files).papers]

    assert slugs[0].startswith("a-very-long-title") and len(slugs[0]) <= 60
    assert slugs[1] == "paper"


def test_slug_collision_earliest_paper_keeps_the_plain_slug(tmp_path: Path) -> None:
    # Different titles (not duplicates) that slugify alike.
    files = {"content/a.md": md("title: Résumé\ndate: 2024-03-12\n"),
             "content/b.md": md("title: Resume\ndate: 2024-03-01\n")}
    result = load(tmp_path, files)

    assert messages(result) == []
    assert {p.source.path: p.slug for p in result.papers} == {
        "content/b.md": "resume", "content/a.md": "resume-" + short_hash("content/a.md:2")}


def test_slug_collision_is_stable_when_papers_are_added(tmp_path: Path) -> None:
    files = {"content/m.md": md("title: Resume\ndate: 2024-03-12\n")}
    first = {p.source.path: p.slug for p in load(tmp_path, files).papers}
    files = {"content/a.md": md("title: Résumé\ndate: 2024-03-13\n"),
             "content/z.md": md("title: Resumé\ndate: 2024-03-14\n")}
    second = {p.source.path: p.slug for p in load(tmp_path, files).papers}

    assert first == {"content/m.md": "resume"}
    assert second == {"content/m.md": "resume",
                      "content/a.md": "resume-" + short_hash("content/a.md:2"),
                      "content/z.md": "resume-" + short_hash("content/z.md:2")}


def test_slugs_are_unique_within_a_list_file(tmp_path: Path) -> None:
    prefix = "A title long enough to be cut at sixty characters by slugify "
    item = "  - title: '{}'\n    date: 2024-03-12\n    abstract: x\n"
    yaml = "papers:\n" + "".join(item.format(prefix + end) for end in ["one", "two", "three"])
    result = load(tmp_path, {"content/l.yaml": yaml})

    slugs = {p.source.line: p.slug for p in result.papers}
    base = slugs[2]
    assert messages(result) == []
    assert slugs == {2: base, 5: f"{base}-{short_hash('content/l.yaml:5')}",
                     8: f"{base}-{short_hash('content/l.yaml:8')}"}


def test_same_title_in_one_list_is_a_duplicate(tmp_path: Path) -> None:
    item = "  - title: '{}'\n    date: 2024-03-12\n    abstract: x\n"
    yaml = "papers:\n" + "".join(item.format(t) for t in ["Q&A", "q -- a!"])
    result = load(tmp_path, {"content/l.yaml": yaml})

    assert messages(result) == [
        "content/l.yaml:5: error: title: duplicate of content/l.yaml:2 (same title)"]
    assert [p.title for p in result.papers] == ["Q&A"]


# -- every mistake, word for word ----------------------------------------------------------

ERROR_CASES = {
    "missing_title": (md("date: 2024-03-12\n"),
                      "content/e.md:2: error: title: required field is missing"),
    "empty_title": (md("title: ''\ndate: 2024-03-12\n"),
                    "content/e.md:2: error: title: must not be empty"),
    "title_nested_mapping": (md("title: {a: b}\ndate: 2024-03-12\n"),
                             "content/e.md:2: error: title: must be text, got a mapping"),
    "title_number": (md("title: 1984\ndate: 2024-03-12\n"),
                     "content/e.md:2: error: title: must be text, got a number\n"
                     "  hint: put quotes around it"),
    "date_format": (md("title: T\ndate: 12/03/2024\n"),
                    "content/e.md:3: error: date: must be YYYY-MM-DD or a "
                    "date-time such as 2025-02-02T22:23:00Z, got '12/03/2024'"),
    "date_missing": (md("title: T\n"), "content/e.md:2: error: date: required field is missing"),
    "date_no_such_day": (md("title: T\ndate: '2023-02-29'\n"),
                         "content/e.md:3: error: date: no such date '2023-02-29'"),
    "authors_string": (md(GOOD + "authors: Ada Lovelace\n"),
                       "content/e.md:4: error: authors: must be a list of names, got a single "
                       "string\n  hint: write authors: [First Author, Second Author]"),
    "authors_empty_item": (md(GOOD + "authors:\n  - Ada\n  - ''\n"),
                           "content/e.md:6: error: authors: item 2 must be a non-empty name, "
                           "got ''"),
    "arxiv_invalid": (md(GOOD + "arxiv: arXiv 2302\n"),
                      "content/e.md:4: error: arxiv: must be an arXiv ID like 2302.06675 or "
                      "hep-th/9901001, got 'arXiv 2302'"),
    "arxiv_lost_zero": (md(GOOD + "arxiv: 2302.10\n"),
                        "content/e.md:4: error: arxiv: read as the number 2302.1, which may "
                        "have lost digits; quote the arXiv ID"),
    "doi_invalid": (md(GOOD + "doi: 11.1234/x\n"),
                    "content/e.md:4: error: doi: must be a DOI like 10.1234/abc, got "
                    "'11.1234/x'"),
    "url_javascript": (md(GOOD + "url: javascript:alert(1)\n"),
                       "content/e.md:4: error: url: must be an absolute http(s) URL, got "
                       "'javascript:alert(1)'"),
    "url_data": (md(GOOD + "thumbnail: data:image/png;base64,AAAA\n"),
                 "content/e.md:4: error: thumbnail: must be an absolute http(s) URL, got "
                 "'data:image/png;base64,AAAA'"),
    "url_relative": (md(GOOD + "project: ../x.html\n"),
                     "content/e.md:4: error: project: must be an absolute http(s) URL, got "
                     "'../x.html'"),
    "url_no_host": (md(GOOD + "code: https:///x\n"),
                    "content/e.md:4: error: code: must be an absolute http(s) URL, got "
                    "'https:///x'"),
    "tags_not_list": (md(GOOD + "tags: nlp, vision\n"),
                      "content/e.md:4: error: tags: must be a list of tags, got text\n"
                      "  hint: write tags: [nlp, vision]"),
    "tag_not_text": (md(GOOD + "tags: [nlp, 2024]\n"),
                     "content/e.md:4: error: tags: item 2 must be text, got a number\n"
                     "  hint: put quotes around it"),
    "tag_empty_slug": (md(GOOD + "tags: ['???']\n"),
                       "content/e.md:4: error: tags: tag '???' has no letters or digits"),
    "upvotes_negative": (md(GOOD + "upvotes: -1\n"),
                         "content/e.md:4: error: upvotes: must be a whole number >= 0, got -1"),
    "upvotes_bool": (md(GOOD + "upvotes: yes\n"),
                     "content/e.md:4: error: upvotes: must be a whole number >= 0, got true"),
    "upvotes_float": (md(GOOD + "upvotes: 1.5\n"),
                      "content/e.md:4: error: upvotes: must be a whole number >= 0, got 1.5"),
    "submitted_by_list": (md(GOOD + "submitted_by: [a]\n"),
                          "content/e.md:4: error: submitted_by: must be text, got a list"),
    "draft_not_bool": (md(GOOD + "draft: 'no'\n"),
                       "content/e.md:4: error: draft: must be true or false, got 'no'"),
    "unknown_field": (md(GOOD + "autors: [Ada]\n"),
                      "content/e.md:4: error: autors: unknown field (did you mean 'authors'?)"),
    "unknown_int_key": (md(GOOD + "42: x\n"), "content/e.md:4: error: 42: unknown field"),
    "abstract_twice": (md(GOOD + "abstract: Here.\n"),
                       "content/e.md:4: error: abstract: given both in the front matter and "
                       "below it; keep one"),
    "abstract_missing": (md(GOOD, " \n"),
                         "content/e.md:2: error: abstract: required field is missing\n"
                         "  hint: write the abstract below the closing '---'"),
    "unclosed_front_matter": ("---\ntitle: T\n--\nBody\n",
                              "content/e.md:1: error: front matter starting at line 1 is never "
                              "closed; add a line with '---'"),
    "no_front_matter": ("title: T\n---\nBody\n",
                        "content/e.md:1: error: no front matter; did you forget the opening "
                        "'---' line?"),
    "empty_front_matter": ("---\n---\nBody\n",
                           "content/e.md:1: error: front matter is empty; expected fields such "
                           "as title and date"),
    "yaml_syntax": (md(GOOD + "authors: [a\nupvotes: 1\n"),
                    "content/e.md:5:8: error: YAML syntax error: did not find expected ',' or "
                    "']'"),
    "yaml_alias": (md("title: &x T\nsubmitted_by: *x\ndate: 2024-03-12\n"),
                   "content/e.md:3:15: error: YAML aliases (*name) are not allowed"),
    "python_tag": (md(GOOD + "url: !!python/name:os.system\n"),
                   "content/e.md:4:6: error: url: tag '!!python/name:os.system' is not allowed"),
    "control_character": (md(GOOD + "url: a\x07b\n"),
                          "content/e.md:4:7: error: control character U+0007 is not allowed in "
                          "YAML"),
    "list_front_matter": ("---\n- a\n- b\n---\nBody\n",
                          "content/e.md:2: error: expected a mapping of fields (key: value), "
                          "got a list"),
    "empty_file": ("", "content/e.md:1: error: file is empty"),
    "nul_byte": ("---\ntitle: T\x00\n---\n",
                 "content/e.md:2: error: contains a NUL byte; is this a binary file?"),
}


@pytest.mark.parametrize("text, expected", ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_markdown_mistake_reports_exact_message(tmp_path: Path, text: str, expected: str) -> None:
    result = load(tmp_path, {"content/e.md": text}, include_drafts=True)

    assert messages(result) == [expected]
    assert result.papers == ()


YAML_ERROR_CASES = {
    "scalar_file": ("just text\n",
                    "content/e.yaml:1: error: expected a mapping of fields (key: value), got "
                    "text"),
    "comment_only": ("# nothing\n", "content/e.yaml:1: error: file is empty"),
    "papers_not_list": ("papers: 3\n",
                        "content/e.yaml:1: error: papers: must be a list of entries, got a "
                        "number"),
    "item_not_mapping": ("papers:\n  - [a]\n",
                         "content/e.yaml:2: error: papers: item 1 must be a mapping of fields, "
                         "got a list"),
    "key_next_to_papers": ("title: T\npapers: []\n",
                           "content/e.yaml:1: error: title: unknown key in a list file (only "
                           "'papers' belongs here)\n"
                           "content/e.yaml:2: warning: papers: the list is empty"),
    "item_field_line": ("papers:\n  - title: T\n    date: 2024-03-12\n    abstract: a\n"
                        "    url: ftp://x\n",
                        "content/e.yaml:5: error: url: must be an absolute http(s) URL, got "
                        "'ftp://x'"),
    "item_missing_field": ("papers:\n  - date: 2024-03-12\n    abstract: a\n",
                           "content/e.yaml:2: error: title: required field is missing"),
    "yaml_syntax_column": ("title: T\n  date: x: y\n",
                           "content/e.yaml:2:7: error: YAML syntax error: mapping values are "
                           "not allowed in this context"),
    "duplicate_key": ("title: T\ntitle: U\n", "content/e.yaml:2:1: error: duplicate key 'title'"),
}


@pytest.mark.parametrize("text, expected", YAML_ERROR_CASES.values(),
                         ids=YAML_ERROR_CASES.keys())
def test_yaml_mistake_reports_exact_message(tmp_path: Path, text: str, expected: str) -> None:
    result = load(tmp_path, {"content/e.yaml": text})

    assert "\n".join(messages(result)) == expected
    assert result.papers == ()


def test_missing_title_reports_file_and_line(tmp_path: Path) -> None:
    result = load(tmp_path, {"content/2024/x.md": md("\ndate: 2024-03-12\n")})

    assert messages(result) == ["content/2024/x.md:3: error: title: required field is missing"]


def test_invalid_utf8_reports_line_of_first_bad_byte(tmp_path: Path) -> None:
    data = md(GOOD, "Good line.\nCaf\xe9.\n").encode("latin-1")
    result = load(tmp_path, {"content/e.md": data})

    assert messages(result) == [
        "content/e.md:6: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8"]


def test_file_larger_than_limit_is_rejected(tmp_path: Path) -> None:
    result = load(tmp_path, {"content/big.md": md(GOOD, "x" * 200)}, max_entry_bytes=100)

    assert messages(result) == [
        "content/big.md:1: error: file is 240 bytes, over the limit of 100 bytes\n"
        "  hint: split it into smaller files or raise max_entry_bytes in site.yaml"]


@pytest.mark.parametrize(("first", "second", "expected"), [
    ("arxiv: '2302.06675'", "arxiv: 2302.06675v2",
     "content/b.md:4: error: arxiv: duplicate of content/a.md:4 (same arXiv ID 2302.06675)"),
    ("doi: 10.1234/ABC", "doi: https://doi.org/10.1234/abc",
     "content/b.md:4: error: doi: duplicate of content/a.md:4 (same DOI 10.1234/abc)"),
])
def test_duplicate_ids_are_reported_on_the_later_entry(tmp_path: Path, first: str, second: str,
                                                       expected: str) -> None:
    files = {"content/a.md": md(f"title: One\ndate: 2024-03-12\n{first}\n"),
             "content/b.md": md(f"title: Two\ndate: 2024-03-12\n{second}\n")}
    result = load(tmp_path, files)

    assert messages(result) == [expected]
    assert [p.title for p in result.papers] == ["One"]


def test_all_problems_in_all_files_are_collected_and_sorted(tmp_path: Path) -> None:
    files = {"content/b.md": md("title: [x]\ndate: soon\nupvotes: -1\n"),
             "content/a.yaml": "papers:\n  - title: T\n  - date: 2024-03-12\n",
             "content/c.md": md(GOOD)}
    result = load(tmp_path, files)

    assert messages(result) == [
        "content/a.yaml:2: error: abstract: required field is missing",
        "content/a.yaml:2: error: date: required field is missing",
        "content/a.yaml:3: error: abstract: required field is missing",
        "content/a.yaml:3: error: title: required field is missing",
        "content/b.md:2: error: title: must be text, got a list",
        "content/b.md:3: error: date: must be YYYY-MM-DD or a "
        "date-time such as 2025-02-02T22:23:00Z, got 'soon'",
        "content/b.md:4: error: upvotes: must be a whole number >= 0, got -1",
    ]
    assert [p.source.path for p in result.papers] == ["content/c.md"]


def test_warnings_do_not_leave_papers_out(tmp_path: Path) -> None:
    files = {"content/empty.yaml": "papers: []\n", "content/a.md": md(GOOD)}
    result = load(tmp_path, files)

    assert messages(result) == ["content/empty.yaml:1: warning: papers: the list is empty"]
    assert len(result.papers) == 1


@pytest.mark.parametrize("text", [
    "1: 2\n3: [4, {5: 6}]\n", "title: {a: {b: {c: [1, 2]}}}\ndate: [2024]\n",
    "papers:\n  - null\n  - 3\n  - {title: [x], date: {}}\n", "[[[[]]]]\n", "? a\n",
    "title: !!binary aGk=\ndate: !!set {a}\n", "title: T\ndate: 2024-03-12\narxiv: .5\n",
    "title: T\ndate: 2024-03-12\narxiv: 1e400\nupvotes: 99999999999999999999999\n",
])
def test_odd_yaml_never_raises(tmp_path: Path, text: str) -> None:
    result = load(tmp_path, {"content/odd.yaml": text})

    assert result.diagnostics
    assert result.papers == ()


def test_files_parsed_on_worker_processes_give_the_same_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.content import EntryCache
    from generator.content import loader as content

    files = {f"content/p{i}.md": md(f"title: Paper {i}\ndate: 2024-03-{i % 28 + 1:02d}\n")
             for i in range(12)}
    files["content/bad.md"] = md("title: [unclosed\n")
    files["content/dup.md"] = md("title: Paper 3\ndate: 2024-03-04\n")
    serial = load(tmp_path, files, cache=EntryCache())  # the cache keeps it in-process
    monkeypatch.setattr(content, "PARSE_MIN_PER_WORKER", 1)
    forked = load(tmp_path, files)
    assert forked == serial
    assert len(forked.papers) >= 12 and forked.diagnostics
