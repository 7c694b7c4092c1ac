"""generator.markup: Markdown + LaTeX -> sanitised HTML and plain text."""

from __future__ import annotations

import gzip
import html
import itertools
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.markup import abstracts as markup
from generator.markup import plain_text, render_abstract, render_title

REPO = Path(__file__).resolve().parents[2]
CORPUS_CANDIDATES = (
    REPO / "tests" / "data" / "arxiv-sample.jsonl.gz",
    REPO.parent / "shared" / "corpora" / "arxiv-cs-2025.jsonl.gz",
)
FORBIDDEN_TAGS = {"script", "style", "iframe", "object", "embed", "form", "svg", "img", "maction"}
SAFE_URL_PREFIXES = ("http://", "https://", "mailto:")


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _tags(markup_html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _TagCollector()
    parser.feed(markup_html)
    parser.close()
    return parser.tags


def _assert_inert(markup_html: str) -> None:
    for tag, attrs in _tags(markup_html):
        assert tag not in FORBIDDEN_TAGS, markup_html
        for name, value in attrs:
            assert not name.startswith("on"), markup_html
            assert name not in ("style", "src", "xlink:href", "actiontype"), markup_html
            if name == "href":
                assert (value or "").lower().startswith(SAFE_URL_PREFIXES), markup_html


@pytest.fixture(scope="module")
def corpus_abstracts() -> list[str]:
    path = next((p for p in CORPUS_CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("no arXiv sample: tests/data/arxiv-sample.jsonl.gz or ../shared/corpora")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line)["abstract"] for line in itertools.islice(lines, 2000)]


# --- math -------------------------------------------------------------------------------------

def test_inline_dollar_math_becomes_inline_mathml() -> None:
    out = render_abstract("the loss $x_i^2$ is small")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in out
    assert "<msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>" in out


def test_paren_math_becomes_inline_mathml() -> None:
    assert 'display="inline"' in render_abstract(r"we set \(a+b\) here")


@pytest.mark.parametrize("source", [r"$$\sum_i x_i$$", r"\[\sum_i x_i\]"])
def test_display_math_becomes_block_mathml(source: str) -> None:
    out = render_abstract(f"before {source} after")
    assert 'display="block"' in out
    assert "<munder><mo>∑</mo><mi>i</mi></munder>" in out


def test_display_math_in_title_renders_inline() -> None:
    out = render_title(r"On $$x$$")
    assert 'display="inline"' in out and 'display="block"' not in out


def test_lone_dollars_are_not_math() -> None:
    assert render_abstract("costs $5 and $6 today") == "<p>costs $5 and $6 today</p>"


def test_escaped_dollar_is_literal() -> None:
    out = render_abstract(r"we paid \$5 for $x$ and \$6")
    assert out.startswith("<p>we paid $5 for <math")
    assert out.endswith("and $6</p>")
    assert out.count("<math") == 1


def test_math_does_not_span_paragraphs() -> None:
    assert "<math" not in render_abstract("a $b\n\nc$ d")


def test_bad_math_falls_back_to_escaped_source() -> None:
    out = render_abstract(r"broken $\begin{foo}x<y$ here")
    assert '<code class="math-fallback">\\begin{foo}x&lt;y</code>' in out


def test_math_keeps_underscores_and_asterisks_away_from_markdown() -> None:
    out = render_abstract(r"$a_1 * b_2 * c_3$ and $d_4$")
    assert "<em>" not in out and out.count("<math") == 2


def test_text_inside_math_cannot_become_markup() -> None:
    out = render_abstract(r"$\text{<script>alert(1)</script>}$ and $\texttt{<think>}$")
    _assert_inert(out)
    assert "&lt;think&gt;" in out


# --- LaTeX text macros --------------------------------------------------------------------------

def test_textbf_inside_word_becomes_strong() -> None:
    out = render_title(r"Evo\textbf{Lved Sign Momentum}")
    assert out == "Evo<strong>Lved Sign Momentum</strong>"


def test_tie_becomes_non_breaking_space() -> None:
    out = render_abstract("following a~failure event")
    assert html.unescape(out) == "<p>following a\u00a0failure event</p>"


def test_tie_before_number_after_space_stays_tilde() -> None:
    assert render_abstract("improves by ~5%") == "<p>improves by ~5%</p>"


def test_escaped_percent_becomes_percent() -> None:
    assert render_abstract(r"a 6.64\% improvement") == "<p>a 6.64% improvement</p>"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"\emph{x}", "<em>x</em>"),
        (r"\textit{x}", "<em>x</em>"),
        (r"\texttt{a_b}", "<code>a_b</code>"),
        (r"\underline{x}", "<u>x</u>"),
        (r"{\em x}", "<em>x</em>"),
        (r"\textbf{a {b} c}", "<strong>a {b} c</strong>"),
        (r"\textbf{a \emph{b} c}", "<strong>a <em>b</em> c</strong>"),
        (r"\& \# \_ \{ \}", "&amp; # _ { }"),
        (r"B\'ezier and Fr\'echet", "Bézier and Fréchet"),
        (r"``quoted''", "\u201cquoted\u201d"),
        ("a -- b --- c", "a \u2013 b \u2014 c"),
        (r"\unknown{x}", r"\unknown{x}"),
        (r"\eg, this", "e.g., this"),
    ],
)
def test_latex_text_macro_renders(source: str, expected: str) -> None:
    assert render_title(source) == expected


