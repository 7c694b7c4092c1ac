"""The topic model, cached by a hash of everything it is computed from: each paper's slug, date,
title and abstract, the ``topics`` settings, the clustering code and library versions.

A hit returns the very model a fresh fit would (the fit is seeded and deterministic), so a
rebuild with unchanged entries skips TF-IDF, SVD and k-means entirely.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.metadata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from generator.cache import DiskCache, content_key
from generator.config import TopicsConfig
from generator.models import Paper, TopicModel

KIND = "topics"


@functools.cache
def topics_code() -> tuple[bytes, ...]:
    """Source of every module that shapes the model: the topics package, and markup."""
    here = Path(__file__).resolve().parent
    files = sorted(p for p in here.glob("*.py") if p.name != "cache.py")
    markup = here.parent / "markup"
    return tuple(p.read_bytes() for p in (*files, markup / "abstracts.py", markup / "latex.py"))


@functools.cache
def _library_versions() -> tuple[str, ...]:
    return tuple(importlib.metadata.version(name) for name in ("scikit-learn", "numpy", "scipy"))


def fit_fingerprint(settings: TopicsConfig, lock: bytes) -> str:
    """Everything a fit depends on besides the papers' text: the ``topics`` settings (renames
    included), the lock file's bytes, the clustering code and the library versions. The disk
    cache and ``paperboy serve`` both key on this one function, so they cannot drift."""
    return content_key(*topics_code(), repr(settings), lock, *_library_versions())


def topics_key(papers: Sequence[Paper], fingerprint: str) -> str:
    parts = [fingerprint]
    for paper in sorted(papers, key=lambda p: p.slug):
        parts += [paper.slug, paper.date.isoformat(), paper.title, paper.abstract]
    return content_key(*parts)


def cached_topics(papers: Sequence[Paper], fingerprint: str, cache: DiskCache | None,
                  compute: Callable[[], TopicModel]) -> TopicModel:
    if cache is None or cache.folder is None:
        return compute()
    key = topics_key(papers, fingerprint)
    stored = cache.load(KIND, key)
    if isinstance(stored, dict):
        with contextlib.suppress(TypeError):  # stored by another version of TopicModel
            return TopicModel(**{name: MappingProxyType(value) if isinstance(value, dict)
                                 else value for name, value in stored.items()})
    model = compute()
    # MappingProxyType does not pickle: store plain dicts and wrap them again on load.
    cache.store(KIND, key, {f.name: dict(value) if isinstance(value, Mapping) else value
                            for f in dataclasses.fields(model)
                            for value in (getattr(model, f.name),)})
    return model
