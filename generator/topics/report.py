"""`paperboy topics`: the fitted topics as plain text for review, or as JSON, with how well each
label describes its topic (coverage and exclusivity). No I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from generator.markup import plain_text
from generator.models import Paper, TopicModel

EXAMPLE_TITLES = 3


def label_terms(label: str) -> list[str]:
    """The terms of a generated label ("Speech recognition, Noise" -> two terms)."""
    return [term.strip() for term in label.split(",") if term.strip()]


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    # words of a phrase may be joined by any non-word characters ("DOS/Windows"), as the
    # tokenizer that found the phrase joins them
    alternatives = "|".join(r"[^a-z0-9]+".join(map(re.escape, t.lower().split()))
                            for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})s?(?![a-z0-9])")


def label_quality(papers: Sequence[Paper], model: TopicModel) -> dict[str, tuple[float, float]]:
    """Topic slug -> (coverage, exclusivity) of its generated label: the share of the topic's
    papers whose title or abstract contains a label term (whole words, any case, plural s
    allowed, a phrase's words joined by spaces or punctuation), and the share of all papers
    containing one that are in the topic."""
    texts = {p.slug: f"{plain_text(p.title)} {plain_text(p.abstract)}".lower() for p in papers}
    result = {}
    for topic in model.topics:
        pattern = _pattern(label_terms(topic.generated_label or topic.label))
        if pattern is None:
            result[topic.slug] = (0.0, 0.0)
            continue
        hits = {slug for slug, text in texts.items() if pattern.search(text)}
        inside = len(hits & set(topic.papers))
        result[topic.slug] = (inside / max(len(topic.papers), 1), inside / max(len(hits), 1))
    return result


def topics_report(papers: Sequence[Paper], model: TopicModel) -> list[dict[str, Any]]:
    """One dict per topic, largest first: slug, label, size, label coverage and exclusivity,
    terms, papers (slug, arxiv, title)."""
    by_slug = {p.slug: p for p in papers}
    quality = label_quality(papers, model)
    report = []
    for topic in model.topics:
        members = [by_slug[s] for s in topic.papers if s in by_slug]
        coverage, exclusivity = quality[topic.slug]
        report.append({
            "slug": topic.slug, "label": topic.label, "size": len(members),
            "label_coverage": round(coverage, 3), "label_exclusivity": round(exclusivity, 3),
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
        lines.append(f"  label: in {topic['label_coverage']:.0%} of its papers; "
                     f"{topic['label_exclusivity']:.0%} of papers using it are here")
        lines.append(f"  terms: {', '.join(topic['terms'])}")
        for paper in topic["papers"][:EXAMPLE_TITLES]:
            lines.append(f"  - {paper['title']}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