def test_cite_and_ref_are_removed_with_their_tie() -> None:
    assert render_title(r"as in prior work~\cite{a,b} and Fig.~\ref{f}.") == (
        "as in prior work and Fig.."
    )


def test_dashes_stay_in_code_and_math() -> None:
    out = render_title(r"`a--b` and $a--b$")
    assert "<code>a--b</code>" in out and "\u2013" not in out


def test_url_macro_becomes_link() -> None:
    out = render_title(r"\url{https://github.com/a\_b}")
    assert out == (
        '<a href="https://github.com/a_b" rel="nofollow noopener ugc">https://github.com/a_b</a>'
    )


def test_href_macro_becomes_link_with_its_text() -> None:
    out = render_title(r"code \href{https://ok.org/x}{here}.")
    assert out == 'code <a href="https://ok.org/x" rel="nofollow noopener ugc">here</a>.'


def test_bare_url_after_tie_is_linked_without_trailing_period() -> None:
    out = render_abstract("available~https://anonymous.4open.science/r/x.")
    assert '<a href="https://anonymous.4open.science/r/x" rel="nofollow noopener ugc">' in out
    assert out.endswith("</a>.</p>")
    assert html.unescape(out).startswith("<p>available\u00a0<a")


# --- Markdown -------------------------------------------------------------------------------------

def test_snake_case_stays_literal() -> None:
    assert render_abstract("use snake_case_names here") == "<p>use snake_case_names here</p>"


@pytest.mark.parametrize("source", ["512*512 and 1280*1024", "T* wins and T* scales",
                                    "CFG-Zero*, then CFG-Zero* again"])
def test_stray_asterisks_stay_literal(source: str) -> None:
    assert render_title(source) == source


def test_markdown_emphasis_and_strong_still_work() -> None:
    assert render_title("a *b* and **c**") == "a <em>b</em> and <strong>c</strong>"


def test_abstract_paragraphs_and_lists_render() -> None:
    out = render_abstract("first\n\n- one\n- two")
    assert out == "<p>first</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"


def test_title_has_no_block_elements() -> None:
    out = render_title("1. Introduction to *things*")
    assert out == "1. Introduction to <em>things</em>"


@pytest.mark.parametrize("title", ["- a", "+ a", "# one", "2. b", "= c", "> q"])
def test_title_block_syntax_stays_text(title: str) -> None:
    assert html.unescape(render_title(title)) == title


