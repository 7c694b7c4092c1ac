"""Property tests: hostile bytes and hostile prose never crash the loader or reach the output.

Any byte string as an entry file gives a paper or located diagnostics, never an exception;
any fuzzed title/abstract/author gives no executable markup in any page or feed.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.config import load_config
from generator.content import load_content
from generator.diagnostics import Level
from generator.pipeline import build_site
from tests.executable_markup import html_problems, output_problems

VALID_MD = b"---\ntitle: A Paper\ndate: 2024-03-12\nauthors: [Ada]\n---\nAn abstract.\n"
VALID_YAML = b"title: A Paper\ndate: 2024-03-12\nabstract: An abstract.\n"
YAML_NOISE = [b"---", b"\n", b"\r\n", b"\t", b"  ", b": ", b"- ", b"[", b"]", b"{", b"}", b"&a ",
              b"*a", b"!!python/object:os.system", b"!x ", b"'", b'"', b"\\x00", b"\xef\xbb\xbf",
              b"\xff\xfe", b"\x00", b"\xed\xa0\x80", b"title", b"date: 2024-02-30", b"papers:",
              b"? ", b"<<: *a", b"%YAML 1.1\n", b"|", b">", b"#"]


def spliced(base: bytes) -> st.SearchStrategy[bytes]:
    """A valid entry with YAML-ish noise or random bytes inserted at random places."""
    noise = st.one_of(st.sampled_from(YAML_NOISE), st.binary(max_size=8))
    return st.tuples(st.lists(st.tuples(st.integers(0, len(base)), noise), max_size=4)).map(
        lambda parts: _insert(base, parts[0]))


def _insert(base: bytes, edits: list[tuple[int, bytes]]) -> bytes:
    for position, piece in sorted(edits, reverse=True):
        base = base[:position] + piece + base[position:]
    return base


ENTRY_BYTES = st.one_of(st.binary(max_size=300), spliced(VALID_MD), spliced(VALID_YAML))
_LOCATION = re.compile(r"^content/entry\.(md|yaml):[1-9]\d*(:\d+)?: (error|warning): ")


@settings(max_examples=300)
@given(data=ENTRY_BYTES, suffix=st.sampled_from([".md", ".yaml"]))
@example(data=b"---\n" + b"[" * 100_000, suffix=".md")
@example(data=b"$:\n(", suffix=".yaml")  # error after the last line (found by this test)
@example(data=b"a: &a [1]\nb: [*a, *a]\n" * 50, suffix=".yaml")
@example(data=b"\xef\xbb\xbf---\r\ntitle: T\r\ndate: 2024-03-12\r\n---\r\n\tTabbed.\r\n",
         suffix=".md")
def test_any_bytes_as_entry_give_a_paper_or_located_diagnostics(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content").mkdir()
        (root / "content" / f"entry{suffix}").write_bytes(data)

        result = load_content(root, include_drafts=True)

    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    assert result.papers or errors
    if errors:
        assert not result.papers
    for diagnostic in result.diagnostics:
        assert _LOCATION.match(diagnostic.format()), diagnostic.format()
        assert "\n" not in diagnostic.message and "Traceback" not in diagnostic.message


def test_bom_crlf_and_tabs_in_prose_load(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    entry = "\ufeff---\r\ntitle: \"Tabs\\tand CRLF\"\r\ndate: 2024-03-12\r\n---\r\nOne\ttwo.\r\n"
    (tmp_path / "content" / "a.md").write_bytes(entry.encode("utf-8"))

    result = load_content(tmp_path)

    assert result.diagnostics == ()
    assert result.papers[0].title == "Tabs\tand CRLF"
    assert result.papers[0].abstract == "One\ttwo."


# -- fuzzed prose through a whole build ------------------------------------------------------

ATTACKS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>", "<iframe src=javascript:alert(1)>",
    "<object data=data:text/html,x>", "<style>*{x:expression(alert(1))}</style>",
    "<form action=javascript:alert(1)><button>x", "[x](javascript:alert(1))",
    "[x](JaVaScRiPt&#58;alert(1))", "[x](java\tscript:alert(1))", "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "<a href=\"javascript:alert(1)\">x</a>",
    "<a href='&#106;avascript:alert(1)'>x</a>", "<math><mi xlink:href=javascript:alert(1)>x",
    "<math href=javascript:alert(1)>x</math>", "$\\href{javascript:alert(1)}{x}$",
    "$<script>$", "`<script>`", "<!--<script>-->", "<![CDATA[<script>]]>", "&lt;script&gt;",
    "<p onclick=alert(1)>", "<a href=https://ok.org onmouseover=alert(1)>x</a>",
    "<base href=https://evil.org/>", "<meta http-equiv=refresh content=0;url=javascript:x>",
    "<details open ontoggle=alert(1)>", "\"><script>alert(1)</script>", "'-alert(1)-'",
    "</textarea><script>alert(1)</script>", "<x onfocus=alert(1) autofocus>",
    "https://ok.org/\"onmouseover=alert(1)", "<<script>script>alert(1)<</script>/script>",
    "![x](javascript:alert(1))", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
]
PROSE = st.lists(st.one_of(st.sampled_from(ATTACKS),
                           st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
                           st.sampled_from(list("<>\"'&`*_[]()$\\!#:;= \n"))),
                 min_size=1, max_size=8).map("".join)


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar holding ``text`` exactly (escapes for everything odd)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\U{ord(c):08x}" for c in escaped) + '"'


@settings(max_examples=15)
@given(title=PROSE, abstract=PROSE, author=PROSE)
def test_fuzzed_prose_leaves_no_executable_markup_in_pages_or_feeds(
        title: str, abstract: str, author: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content").mkdir()
        (root / "site.yaml").write_text("title: T\nbase_url: https://e.org/d/\n"
                                        "topics: {enabled: false}\n")
        entry = (f"title: {_yaml_string('X ' + title)}\ndate: 2024-03-12\n"
                 f"authors: [{_yaml_string('A ' + author)}]\n"
                 f"abstract: {_yaml_string('Y ' + abstract)}\n"
                 f"tags: [{_yaml_string('t' + title)}]\n")
        (root / "content" / "a.yaml").write_text(entry, encoding="utf-8")

        result = build_site(root, load_config(root))

        # Only the loader may refuse prose (characters YAML cannot hold); nothing may crash.
        assert result.ok or all(d.path == "content/a.yaml" for d in result.diagnostics)
        assert output_problems(root / "output") == {}


def test_attack_list_is_detected_when_not_sanitised() -> None:
    """The checker itself finds every attack that should be defused (so the test can fail)."""
    raw_html = [a for a in ATTACKS if a.startswith("<") and not a.startswith(("<!--", "<!["))]
    assert all(html_problems(attack) for attack in raw_html), [
        a for a in raw_html if not html_problems(a)]


def test_every_attack_in_one_build_is_defused(make_site) -> None:
    body = "\n\n".join(ATTACKS)
    entries = {f"content/a{i}.md": f"---\ntitle: {_yaml_string(f'P{i} ' + attack)}\n"
               f"date: 2024-03-1{i % 10}\n---\n{body}\n" for i, attack in enumerate(ATTACKS)}
    root = make_site(entries, site_yaml="title: T\nbase_url: https://e.org/\n"
                     "topics: {enabled: false}\n")

    result = build_site(root, load_config(root))

    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.papers == len(ATTACKS)
    assert output_problems(root / "output") == {}


# -- time to render: bounded by the size of the text -----------------------------------------

# Pieces of Markdown and LaTeX syntax, most of them openers whose closer a parser searches for.
MARKUP_PIECES = ["[", "]", "(", ")", "{", "}", "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\frac{",
                 "\\sqrt{", "^{", "_", "*", "**", "`", "``", "<", ">", "<div>", "<a ", "&",
                 "&amp;", "~", "!", "![", "#", "- ", "1. ", "\n", "\n\n", " ", "a", "x",
                 "\\textbf{", "\\cite{", "\\href{", "[a](", "[a][", "[^", "http://a.b/", "|",
                 "\\", "--", "''", "\u202e", "\u0301"]
# Seconds allowed per kilobyte of source, plus a fixed allowance: ten times the worst case
# measured within the parsers' budgets (~0.1 s/KB), so a loaded machine does not fail it,
# while a super-linear case (2,000 '[' took 12 s before the budgets) does.
SECONDS_PER_KB = 1.0
SECONDS_FIXED = 1.0


def _repeated(parts: tuple[list[str], int]) -> str:
    pattern, times = parts
    return ("".join(pattern) * times)[:20_000]


HOSTILE_MARKUP = st.tuples(st.lists(st.sampled_from(MARKUP_PIECES), min_size=1, max_size=6),
                           st.integers(1, 4000)).map(_repeated)


@settings(max_examples=40)
@given(source=HOSTILE_MARKUP)
@example(source="[" * 19_000)
@example(source="{" * 19_000)
@example(source="[a](" * 4_000)
@example(source="\\(" * 9_000)
@example(source="~" * 19_000)
@example(source="[" * 99 + " x" * 9_000)
@example(source=("[" * 99 + " x" * 1_950 + "\n\n") * 4)
@example(source="1. " * 992)  # nested lists: Python-Markdown recursed until RecursionError
@example(source="- " * 5_000)
@example(source="> " * 5_000)
def test_markup_time_is_bounded_by_the_size_of_the_text(source: str) -> None:
    from generator.markup import abstracts

    for cached in (abstracts.render_abstract, abstracts.render_title, abstracts.plain_text,
                   abstracts._convert):
        cached.cache_clear()
    started = time.perf_counter()
    abstracts.render_abstract(source)
    abstracts.plain_text(source)
    abstracts.render_title(source[:1000])
    elapsed = time.perf_counter() - started
    budget = SECONDS_FIXED + SECONDS_PER_KB * len(source.encode("utf-8")) / 1024
    assert elapsed < budget, f"{elapsed:.2f} s for {len(source)} characters"


def test_text_over_the_parsers_budget_is_shown_as_text() -> None:
    from generator.markup import render_abstract

    html = render_abstract("Intro with a [link](https://e.org/).\n\n" + "[" * 5_000 + "<b>")

    assert '<a href="https://e.org/"' in html  # the paragraph within budget is parsed
    assert "[" * 5_000 + "&lt;b&gt;" in html  # the one over it is escaped text


def test_markup_after_a_too_deep_abstract_is_unchanged() -> None:
    from generator.markup import abstracts

    source = "A [link](https://e.org/) and *emphasis*.\n\n- one\n- two"
    abstracts.render_abstract.cache_clear()
    abstracts._convert.cache_clear()
    before = abstracts.render_abstract(source)
    assert "&lt;" in abstracts.render_abstract("1. " * 992 + "<b>")  # too deep: shown as text
    abstracts.render_abstract.cache_clear()
    abstracts._convert.cache_clear()
    assert abstracts.render_abstract(source) == before
