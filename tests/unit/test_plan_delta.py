"""Re-planning only the pages an edit reaches gives exactly the routes of a full plan, and
edits that are not local are refused (the caller then plans everything)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from generator.config import SiteConfig, load_config
from generator.content import load_content
from generator.models import Paper
from generator.pipeline import fit_topics
from generator.site import plan_site
from generator.site.delta import plan_everything, replan
from tests.conftest import SITES

CONFIG = load_config(SITES / "full")
PAPERS = load_content(SITES / "full").papers
TOPICS = fit_topics(PAPERS, CONFIG)
Edit = Callable[[Paper], Paper]


def edited(papers: tuple[Paper, ...], slug: str, edit: Edit) -> tuple[Paper, ...]:
    return tuple(edit(p) if p.slug == slug else p for p in papers)


def change(**fields) -> Edit:
    return lambda paper: dataclasses.replace(paper, **fields)


SLUGS = [p.slug for p in PAPERS]
LOCAL = {
    "title": change(title="A New Title With $x^2$"),
    "abstract": change(abstract="Shorter."),
    "authors": change(authors=("Somebody Else",)),
    "a new tag": lambda p: dataclasses.replace(p, tags=tuple(sorted({*p.tags, "brand-new"}))),
    "an existing tag": lambda p: dataclasses.replace(p, tags=tuple(sorted({*p.tags, "vision"}))),
    "no tags": change(tags=()),
    "submitted by": change(submitted_by="a stranger"),
}


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("edit", LOCAL.values(), ids=LOCAL.keys())
def test_replan_equals_a_full_plan(slug: str, edit: Edit) -> None:
    assert_replan_equals_a_full_plan(CONFIG, slug, edit)


def assert_replan_equals_a_full_plan(config: SiteConfig, slug: str, edit: Edit) -> None:
    _, state = plan_everything(config, PAPERS, TOPICS)
    papers = edited(PAPERS, slug, edit)
    delta = replan(state, config, papers, TOPICS)
    assert delta is not None
    full = plan_site(config, papers, TOPICS)
    assert delta.model == full
    replanned = {r.route for r in delta.routes}
    before = {r.route: r for r in plan_site(config, PAPERS, TOPICS).routes}
    differ = {r.route for r in full.routes if before.get(r.route) != r}
    assert differ <= replanned  # every page that changed was planned again
    assert set(delta.removed) == set(before) - {r.route for r in full.routes}


def test_successive_replans_follow_the_edits() -> None:
    _, state = plan_everything(CONFIG, PAPERS, TOPICS)
    papers = PAPERS
    for slug, edit in zip(SLUGS * 2, [*LOCAL.values()] * 2, strict=False):
        papers = edited(papers, slug, edit)
        delta = replan(state, CONFIG, papers, TOPICS)
        assert delta is not None
        assert delta.model == plan_site(CONFIG, papers, TOPICS)


REFUSED = {
    "date": change(date=PAPERS[-1].date.replace(year=2020)),
    "upvotes": change(upvotes=1234),
}


@pytest.mark.parametrize("edit", REFUSED.values(), ids=REFUSED.keys())
def test_edits_that_move_pages_are_refused(edit: Edit) -> None:
    _, state = plan_everything(CONFIG, PAPERS, TOPICS)
    assert replan(state, CONFIG, edited(PAPERS, SLUGS[0], edit), TOPICS) is None


def test_new_papers_other_topics_and_settings_are_refused() -> None:
    _, state = plan_everything(CONFIG, PAPERS, TOPICS)
    assert replan(state, CONFIG, PAPERS[1:], TOPICS) is None
    moved = dataclasses.replace(TOPICS, related={s: () for s in TOPICS.related})
    assert replan(state, CONFIG, PAPERS, moved) is None
    assert replan(state, dataclasses.replace(CONFIG, title="Other"), PAPERS, TOPICS) is None


PAGED = dataclasses.replace(CONFIG, papers_per_page=1)  # tags and topics of several pages


@pytest.mark.parametrize("slug", SLUGS[:: max(1, len(SLUGS) // 4)])
@pytest.mark.parametrize("edit", LOCAL.values(), ids=LOCAL.keys())
def test_replan_of_paginated_tags_and_topics_equals_a_full_plan(slug: str, edit: Edit) -> None:
    """A tag gaining or losing a paper can gain or lose a page: the routes still come out as
    a full plan orders them, and a page that is gone is removed."""
    full_before = plan_site(PAGED, PAPERS, TOPICS)
    assert any("/page/" in r.route and r.route.startswith("tags/") for r in full_before.routes)
    assert any("/page/" in r.route and r.route.startswith("topics/") for r in full_before.routes)
    assert_replan_equals_a_full_plan(PAGED, slug, edit)