def test_unknown_angle_bracket_words_stay_visible() -> None:
    assert render_title("wrap in <think> tags, p<0.05") == (
        "wrap in &lt;think&gt; tags, p&lt;0.05"
    )


# --- hostile input -------------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)" onclick="alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x](/relative/path)",
    "<iframe src=https://evil.example></iframe>",
    "<svg><script>alert(1)</script></svg>",
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><input></form>",
    "<object data=x></object><embed src=x>",
    r"\href{javascript:alert(1)}{x}",
    r"\url{javascript:alert(1)}",
    r"$\href{javascript:alert(1)}{x}$",
    r"$\toggle{a}{b}\endtoggle$",
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<p style="color:red" onmouseover="alert(1)">x</p>',
    "<!-- <script>alert(1)</script> -->",
    "[x](http://a.com/$y$) and <a href='https://a.com/$\\text{\" onclick=\"x}$'>z</a>",
    "```\n<script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_leaves_no_executable_markup(source: str) -> None:
    _assert_inert(render_abstract(source))
    _assert_inert(render_title(source))


def test_script_content_is_dropped() -> None:
    assert "alert" not in render_abstract("hi <script>alert(1)</script>")


def test_links_get_nofollow_rel() -> None:
    assert 'rel="nofollow noopener ugc"' in render_abstract("[x](https://example.org)")


# --- plain text ---------------------------------------------------------------------------

def test_plain_text_resolves_macros_and_keeps_math_source() -> None:
    source = r"Evo\textbf{Lved} a~failure, 6.64\% gain with $x_i^2$ and \(y\)."
    assert plain_text(source) == "EvoLved a failure, 6.64% gain with $x_i^2$ and $y$."


def test_plain_text_removes_markdown_and_html_tags() -> None:
    source = "**bold** and [a link](https://x.org) and <b>raw</b>\n\n- item"
    assert plain_text(source) == "bold and a link and raw item"


def test_plain_text_collapses_whitespace() -> None:
    assert plain_text("  a\n b \t c  ") == "a b c"


# --- purity, caching, fast path -------------------------------------------------------------------

def test_render_is_deterministic_across_cache_clears() -> None:
    source = r"A $x$ \textbf{b} https://x.org/a_b *c*"
    first = (render_abstract(source), render_title(source), plain_text(source))
    for cached in (render_abstract, render_title, plain_text, markup._convert):
        cached.cache_clear()
    assert (render_abstract(source), render_title(source), plain_text(source)) == first


def test_empty_source_renders_empty() -> None:
    assert (render_abstract(""), render_title("  "), plain_text("")) == ("", "", "")


@pytest.mark.slow
def test_fast_path_matches_full_pipeline_on_corpus(corpus_abstracts: list[str]) -> None:
    plain = [markup._normalise(a) for a in corpus_abstracts]
    plain = [a for a in plain if markup.is_plain_prose(a)]
    assert len(plain) > 100
    for source in plain:
        assert render_abstract(source) == markup._render(source, inline=False, plain=False)
        assert render_title(source) == markup._render(source, inline=True, plain=False)
        assert plain_text(source) == markup._html_to_text(
            markup._render(source, inline=True, plain=True))


def test_corpus_math_renders_as_complete_mathml(corpus_abstracts: list[str]) -> None:
    with_math = [a for a in corpus_abstracts if "$" in a and "\\$" not in a][:200]
    rendered = [render_abstract(a) for a in with_math]
    assert sum("<math" in out for out in rendered) > 0.9 * len(rendered)
    for out in rendered:
        _assert_inert(out)
        assert out.count("<math") == out.count("</math>")
        assert "<math" not in out or "<mrow>" in out or "<mi>" in out or "<mn>" in out


@pytest.mark.slow
def test_corpus_renders_without_error_and_inert(corpus_abstracts: list[str]) -> None:
    for source in corpus_abstracts:
        _assert_inert(render_abstract(source))
        assert "\ue000" not in render_abstract(source)
