"""topics.lock.yaml: stable slugs and assignments when papers are added, renames that survive."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from pathlib import Path

import pytest
import yaml

from generator.models import Paper, SourceRef
from generator.topics import cluster_topics
from generator.topics.lock import (
    MEMBERS_WIDTH,
    load_lock,
    parse_lock,
    render_lock,
    write_lock,
)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "arxiv-sample.jsonl.gz"


def sample_papers() -> list[Paper]:
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return [Paper(slug=r["id"].replace(".", "-"), title=r["title"], abstract=r["abstract"],
                  date=dt.date.fromisoformat(r["date"]), source=SourceRef(f"{r['id']}.md"),
                  arxiv=r["id"]) for r in records]


@pytest.fixture(scope="module")
def grown() -> tuple[dict, dict, str]:
    """Fit on 95 % of the slice, lock, add the other 5 %, fit again with the lock."""
    papers = sample_papers()
    random.Random(3).shuffle(papers)
    old = papers[: int(len(papers) * 0.95)]
    first = cluster_topics(old, related_count=0)
    lock_text = render_lock(first, len(old))
    second = cluster_topics(papers, related_count=0, lock=parse_lock(yaml.safe_load(lock_text)))
    return dict(first.topic_of), dict(second.topic_of), lock_text


@pytest.mark.slow
def test_lock_keeps_95_percent_of_assignments_after_adding_5_percent(grown) -> None:
    before, after, _ = grown
    kept = sum(after[slug] == topic for slug, topic in before.items())
    assert kept / len(before) >= 0.95, kept / len(before)


@pytest.mark.slow
def test_lock_places_new_papers_by_the_topic_rules(grown) -> None:
    """Added papers are spread over the locked topics, not all put in one."""
    before, after, _ = grown
    added = [topic for slug, topic in after.items() if slug not in before]
    assert len(added) == 75 and len(set(added)) >= min(3, len(set(before.values())))


@pytest.mark.slow
def test_lock_keeps_topic_slugs(grown) -> None:
    before, after, _ = grown
    assert set(after.values()) == set(before.values())


@pytest.mark.slow
def test_lock_rename_survives_a_rebuild(tmp_path: Path, grown) -> None:
    _, _, lock_text = grown
    data = yaml.safe_load(lock_text)
    data["topics"][0]["rename"] = "My <b>own</b> label"
    renamed_slug = data["topics"][0]["slug"]
    (tmp_path / "topics.lock.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    model = cluster_topics(sample_papers(), related_count=0, lock=load_lock(tmp_path))
    topic = next(t for t in model.topics if t.slug == renamed_slug)
    assert topic.label == "My <b>own</b> label" and topic.generated_label != topic.label
    assert "rename: My <b>own</b> label" in render_lock(model, 1500)


def test_write_lock_writes_only_changed_text(tmp_path: Path) -> None:
    assert write_lock(tmp_path, "papers: 1\ntopics: []\n")
    assert not write_lock(tmp_path, "papers: 1\ntopics: []\n")
    assert write_lock(tmp_path, "papers: 2\ntopics: []\n")
    assert (tmp_path / "topics.lock.yaml").read_text() == "papers: 2\ntopics: []\n"


@pytest.mark.slow
def test_render_lock_is_deterministic() -> None:
    papers = sample_papers()[:300]
    first, second = cluster_topics(papers, related_count=0), cluster_topics(papers[::-1],
                                                                            related_count=0)
    assert render_lock(first, 300) == render_lock(second, 300)


@pytest.mark.slow
def test_lock_stores_a_few_terms_per_topic_and_reproduces_its_topics(grown) -> None:
    from generator.topics.rule import CENTROID_TERMS

    *_, lock_text = grown
    data = yaml.safe_load(lock_text)
    assert all(len(t["centroid"]) <= CENTROID_TERMS for t in data["topics"])
    # small: about 1 KB per topic plus each paper's slug once
    members = [slug for t in parse_lock(data).topics for slug in t.members]
    assert len(members) == len(set(members)) == data["papers"]
    # about 0.7 KB per topic plus each slug and a space: less than a YAML list's "- 'slug'"
    assert len(lock_text.encode()) < 1000 * len(data["topics"]) + sum(len(s) + 2 for s in members)
    # the same papers with the lock just written keep every topic: builds are idempotent
    papers = sample_papers()
    model = cluster_topics(papers, related_count=0)
    again = cluster_topics(papers, related_count=0,
                           lock=parse_lock(yaml.safe_load(render_lock(model, len(papers)))))
    assert again.topic_of == model.topic_of


@pytest.mark.slow
def test_following_a_lock_reaches_a_fixed_point_so_the_lock_stops_changing() -> None:
    """Build after build of the same papers, the lock file is rewritten at most once: a
    followed lock keeps its rules, so the committed file does not churn in every pull request."""
    papers = sample_papers()
    random.Random(5).shuffle(papers)
    papers = papers[:600]
    texts = [render_lock(cluster_topics(papers, related_count=0), len(papers))]
    for _ in range(3):
        lock = parse_lock(yaml.safe_load(texts[-1]))
        texts.append(render_lock(cluster_topics(papers, related_count=0, lock=lock),
                                 len(papers)))
    assert texts[1] == texts[2] == texts[3]


@pytest.fixture(scope="module")
def daily() -> tuple[object, object, set[str]]:
    """A fit of 95 % of the slice, then the same lock followed with the other 5 % added."""
    papers = sample_papers()
    random.Random(11).shuffle(papers)
    old = papers[: int(len(papers) * 0.95)]
    first = cluster_topics(old)
    second = cluster_topics(papers, lock=parse_lock(yaml.safe_load(render_lock(first,
                                                                               len(old)))))
    return first, second, {p.slug for p in papers[len(old):]}


@pytest.mark.slow
def test_new_papers_join_the_locked_topics_and_nothing_is_fitted_again(daily) -> None:
    """Every old paper keeps its topic and its point on the map, every topic its slug, label
    and terms: a re-fit (k-means on 1,500 papers) would move some; the new papers spread over
    the locked topics and are listed as placed."""
    first, second, added = daily
    assert {slug: second.topic_of[slug] for slug in first.topic_of} == dict(first.topic_of)
    assert {slug: second.coords[slug] for slug in first.coords} == dict(first.coords)
    before = {t.slug: (t.label, t.terms, t.centroid) for t in first.topics}
    assert {t.slug: (t.label, t.terms, t.centroid) for t in second.topics} == before
    assert second.placed == added and set(second.topic_of) == set(first.topic_of) | added
    assert len({second.topic_of[slug] for slug in added}) >= 3
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in second.coords.values())


@pytest.mark.slow
def test_old_papers_related_lists_change_only_where_a_new_paper_ranks_among_them(daily) -> None:
    """An old paper's new list is its old list with new papers let in: the old entries keep
    their order and only the tail makes room. New papers get full lists."""
    first, second, added = daily
    changed = 0
    for slug, before in first.related.items():
        after = second.related[slug]
        kept = [s for s in after if s not in added]
        assert kept == list(before[:len(kept)]), slug
        assert len(after) == len(before)
        changed += after != before
    assert 0 < changed < len(first.related) // 2
    assert all(len(second.related[slug]) == 5 and slug not in second.related[slug]
               for slug in added)


@pytest.mark.slow
def test_a_daily_lock_lists_new_papers_as_added_and_keeps_its_members(daily) -> None:
    first, second, added = daily
    before = yaml.safe_load(render_lock(first, len(first.topic_of)))
    text = render_lock(second, len(first.topic_of))
    after = yaml.safe_load(text)
    assert [t["members"] for t in after["topics"]] == [t["members"] for t in before["topics"]]
    assert sorted(s for t in after["topics"] for s in t.get("added", [])) == sorted(added)
    assert all(f"  - {slug}\n" in text or f"  - '{slug}'\n" in text for slug in added)
    lock = parse_lock(after)
    assert {s for t in lock.topics for s in t.added} == added
    assert all(0 < len(line) <= MEMBERS_WIDTH for t in after["topics"]
               for line in t["members"].splitlines())


@pytest.mark.slow
def test_a_lock_written_with_member_lists_reads_the_same(daily) -> None:
    """Locks written before members were wrapped on lines list them one per line."""
    first, _, _ = daily
    data = yaml.safe_load(render_lock(first, len(first.topic_of)))
    old = {**data, "topics": [{**t, "members": t["members"].split()} for t in data["topics"]]}
    assert parse_lock(old) == parse_lock(data)
    assert cluster_topics(sample_papers(), lock=parse_lock(old)) == cluster_topics(
        sample_papers(), lock=parse_lock(data))


@pytest.mark.slow
def test_a_cached_base_gives_the_same_model_and_a_damaged_one_is_a_miss(tmp_path: Path,
                                                                        daily) -> None:
    from generator.cache import DiskCache
    from generator.config import TopicsConfig
    from generator.topics import BaseCache, base_fingerprint

    first, second, _ = daily
    papers = sample_papers()
    lock = parse_lock(yaml.safe_load(render_lock(first, len(first.topic_of))))
    bases = BaseCache(DiskCache(tmp_path, b"s" * 32), base_fingerprint(TopicsConfig()))
    assert cluster_topics(papers, lock=lock, bases=bases) == second  # a miss, then stored
    assert len(list(tmp_path.glob("topicbase-*.json"))) == 1
    topic_of = {slug: t.slug for t in lock.topics for slug in t.members}
    members = sorted((p for p in papers if p.slug in topic_of), key=lambda p: p.slug)
    assert bases.load(members, [topic_of[p.slug] for p in members], (5, 0)) is not None
    assert cluster_topics(papers, lock=lock, bases=bases) == second  # a hit
    for blob in (tmp_path / "blobs").rglob("*"):
        if blob.is_file():
            blob.write_bytes(blob.read_bytes()[::-1])
    assert bases.load(members, [topic_of[p.slug] for p in members], (5, 0)) is None
    assert cluster_topics(papers, lock=lock, bases=bases) == second
    other = BaseCache(DiskCache(tmp_path, b"t" * 32), base_fingerprint(TopicsConfig()))
    assert cluster_topics(papers, lock=lock, bases=other) == second  # another key: a miss
