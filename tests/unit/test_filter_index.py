"""The filter index: every key's postings decode to exactly the papers that have it, buckets
split by hash when the index grows, and adding a newer paper leaves paper numbers alone."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from generator.config import SiteConfig
from generator.filters import author_keys, bucket_of, filter_keys, render_filter_index
from generator.filters import index as filter_index
from generator.models import Paper, SourceRef, TopicModel
from generator.site import plan_site

STOP = frozenset({"the", "of", "and", "a"})
WORDS = ["graph", "neural", "diffusion", "zebrafish", "retrieval", "the", "of", "robot",
         "policy", "language", "café", "x-ray", "state-of-the-art"]
NAMES = ["Ada Lovelace", "Lovelace, Ada", "José Núñez", "Grace Hopper", "Ng", "李 明"]


def papers(count: int, seed: int = 0) -> list[Paper]:
    rng = random.Random(seed)
    result = []
    for i in range(count):
        title = " ".join(rng.sample(WORDS, 3))
        result.append(Paper(f"p{i:04d}", title.capitalize(), " ".join(rng.sample(WORDS, 5)),
                            dt.date(2026, 1, 1) + dt.timedelta(days=i % 40), SourceRef("a.md"),
                            authors=tuple(rng.sample(NAMES, 2)),
                            tags=tuple(sorted(rng.sample(["rl", "nlp", "cv.3d"], 1)))))
    return result


def index_of(items: list[Paper]) -> dict[str, object]:
    model = plan_site(SiteConfig(), items, TopicModel((), {}, {}))
    files = {str(f.path): json.loads(f.data) for f in render_filter_index(SiteConfig(), model,
                                                                             STOP)}
    return {"files": files, "model": model}


def decoded(files: dict[str, object]) -> dict[str, set[int]]:
    manifest = files["filters/index.json"]
    result = {}
    for n in range(manifest["buckets"]):
        for key, deltas in files[f"filters/keys/{n}.json"].items():
            assert bucket_of(key, manifest["buckets"]) == n
            total, ids = 0, set()
            for delta in deltas:
                total += delta
                ids.add(total)
            result[key] = ids
    return result


def expected(model) -> dict[str, set[int]]:
    from generator.markup import plain_text

    result: dict[str, set[int]] = {}
    for paper in model.papers:
        card = model.cards[paper.slug]
        for key in filter_keys(card.title_text, plain_text(paper.abstract), paper.authors, None,
                               paper.tags, STOP):
            result.setdefault(key, set()).add(card.pid)
    return result


@pytest.mark.parametrize("bucket_bytes", [24 * 1024, 200])
def test_postings_decode_to_exactly_the_papers_with_each_key(monkeypatch, bucket_bytes) -> None:
    monkeypatch.setattr(filter_index, "BUCKET_BYTES", bucket_bytes)
    built = index_of(papers(300))
    files, model = built["files"], built["model"]
    assert decoded(files) == expected(model)
    buckets = files["filters/index.json"]["buckets"]
    assert (buckets == 1) == (bucket_bytes > 10_000)
    assert buckets & (buckets - 1) == 0  # a power of two, as filters.js masks with it


def test_keys_fold_accents_skip_stop_words_and_read_names_both_ways() -> None:
    keys = filter_keys("The Café of X-ray", "", ("Lovelace, Ada", "José Núñez"), "t1", ("rl",),
                       STOP)
    assert set(keys) == {"w:cafe", "w:x-ray", "a:ada-lovelace", "a:lovelace", "a:jose-nunez",
                         "a:nunez", "t:t1", "g:rl"}
    assert author_keys("Ada Lovelace") == author_keys("Lovelace, Ada")
    assert author_keys("李 明") == set()  # nothing foldable: no key, never a crash


def test_records_hold_what_a_result_shows_by_paper_number() -> None:
    built = index_of(papers(450))
    files, model = built["files"], built["model"]
    size = files["filters/index.json"]["papers_per_file"]
    for paper in model.papers:
        pid = model.cards[paper.slug].pid
        record = files[f"filters/papers/{pid // size}.json"][pid % size]
        assert record[0] == paper.slug and record[2] == paper.date.isoformat()


def test_adding_a_newer_paper_keeps_every_paper_number() -> None:
    items = papers(50)
    before = index_of(items)["model"].cards
    newer = Paper("zz-new", "Newest", "text", dt.date(2027, 1, 1), SourceRef("b.md"))
    after = index_of([*items, newer])["model"].cards
    assert {s: c.pid for s, c in before.items()} == {
        s: c.pid for s, c in after.items() if s != "zz-new"}
    assert after["zz-new"].pid == 50
