"""Re-plan only the pages an edit reaches (``paperboy serve``), instead of every page.

An edit is local when the same papers (by slug) keep their dates and upvotes and the topic
model is unchanged: then no page moves, no issue or archive page changes its members, and a
changed paper can only alter its own card and page, the lists that show its card, the pages
whose related papers include it, the maps that draw it as a dot, and the tags it joins or
leaves. Anything else (a new or deleted paper, a date or upvote change, a topic that moved,
another configuration) returns None and the caller plans every page; the routes are the same
either way (tests/unit/test_plan_delta.py compares them).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from generator import urls
from generator.config import SiteConfig
from generator.models import Paper, TopicModel
from generator.site.issues import Issue
from generator.site.planner import (
    Planner,
    Route,
    SiteModel,
    TagRef,
    card_of,
    page_count,
    planner_for,
)
from generator.site.views import PaperCard

MAX_CHANGED = 200  # papers; more than this is a bulk edit, and planning everything is as fast


@dataclass
class PlanState:
    """The last plan and the indexes that tell which pages show a paper."""

    config: SiteConfig
    planner: Planner
    model: SiteModel
    position: dict[str, int]  # route -> its index in model.routes
    order: dict[str, int]  # slug -> index in model.papers (newest first)
    cited_by: dict[str, set[str]]  # slug -> slugs whose related papers include it
    by_tag: dict[str, list[str]]  # tag -> slugs, newest first
    issue_of: dict[str, int]  # slug -> index of the issue that lists it
    point_index: dict[str, int] | None = None  # slug -> index in planner.points, when made


@dataclass(frozen=True)
class Replan:
    model: SiteModel
    routes: tuple[Route, ...]  # the routes planned again (the others are unchanged)
    removed: tuple[str, ...]  # routes of the last plan that are gone


def plan_everything(config: SiteConfig, papers: Sequence[Paper],
                    topic_model: TopicModel) -> tuple[SiteModel, PlanState]:
    planner = planner_for(config, papers, topic_model)
    model = planner.site_model()
    cited_by: dict[str, set[str]] = defaultdict(set)
    for slug, related in topic_model.related.items():
        for other in related:
            cited_by[other].add(slug)
    by_tag: dict[str, list[str]] = defaultdict(list)
    for paper in model.papers:
        for tag in paper.tags:
            by_tag[tag].append(paper.slug)
    issue_of = {p.slug: index for index, issue in enumerate(model.issues) for p in issue.papers}
    state = PlanState(config, planner, model, _positions(model.routes),
                      {p.slug: i for i, p in enumerate(model.papers)}, dict(cited_by),
                      dict(by_tag), issue_of)
    return model, state


def _positions(routes: Sequence[Route]) -> dict[str, int]:
    return {route.route: index for index, route in enumerate(routes)}


def replan(state: PlanState, config: SiteConfig, papers: Sequence[Paper],
           topic_model: TopicModel) -> Replan | None:
    """The new plan from the last one, or None when the edit is not local. ``state`` is
    updated in place only when a Replan is returned."""
    old, planner = state.model, state.planner
    changed = _changed_papers(state, config, papers, topic_model)
    if changed is None:
        return None
    new_papers = tuple(papers)  # same slugs and dates: the same order
    tags_changed = _retag(state, changed)
    tag_refs = _tag_refs(state, planner, tags_changed)
    restyled = {s for t in tags_changed if t in tag_refs for s in state.by_tag[t]}
    cards = dict(planner.cards)
    touched: set[str] = set()  # slugs whose card changed
    retitled: set[str] = set()  # ... and whose title did: maps show titles
    for slug in sorted(restyled | {p.slug for p in changed}):
        card = card_of(new_papers[state.order[slug]], planner.link, planner.topics, tag_refs,
                       topic_model, len(new_papers) - 1 - state.order[slug])
        if card != cards[slug]:
            touched.add(slug)
            if card.title_text != cards[slug].title_text:
                retitled.add(slug)
            cards[slug] = card
    fresh = Planner(config, planner.link, planner.site, new_papers, cards, topic_model,
                    planner.topics, tag_refs, planner.digests,
                    _reissue(state, planner.issues, changed), rollups=planner.rollups)
    fresh.maps = {focus: drawn for focus, drawn in planner.maps.items()
                  if not drawn[1] & retitled}
    fresh.points = _retitled_points(state, planner.points, retitled, cards)
    routes = _routes_to_plan(state, fresh, {p.slug for p in changed}, touched, tags_changed)
    gone: list[str] = []  # the pages a tag no longer fills
    for tag in sorted(tags_changed):
        kept = set(_tag_routes(planner, tag, tag_refs))
        gone += [r for r in _tag_routes(planner, tag, planner.tags) if r not in kept]
    removed = tuple(gone)
    all_routes = _splice(old.routes, state, routes, removed, fresh)
    model = SiteModel(old.site, old.urls, new_papers, MappingProxyType(cards), old.topics,
                      tuple(tag_refs.values()), old.digests, all_routes, fresh.issues,
                      fresh.rollups, topic_model.term_rows)
    if len(all_routes) != len(old.routes) or removed:
        state.position = _positions(all_routes)
    state.planner, state.model = fresh, model
    return Replan(model, tuple(routes.values()), removed)


def _retitled_points(state: PlanState, points: list | None, retitled: set[str],
                     cards: dict[str, PaperCard]) -> list | None:
    """The map points with new titles: positions, topics and URLs stay with the slug."""
    if points is None or not retitled:
        return points
    if state.point_index is None:
        state.point_index = {point.key: index for index, point in enumerate(points)}
    points = list(points)
    for slug in retitled:
        index = state.point_index.get(slug)
        if index is not None:
            points[index] = replace(points[index], title=cards[slug].title_text)
    return points


def _changed_papers(state: PlanState, config: SiteConfig, papers: Sequence[Paper],
                    topic_model: TopicModel) -> list[Paper] | None:
    """The papers that differ from the last plan's, when the edit is local; else None."""
    old = state.model.papers
    before = state.planner.model
    if config != state.config or len(papers) != len(old) or not (
            topic_model is before or _same_topics(topic_model, before)):
        return None
    changed = []
    for paper, previous in zip(papers, old, strict=True):
        if paper is previous or paper == previous:
            continue
        if (paper.slug != previous.slug or paper.date != previous.date
                or paper.upvotes != previous.upvotes or len(changed) == MAX_CHANGED):
            return None
        changed.append(paper)
    return changed


