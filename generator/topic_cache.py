"""The topic model, cached by a hash of everything it is computed from: each paper's slug, date,
title and abstract, the ``topics`` settings, the clustering code and library versions.

A hit returns the very model a fresh fit would (the fit is seeded and deterministic), so a
rebuild with unchanged entries skips TF-IDF, SVD and k-means entirely.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType

from generator.cache import BuildCache, content_key
from generator.models import Paper, TopicModel

KIND = "topics"


def topics_code() -> list[bytes]:
    """Source of every module that shapes the model: topics*.py / topic_*.py, and markup."""
    here = Path(__file__).resolve().parent
    files = sorted(p for p in here.glob("topic*.py") if p.name != "topic_cache.py")
    return [p.read_bytes() for p in (*files, here / "markup.py", here / "latex.py")]


def topics_key(papers: Sequence[Paper], settings: object) -> str:
    versions = [importlib.metadata.version(name) for name in ("scikit-learn", "numpy", "scipy")]
    parts = [*topics_code(), repr(settings), *versions]
    for paper in sorted(papers, key=lambda p: p.slug):
        parts += [paper.slug, paper.date.isoformat(), paper.title, paper.abstract]
    return content_key(*parts)


def cached_topics(papers: Sequence[Paper], settings: object, cache: BuildCache | None,
                  compute: Callable[[], TopicModel]) -> TopicModel:
    if cache is None or cache.folder is None:
        return compute()
    key = topics_key(papers, settings)
    stored = cache.load(KIND, key)
    if isinstance(stored, tuple) and len(stored) == 3:
        topics, topic_of, related = stored
        return TopicModel(topics, MappingProxyType(topic_of), MappingProxyType(related))
    model = compute()
    # MappingProxyType does not pickle: store plain dicts and wrap them again on load.
    cache.store(KIND, key, (model.topics, dict(model.topic_of), dict(model.related)))
    return model
