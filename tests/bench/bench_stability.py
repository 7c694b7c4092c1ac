"""Stability with topics.lock.yaml: fit, lock, add 5 % new papers, fit again with the lock, and
count the existing papers that kept their topic slug."""

from __future__ import annotations

import random
import time
from pathlib import Path

import yaml

from tests.bench.bench_topics import load_records, to_papers


def kept_share(records: list[dict], seed: int = 0) -> tuple[float, int, int, float]:
    from generator.topics import cluster_topics
    from generator.topics.lock import parse_lock, render_lock

    papers = to_papers(records)
    random.Random(seed).shuffle(papers)
    old = papers[: round(len(papers) / 1.05)]
    start = time.perf_counter()
    first = cluster_topics(old, related_count=0, seed=seed)
    lock_text = render_lock(first, len(old))
    second = cluster_topics(papers, related_count=0, seed=seed,
                            lock=parse_lock(yaml.safe_load(lock_text)))
    kept = sum(second.topic_of[s] == t for s, t in first.topic_of.items())
    return kept / len(old), len(old), len(lock_text.encode()), time.perf_counter() - start


def report_stability(corpus: Path, name: str = "",
                     sizes: tuple[str, ...] = ("500", "5000", "full")) -> None:
    print(f"\nstability ({name or corpus.name}): fit on N papers, lock, add 5 % new papers, "
          "refit with the lock")
    print("\n| N | kept their topic | lock size (KB) | time (s) |\n|---|---|---|---|")
    for size in sizes:
        share, n, lock_bytes, seconds = kept_share(load_records(corpus, size, 0))
        print(f"| {n:,} | {share:.1%} | {lock_bytes / 1024:.1f} | {seconds:.1f} |", flush=True)