def _same_topics(new: TopicModel, old: TopicModel) -> bool:
    return (new.topic_of == old.topic_of and new.related == old.related
            and new.coords == old.coords and new.topics == old.topics)


def _retag(state: PlanState, changed: list[Paper]) -> set[str]:
    """Move changed papers between the tag lists; the tags whose member set changed."""
    old = state.model.papers
    moved: set[str] = set()
    for paper in changed:
        before = set(old[state.order[paper.slug]].tags)
        after = set(paper.tags)
        for tag in before - after:
            state.by_tag[tag].remove(paper.slug)
            if not state.by_tag[tag]:
                del state.by_tag[tag]
        for tag in after - before:
            members = state.by_tag.setdefault(tag, [])
            bisect.insort(members, paper.slug, key=state.order.__getitem__)
        moved |= before ^ after
    return moved


def _tag_refs(state: PlanState, planner: Planner, moved: set[str]) -> dict[str, TagRef]:
    if not moved:
        return planner.tags
    refs = dict(planner.tags)
    for tag in moved:
        if tag in state.by_tag:
            refs[tag] = TagRef(tag, planner.link.link(urls.tag(tag)), len(state.by_tag[tag]))
        else:
            refs.pop(tag, None)
    return dict(sorted(refs.items()))


def _reissue(state: PlanState, issues: tuple[Issue, ...],
             changed: list[Paper]) -> tuple[Issue, ...]:
    """Issues hold Paper values: swap in the edited ones (ranks depend on nothing edited)."""
    swaps: dict[int, dict[str, Paper]] = defaultdict(dict)
    for paper in changed:
        if paper.slug in state.issue_of:
            swaps[state.issue_of[paper.slug]][paper.slug] = paper
    if not swaps:
        return issues
    result = list(issues)
    for index, by_slug in swaps.items():
        issue = result[index]
        result[index] = replace(issue, papers=tuple(by_slug.get(p.slug, p) for p in issue.papers))
    return tuple(result)


