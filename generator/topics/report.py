"""`paperboy topics`: the fitted topics as plain text for review, or as JSON. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.markup import plain_text
from generator.models import Paper, TopicModel

EXAMPLE_TITLES = 3


def topics_report(papers: Sequence[Paper], model: TopicModel) -> list[dict[str, Any]]:
    """One dict per topic, largest first: slug, label, size, terms, papers (slug, arxiv, title)."""
    by_slug = {p.slug: p for p in papers}
    report = []
    for topic in model.topics:
        members = [by_slug[s] for s in topic.papers if s in by_slug]
        report.append({
            "slug": topic.slug, "label": topic.label, "size": len(members),
            "terms": list(topic.terms),
            "papers": [{"slug": p.slug, "arxiv": p.arxiv, "title": plain_text(p.title)}
                       for p in members],
        })
    return report


def render_topics_text(report: Sequence[dict[str, Any]]) -> str:
    if not report:
        return "No topics (no papers, or topics are disabled in site.yaml)."
    lines = []
    for topic in report:
        lines.append(f"{topic['label']}  [{topic['slug']}]  {topic['size']} "
                     f"paper{'s' if topic['size'] != 1 else ''}")
        lines.append(f"  terms: {', '.join(topic['terms'])}")
        for paper in topic["papers"][:EXAMPLE_TITLES]:
            lines.append(f"  - {paper['title']}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
