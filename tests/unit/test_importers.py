"""Importers: page-dump parsing, entry rendering, no-overwrite writing, JSON Lines import."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import re
import string
from pathlib import Path

import pytest
import yaml

from generator.importers import (
    Entry,
    TextPaper,
    import_jsonl,
    import_text_dump,
    parse_text_dump,
    render_entry,
    write_entries,
)
from generator.importers.entry_writer import load_existing_arxiv_ids, render_quoted

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
EXCERPT = DATA / "daily-papers-excerpt.txt"
SHARED_PAGE = REPO.parent / "shared" / "samples" / "daily-papers-page.txt"
ARXIV_SAMPLE = DATA / "arxiv-sample.jsonl.gz"
DAY = dt.date(2026, 7, 4)
ABSTRACT = ("We study a problem. It is hard in general, and we show why with a proof. "
            "Experiments on three data sets confirm the analysis and the method works well. "
            "Code and data are released so that others can check every number we report.")
NEW_STYLE_ID = re.compile(r"\d{4}\.\d{5}")


def split_entry(text: str) -> tuple[dict, str]:
    """Front matter (as a loader reads it: up to the first '---' line) and body."""
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(front), body


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def write_jsonl(path: Path, records: list[dict], *, compress: bool = False) -> Path:
    text = "".join(json.dumps(record) + "\n" for record in records)
    if compress:
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def make_record(arxiv: str, title: str = "A Title", **extra: object) -> dict:
    record = {"id": arxiv, "title": title, "abstract": ABSTRACT,
              "authors": ["Ada Lovelace", "Alan Turing"], "date": "2025-03-18",
              "label": "cs.CV", "labels": ["cs.CV", "cs.LG"]}
    record.update(extra)
    return record


# --- text dump parsing -------------------------------------------------------------------------

@pytest.mark.skipif(not SHARED_PAGE.exists(), reason="shared sample page not available")
def test_text_dump_real_page_finds_53_papers(tmp_path: Path) -> None:
    report = import_text_dump(SHARED_PAGE, tmp_path / "content", DAY)
    assert len(report.written) == 53
    assert [p.split(": ", 1)[0] for p in report.problems] == [
        f"{SHARED_PAGE}:{line}" for line in (1, 3, 5, 7, 9)]
    titles = [split_entry(p.read_text("utf-8"))[0]["title"] for p in report.written]
    assert titles[0].startswith("Liquid Neural Network-based Adaptive Learning")
    assert titles[-1] == "Retrieval-Augmented Meta Learning for Low-Resource Text Classification"


def test_text_dump_excerpt_finds_papers_and_reports_noise_lines(tmp_path: Path) -> None:
    report = import_text_dump(EXCERPT, tmp_path / "content", DAY)
    assert [p.name for p in report.written] == [
        "liquid-neural-network-based-adaptive-learning-vs.md",
        "teacher-algorithms-for-curriculum-learning-of-deep-rl-in.md",
        "discovering-temporally-aware-reinforcement-learning.md",
        "adaptive-multiscale-retinal-diagnosis-a-hybrid-trio-model.md",
        "when-why-and-how-much-adaptive-learning-rate-scheduling-by.md",
    ]
    assert report.problems == tuple(
        f"{EXCERPT}:{line}: skipped paragraph: neither a title nor an abstract"
        for line in (1, 3, 5, 7, 9))
    assert report.skipped == ()


def test_text_dump_synthetic_pairs_titles_with_following_abstracts() -> None:
    dump = "\r\n".join([
        "Menu", "", "Sign in", "",
        "First Title: With a Colon", "", ABSTRACT, "",
        "Dangling short line", "",
        "Second Title", "", ABSTRACT[:80], ABSTRACT[80:], "", "",
        ABSTRACT, "",
        "Last line without abstract",
    ])
    assert parse_text_dump(dump) == [
        TextPaper("First Title: With a Colon", ABSTRACT, 5),
        TextPaper("Second Title", ABSTRACT[:80] + "\n" + ABSTRACT[80:], 11),
    ]


def test_text_dump_stray_paragraphs_are_reported_with_reason(tmp_path: Path) -> None:
    dump = tmp_path / "page.txt"
    dump.write_text(f"Jul 4\n\nTitle\n\n{ABSTRACT}\n\n{ABSTRACT}\n\nFooter\n", encoding="utf-8")
    report = import_text_dump(dump, tmp_path / "content", DAY)
    assert [p.name for p in report.written] == ["title.md"]
    assert report.problems == (
        f"{dump}:1: skipped paragraph: neither a title nor an abstract",
        f"{dump}:7: skipped paragraph: abstract without a title line before it",
        f"{dump}:9: skipped paragraph: neither a title nor an abstract",
    )


def test_text_dump_entries_carry_only_title_date_and_abstract(tmp_path: Path) -> None:
    report = import_text_dump(EXCERPT, tmp_path / "content", DAY)
    for path in report.written:
        front, body = split_entry(path.read_text("utf-8"))
        assert list(front) == ["title", "date"]
        assert front["date"] == DAY
        assert path.parent == tmp_path / "content" / "2026-07-04"
        assert len(body) > 200


# --- rendering ---------------------------------------------------------------------------------

def test_render_entry_matches_documented_format() -> None:
    entry = Entry(title="Symbolic Discovery of Optimization Algorithms", date=DAY,
                  abstract="We present $\\mathcal{O}(n)$ search.\n", authors=("A", "B"),
                  arxiv="2302.06675", tags=("cs-lg",), upvotes=12,
                  url="https://arxiv.org/abs/2302.06675")
    assert render_entry(entry) == (
        "---\n"
        'title: "Symbolic Discovery of Optimization Algorithms"\n'
        "date: 2026-07-04\n"
        'authors: ["A", "B"]\n'
        'arxiv: "2302.06675"\n'
        "tags: [cs-lg]\n"
        "upvotes: 12\n"
        'url: "https://arxiv.org/abs/2302.06675"\n'
        "---\n"
        "We present $\\mathcal{O}(n)$ search.\n"
    )


HOSTILE_TITLES = [
    'He said "no": a study',
    "Attention: Is All You Need?",
    "- leading dash",
    "# not a heading",
    "line one\nline two",
    "---",
    "title\n---\nsecret: injected",
    "back\\slash and \t tab",
    "  padded  ",
    "null",
    "true",
    "2302.06675",
    "Schrödinger's ∂-operator — “quoted” 🐱",
    "line\u2028separator and \x07 bell",
    "{not: a map}, [not a list]",
    "&anchor *alias !tag %directive @at `tick` |pipe >fold",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_render_entry_hostile_title_round_trips(title: str) -> None:
    abstract = "First paragraph.\n---\ntitle: not front matter\n\nSecond $x^2$."
    entry = Entry(title=title, date=DAY, abstract=abstract, authors=(title, "B: C"),
                  arxiv="2302.06675", tags=("cs-lg", "true"))
    front, body = split_entry(render_entry(entry))
    assert front == {"title": title, "date": DAY, "authors": [title, "B: C"],
                     "arxiv": "2302.06675", "tags": ["cs-lg", "true"]}
    assert body == abstract + "\n"


def test_render_quoted_matches_yaml_safe_dump() -> None:
    rng = random.Random(7)
    alphabet = string.printable + "é€😀\u2028\x00\x85\ufeff"
    samples = HOSTILE_TITLES + ["", " ", "'", '"', "\\"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 40))) for _ in range(500)]
    for text in samples:
        expected = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=2**31 - 1)
        assert render_quoted(text) == expected.rstrip("\n"), text
        assert yaml.safe_load(render_quoted(text)) == text


def test_render_entry_is_deterministic_lf_and_one_trailing_newline() -> None:
    entry = Entry(title="T", date=DAY, abstract="\r\nLine one\r\nLine two\r\n\r\n")
    text = render_entry(entry)
    assert text == render_entry(Entry(title="T", date=DAY,
                                      abstract="\r\nLine one\r\nLine two\r\n\r\n"))
    assert "\r" not in text
    assert text.endswith("Line two\n")


# --- writing -----------------------------------------------------------------------------------

def test_write_entries_never_overwrites_existing_files(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "2026-07-04"
    folder.mkdir(parents=True)
    existing = folder / "same-title.md"
    existing.write_bytes(b"hand-written, keep me\n")
    entries = [Entry(title="Same Title", date=DAY, abstract=ABSTRACT)] * 2
    written = write_entries(entries, tmp_path / "content")
    assert [p.name for p in written] == ["same-title-2.md", "same-title-3.md"]
    assert existing.read_bytes() == b"hand-written, keep me\n"


def test_import_text_dump_twice_adds_suffixes_and_keeps_first_files(tmp_path: Path) -> None:
    content = tmp_path / "content"
    first = import_text_dump(EXCERPT, content, DAY)
    before = read_tree(content)
    second = import_text_dump(EXCERPT, content, DAY)
    assert all(p.stem.endswith("-2") for p in second.written)
    assert {k: v for k, v in read_tree(content).items() if k in before} == before
    assert len(read_tree(content)) == 2 * len(first.written)


def test_import_text_dump_same_input_gives_same_bytes(tmp_path: Path) -> None:
    import_text_dump(EXCERPT, tmp_path / "a", DAY)
    import_text_dump(EXCERPT, tmp_path / "b", DAY)
    tree = read_tree(tmp_path / "a")
    assert tree == read_tree(tmp_path / "b")
    assert all(data.endswith(b"\n") and b"\r" not in data for data in tree.values())


def test_entry_without_arxiv_or_usable_title_still_gets_a_file(tmp_path: Path) -> None:
    written = write_entries([Entry(title="Ωμέγα", date=DAY, abstract=ABSTRACT)], tmp_path)
    assert re.fullmatch(r"paper-[0-9a-f]{6}\.md", written[0].name)


# --- JSON Lines --------------------------------------------------------------------------------

@pytest.mark.parametrize("compress", [False, True])
def test_import_jsonl_writes_entry_fields_from_records(tmp_path: Path, compress: bool) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [
        make_record("2503.11742", "Safe VLMs: Unsafe Weights", authors=["Moreno D'Incà"]),
        make_record("2503.11731", labels=["cs.CV", "cs.RO", "cs.CV"]),
    ], compress=compress)
    report = import_jsonl(source, tmp_path / "content")
    assert [p.relative_to(tmp_path).as_posix() for p in report.written] == [
        "content/2025-03-18/2503.11731.md", "content/2025-03-18/2503.11742.md"]
    front, body = split_entry(report.written[1].read_text("utf-8"))
    assert front == {"title": "Safe VLMs: Unsafe Weights", "date": dt.date(2025, 3, 18),
                     "authors": ["Moreno D'Incà"], "arxiv": "2503.11742",
                     "tags": ["cs-cv", "cs-lg"]}
    assert body == ABSTRACT + "\n"
    assert split_entry(report.written[0].read_text("utf-8"))[0]["tags"] == ["cs-cv", "cs-ro"]


def test_import_jsonl_limit_and_seed_give_a_deterministic_sample(tmp_path: Path) -> None:
    records = [make_record(f"2504.{n:05d}", f"Paper {n}") for n in range(60, 0, -1)]
    source = write_jsonl(tmp_path / "in.jsonl", records)

    def sample(name: str, seed: int) -> list[str]:
        report = import_jsonl(source, tmp_path / name, limit=10, seed=seed)
        return [p.stem for p in report.written]

    first, again, other = sample("a", 1), sample("b", 1), sample("c", 2)
    assert first == again and first != other
    assert first == sorted(first) and len(first) == 10
    assert read_tree(tmp_path / "a") == read_tree(tmp_path / "b")
    expected = sorted(r["id"] for r in random.Random(1).sample(records, 10))
    assert first == expected


def test_import_jsonl_repeat_gives_unique_valid_ids(tmp_path: Path) -> None:
    records = [make_record(f"25{month:02d}.{n:05d}", title=f"Title {month} {n}")
               for month in (3, 4) for n in (1, 99999, 2)]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    report = import_jsonl(source, tmp_path / "content", repeat=3)
    ids = [p.stem for p in report.written]
    assert len(ids) == len(set(ids)) == 18
    assert all(NEW_STYLE_ID.fullmatch(i) for i in ids)
    assert sorted(i[:4] for i in ids) == ["2503"] * 9 + ["2504"] * 9
    for path in report.written:
        assert split_entry(path.read_text("utf-8"))[0]["arxiv"] == path.stem
    titles = [split_entry(path.read_text("utf-8"))[0]["title"] for path in report.written]
    assert len(set(titles)) == 18  # copies pass the duplicate-title check
    assert sum(t.endswith(" (copy 3)") for t in titles) == 6
    again = import_jsonl(source, tmp_path / "content", repeat=3)
    assert again.written == () and len(again.skipped) == 18


def test_import_jsonl_skips_ids_already_in_content(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text('---\ntitle: "Old"\ndate: 2025-01-01\narxiv: "2302.06675v2"\n'
                                  "---\narxiv: 2503.00001 is only mentioned here\n")
    source = write_jsonl(tmp_path / "in.jsonl", [make_record("2302.06675"),
                                                 make_record("2503.00001")])
    report = import_jsonl(source, content)
    assert report.skipped == ("2302.06675: already in content/a.md",)
    assert [p.name for p in report.written] == ["2503.00001.md"]


def test_import_jsonl_reports_bad_records_with_line_numbers(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([
        json.dumps(make_record("2503.00001")),
        "{not json",
        json.dumps(make_record("2503.00002", title="")),
        json.dumps(make_record("not-an-id")),
        json.dumps(make_record("2503.00003", date="18/03/2025")),
        json.dumps(make_record("2503.00001v2")),
        json.dumps(make_record("2503.00004", authors="Ada")),
    ]) + "\n", encoding="utf-8")
    report = import_jsonl(source, tmp_path / "content")
    assert [p.name for p in report.written] == ["2503.00001.md"]
    assert report.skipped == (f"2503.00001: duplicate of line 1 ({source}:6)",)
    assert [p.split(": skipped record: ")[0] for p in report.problems] == [
        f"{source}:{n}" for n in (2, 3, 4, 5, 7)]
    assert report.problems[3].endswith("'date' must be YYYY-MM-DD, got '18/03/2025'")


@pytest.mark.skipif(not ARXIV_SAMPLE.exists(), reason="tests/data/arxiv-sample.jsonl.gz absent")
def test_import_jsonl_committed_sample_round_trips(tmp_path: Path) -> None:
    report = import_jsonl(ARXIV_SAMPLE, tmp_path / "content", limit=200, seed=3)
    assert report.problems == ()
    for path in report.written:
        front, _ = split_entry(path.read_text("utf-8"))
        assert front["arxiv"] == path.stem and front["title"]


def test_load_existing_arxiv_ids_reads_front_matter_only(tmp_path: Path) -> None:
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "b.md").write_text("---\ntitle: x\narxiv: 'arXiv:2401.00001'\n---\n"
                                            "arxiv: 2401.99999\n")
    (tmp_path / "README.md").write_text('arxiv: "2401.00002"\n')
    (tmp_path / "list.yaml").write_text('- title: y\n  arxiv: "hep-th/9901001v1"\n')
    found = load_existing_arxiv_ids(tmp_path)
    assert found == {"2401.00001": tmp_path / "2025" / "b.md",
                     "hep-th/9901001": tmp_path / "list.yaml"}


# --- the repository's sample site ---------------------------------------------------------------

def test_sample_content_is_the_imported_daily_page(tmp_path: Path) -> None:
    day = REPO / "content" / "2026-07-04"
    files = sorted(day.glob("*.md"))
    assert len(files) == 53
    for path in files:
        front, body = split_entry(path.read_text("utf-8"))
        assert list(front) == ["title", "date"] and front["date"] == DAY and body
    if SHARED_PAGE.exists():
        import_text_dump(SHARED_PAGE, tmp_path / "content", DAY)
        assert read_tree(tmp_path / "content" / "2026-07-04") == read_tree(day)
