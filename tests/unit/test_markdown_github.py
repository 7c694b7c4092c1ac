"""Abstracts render the way GitHub's preview shows them (CommonMark with GitHub's extensions).

Each expected value is the HTML GitHub gives for the input, written from the CommonMark spec
(0.31.2: 5.2 list items, 5.3 lists, 6.5 autolinks) and GitHub's extended autolinks, then
compared after removing what GitHub adds on its own page (rel and dir attributes) and the
whitespace between tags. The sanitiser still runs on every one of them.
"""

from __future__ import annotations

import re

import pytest

from generator.markup import render_abstract

GITHUB = [
    # a list right after a paragraph line (spec example 304: a list can interrupt a paragraph)
    ("Settings:\n- a\n- b", "<p>Settings:</p><ul><li>a</li><li>b</li></ul>"),
    ("Intro:\n* one *two*\n* three",
     "<p>Intro:</p><ul><li>one <em>two</em></li><li>three</li></ul>"),
    ("Steps:\n1. x\n2. y", "<p>Steps:</p><ol><li>x</li><li>y</li></ol>"),
    # only an ordered list that starts at 1 may interrupt a paragraph (example 304/305)
    ("Results:\n2. b", "<p>Results: 2. b</p>"),
    ("We\n10) x", "<p>We 10) x</p>"),
    # "1)" lists (5.2: an ordered list marker is digits then "." or ")")
    ("1) one\n2) two", "<ol><li>one</li><li>two</li></ol>"),
    ("3) three\n4) four", '<ol start="3"><li>three</li><li>four</li></ol>'),
    ("3. three\n4. four", '<ol start="3"><li>three</li><li>four</li></ol>'),
    # nesting by the item's content column: two spaces under "- ", three under "1. "
    ("- a\n  - b\n  - c\n- d", "<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>"),
    ("1. a\n   - b\n2. c", "<ol><li>a<ul><li>b</li></ul></li><li>c</li></ol>"),
    ("- a\n  1. x\n  2. y\n- b",
     "<ul><li>a<ol><li>x</li><li>y</li></ol></li><li>b</li></ul>"),
    ("- a\n    - b", "<ul><li>a<ul><li>b</li></ul></li></ul>"),
    ("- a\n - b", "<ul><li>a</li><li>b</li></ul>"),  # one space: still a sibling
    # lazy continuation, and a change of list type starts a new list (5.3)
    ("- a\ncontinued\n- b", "<ul><li>a continued</li><li>b</li></ul>"),
    ("- a\n1. b", "<ul><li>a</li></ul><ol><li>b</li></ol>"),
    # loose lists: a blank line between items, or between an item's paragraphs
    ("a\n\n- x\n\n- y", "<p>a</p><ul><li><p>x</p></li><li><p>y</p></li></ul>"),
    ("- a\n\n  more\n- b", "<ul><li><p>a</p><p>more</p></li><li><p>b</p></li></ul>"),
    ("- a\n- b\n\npara", "<ul><li>a</li><li>b</li></ul><p>para</p>"),
    ("* a\n* b", "<ul><li>a</li><li>b</li></ul>"),
    # autolinks: <...> (6.5), bare URLs and www. (GitHub's extended autolinks)
    ("<https://example.com/a>", '<p><a href="https://example.com/a">https://example.com/a</a></p>'),
    ("see https://example.org/x.",
     '<p>see <a href="https://example.org/x">https://example.org/x</a>.</p>'),
    ("see https://example.org/a_(b).",
     '<p>see <a href="https://example.org/a_(b)">https://example.org/a_(b)</a>.</p>'),
    ("see www.example.org/x, then",
     '<p>see <a href="http://www.example.org/x">www.example.org/x</a>, then</p>'),
    ("(www.example.org)", '<p>(<a href="http://www.example.org">www.example.org</a>)</p>'),
    # left as text, as on GitHub
    ("www.x and 512*512 and a * b", "<p>www.x and 512*512 and a * b</p>"),
]


def comparable(markup: str) -> str:
    markup = re.sub(r' (?:rel|dir)="[^"]*"', "", markup)
    markup = re.sub(r">\s+<", "><", markup.strip())
    return re.sub(r"\s+", " ", markup)


@pytest.mark.parametrize(("source", "github"), GITHUB, ids=[s for s, _ in GITHUB])
def test_abstract_renders_as_github_preview(source: str, github: str) -> None:
    assert comparable(render_abstract(source)) == github


def test_links_still_get_the_sanitisers_rel() -> None:
    assert render_abstract("www.example.org").count('rel="nofollow noopener ugc"') == 1


@pytest.mark.parametrize("source", [
    "1. <script>alert(1)</script>\n   - <img src=x onerror=alert(1)>",
    "Settings:\n- [x](javascript:alert(1))\n- www.example.org/\"onmouseover=\"alert(1)",
    '<ol start="javascript:alert(1)" onclick="x"><li>a</li></ol>',
])
def test_lists_and_links_stay_sanitised(source: str) -> None:
    out = render_abstract(source)
    assert "<script" not in out and "onerror" not in out and "onclick" not in out
    assert 'href="javascript' not in out and "start=\"javascript" not in out


def test_deep_nesting_renders_without_recursion_error() -> None:
    # 400 levels crashed Python-Markdown (RecursionError); deeper items now stay at 8 levels
    out = render_abstract("\n".join("    " * depth + "- a" for depth in range(400)))
    assert out.count("<li>") == 400 and out.count("<ul>") == 9