def _routes_to_plan(state: PlanState, fresh: Planner, changed: set[str], touched: set[str],
                    tags: set[str]) -> dict[str, Route]:
    """Every page that shows a changed card, plus pages of changed papers and of moved tags."""
    routes: dict[str, Route] = {}
    papers = fresh.papers
    readers = set(changed) | touched
    for slug in touched:
        readers |= state.cited_by.get(slug, set())
    for slug in sorted(readers, key=state.order.__getitem__):
        route = fresh.paper_page(papers[state.order[slug]])
        routes[route.route] = route
    if any(slug in touched for slug in _first_issue(fresh)):
        routes[urls.home()] = fresh.home()
    for index in sorted({state.issue_of[s] for s in touched if s in state.issue_of}):
        route = fresh.digest_page(index)
        routes[route.route] = route
    for index, rollup in enumerate(fresh.rollups):  # rollups hold slugs, not papers
        if touched.intersection(rollup.slugs):
            route = fresh.rollup_page(index)
            routes[route.route] = route
    for tag in sorted(tags | {t for s in touched for t in papers[state.order[s]].tags}):
        if tag in fresh.tags:
            cards = [fresh.cards[s] for s in state.by_tag[tag]]
            routes.update((route.route, route) for route in fresh.tag_pages(tag, cards))
    if tags:
        routes[urls.tags_index()] = fresh.tags_index()
        if fresh.site.links.feeds_page is not None:  # the feeds page lists every tag feed
            route = fresh._feeds_pages()[0]
            routes[route.route] = route
    topic_index = {t.slug: i for i, t in enumerate(fresh.model.topics)}
    topics = {topic_index[fresh.model.topic_of[s]] for s in touched
              if fresh.model.topic_of.get(s) in topic_index}
    topics |= {focus for focus in state.planner.maps if focus not in fresh.maps}
    if None in topics:
        routes[urls.topics_index()] = fresh.topics_index()
    for index in sorted(t for t in topics if t is not None):
        routes.update((route.route, route) for route in fresh.topic_pages(index))
    for number in sorted({fresh.archive_number_of(state.order[s]) for s in touched},
                         reverse=True):
        route = fresh.archive_page(number)
        routes[route.route] = route
    return routes


def _first_issue(planner: Planner) -> list[str]:
    return [p.slug for p in planner.issues[0].papers] if planner.issues else []


def _splice(old: tuple[Route, ...], state: PlanState, routes: dict[str, Route],
            removed: tuple[str, ...], fresh: Planner) -> tuple[Route, ...]:
    """The last plan's routes with the re-planned ones in their places; tag pages made or
    deleted go in or out of the tag section (in tag order, as a full plan has it)."""
    result = list(old)
    added = []
    for name, route in routes.items():
        index = state.position.get(name)
        if index is None:
            added.append(route)
        else:
            result[index] = route
    if not added and not removed:
        return tuple(result)
    start = state.position[urls.tags_index()] + 1
    end = start + sum(len(_tag_routes(state.planner, t, state.planner.tags))
                      for t in state.planner.tags)  # the tag pages of the last plan
    section = {r.route: r for r in result[start:end]}
    for name in removed:
        del section[name]
    section.update((r.route, r) for r in added)
    return tuple(result[:start] + [section[name] for t in fresh.tags
                                   for name in _tag_routes(fresh, t, fresh.tags)] + result[end:])


def _tag_routes(planner: Planner, tag: str, refs: Mapping[str, TagRef]) -> list[str]:
    """The routes of a tag's pages in plan order (none when ``refs`` has no such tag)."""
    if tag not in refs:
        return []
    numbered = page_count(refs[tag].count, planner.config.papers_per_page) - 1
    return [urls.tag(tag), *(urls.tag(tag, number) for number in range(numbered, 0, -1))]
