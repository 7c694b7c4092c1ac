"""The largest entries the bounds accept build into a working site: thousands of authors, the
most tags, an abstract of unmatched brackets, dates at both ends of the range, odd Unicode."""

from __future__ import annotations

import pytest

from generator.config import load_config
from generator.content.fields import MAX_AUTHORS, MAX_DATE, MAX_TAGS, MAX_TITLE, MIN_DATE
from generator.pipeline import build_site
from tests.executable_markup import output_problems


@pytest.mark.slow
def test_entries_at_every_bound_build(make_site) -> None:
    authors = ", ".join(f"Author {i}" for i in range(MAX_AUTHORS))
    tags = ", ".join(f"tag-{i}" for i in range(MAX_TAGS))
    zalgo = "Z" + "\u0301" * 200
    entries = {
        "content/big.md": f"---\ntitle: Big collaboration\ndate: {MIN_DATE}\n"
                          f"authors: [{authors}]\ntags: [{tags}]\n---\n" + "[" * 19_900 + "\n",
        "content/late.md": f"---\ntitle: \"{'Long ' * (MAX_TITLE // 5 - 1)}end\"\n"
                           f"date: {MAX_DATE}\n---\n" + "{" * 5_000 + "\n\nA $x^2$ [link](https://e.org/).\n",
        "content/odd.md": f"---\ntitle: \"\u202eevil\u202c {zalgo} \u200b\"\ndate: 2024-03-12\n"
                          "authors: [\"\u0627\u0644\u0639\u0631\u0628\u064a\u0629\"]\n---\n"
                          "\ufeffA bidi \u202e override and \U0001F468\u200d\U0001F469.\n",
    }
    # Topics off: the checker below does not allow the topic pages' SVG (see test_topic_map).
    root = make_site(entries, site_yaml="title: T\nbase_url: https://e.org/d/\n"
                     "topics: {enabled: false}\n")

    result = build_site(root, load_config(root))

    assert result.ok, [d.format() for d in result.diagnostics]
    assert result.papers == 3
    papers = root / "output" / "papers"
    pages = {p.parent.name: p.read_text() for p in papers.glob("*/index.html")}
    big = pages["big-collaboration"]
    assert "Author 0" in big and f"Author {MAX_AUTHORS - 1}" in big
    assert "[" * 1000 in big  # shown as text, not parsed
    late = next(text for slug, text in pages.items() if slug.startswith("long-long"))
    assert "<math" in late and 'href="https://e.org/"' in late
    assert output_problems(root / "output") == {}
