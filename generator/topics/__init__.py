"""Topics: TF-IDF and k-means over the papers' text, labels, related papers, and the
``topics.lock.yaml`` that keeps topics and their slugs stable from build to build."""

from generator.topics.cache import BaseCache, base_fingerprint, cached_topics, fit_fingerprint
from generator.topics.compact import CompactVectors, TermRows, compact_vectors
from generator.topics.fit import cluster_topics, follows_lock
from generator.topics.lock import (
    LOCK_NAME,
    TopicLock,
    load_lock,
    lock_bytes,
    read_lock,
    render_lock,
    write_lock,
)
from generator.topics.report import render_topics_text, topics_report

__all__ = [
    "LOCK_NAME",
    "BaseCache",
    "CompactVectors",
    "TermRows",
    "TopicLock",
    "base_fingerprint",
    "cached_topics",
    "cluster_topics",
    "compact_vectors",
    "fit_fingerprint",
    "follows_lock",
    "load_lock",
    "lock_bytes",
    "read_lock",
    "render_lock",
    "render_topics_text",
    "topics_report",
    "write_lock",
]
