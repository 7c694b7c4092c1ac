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
from generator.topics.lock import load_lock, parse_lock, render_lock, write_lock

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
    members = [slug for t in data["topics"] for slug in t["members"]]
    assert len(members) == len(set(members)) == data["papers"]
    assert len(lock_text.encode()) < 1000 * len(data["topics"]) + sum(len(s) + 3 for s in members)
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
