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
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType

from generator.cache import DiskCache, content_key
from generator.config import TopicsConfig
from generator.models import Paper, Topic, TopicModel

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
    if stored is not None:
        with contextlib.suppress(TypeError, ValueError, KeyError, AttributeError):
            return model_from_json(stored)  # a shape from another version is a miss
    model = compute()
    cache.store(KIND, key, model_to_json(model))
    return model


def model_to_json(model: TopicModel) -> dict:
    """The model as JSON data (tuples become lists; model_from_json turns them back)."""
    return {"topics": [dataclasses.asdict(topic) for topic in model.topics],
            "topic_of": dict(model.topic_of), "related": dict(model.related),
            "coords": dict(model.coords)}


def model_from_json(data: dict) -> TopicModel:
    """The model stored by model_to_json, with every value checked for its type."""
    topics = tuple(Topic(
        slug=_text(t["slug"]), label=_text(t["label"]), terms=_texts(t["terms"]),
        papers=_texts(t["papers"]), generated_label=_text(t["generated_label"]),
        centroid=tuple((_text(term), _number(weight)) for term, weight in t["centroid"]),
        centroid_norm=_number(t["centroid_norm"])) for t in data["topics"])
    return TopicModel(
        topics, MappingProxyType({_text(k): _text(v) for k, v in data["topic_of"].items()}),
        MappingProxyType({_text(k): _texts(v) for k, v in data["related"].items()}),
        MappingProxyType({_text(k): (_number(x), _number(y))
                          for k, (x, y) in data["coords"].items()}))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _texts(values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        raise TypeError(values)
    return tuple(_text(value) for value in values)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    return float(value)
