"""The hostile-output checker lets through the theme's own search box, copy button and script,
and nothing that merely resembles them."""

from __future__ import annotations

import pytest

from tests.executable_markup import html_problems

THEME_OWN = [
    '<form class="search" role="search" action="/d/search/" method="get" '
    'data-search="/d/pagefind/pagefind.js" data-base="/d/" data-limit="8">',
    '<input class="search-input" id="search-input" type="search" name="q">',
    '<button class="copy-button" type="button" data-copy="bibtex" hidden>Copy</button>',
    '<script type="module" src="/d/static/site.0123456789.js"></script>',
    '<script type="application/ld+json">{"a": "\\u003c"}</script>',
]
LOOK_ALIKES = [
    '<form role="search" action="javascript:alert(1)" data-search="/pagefind/pagefind.js">',
    '<form action="/x">',
    '<input class="search-input" type="search" onfocus="alert(1)" autofocus>',
    '<input type="text">',
    '<script type="module" src="https://evil.org/static/site.0123456789.js"></script>',
    '<script src="/d/static/site.0123456789.js"></script>',
    "<script>alert(1)</script>",
    '<script type="application/ld+json" src="/x.js"></script>',
    '<button onclick="alert(1)" type="submit">x</button>',
]


@pytest.mark.parametrize("markup", THEME_OWN)
def test_checker_allows_theme_widgets_on_pages(markup: str) -> None:
    assert html_problems(markup, allow_theme_head=True) == []
    assert html_problems(markup) != []  # but never inside entry content


@pytest.mark.parametrize("markup", LOOK_ALIKES)
def test_checker_flags_look_alikes_of_theme_widgets(markup: str) -> None:
    assert html_problems(markup, allow_theme_head=True) != []
