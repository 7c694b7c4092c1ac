"""The topic model, cached by a hash of everything it is computed from: each paper's slug, date,
title and abstract, the ``topics`` settings, the clustering code and library versions; and the
base of a fit (generator/topics/base.py), cached by its papers' text and topics.

A hit returns the very model (or base) a fresh fit would (the fit is seeded and deterministic),
so a rebuild with unchanged entries skips TF-IDF, SVD and k-means entirely, and a build that
follows the lock with a day's new papers fits nothing: it places them in the cached base.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.metadata
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType

import numpy as np
from scipy import sparse

from generator.cache import DiskCache, content_key
from generator.config import TopicsConfig
from generator.models import Paper, Topic, TopicModel
from generator.topics.base import BaseFit
from generator.topics.layout import LayoutFrame
from generator.topics.related import Related

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
            "coords": dict(model.coords), "placed": sorted(model.placed)}


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
                          for k, (x, y) in data["coords"].items()}),
        frozenset(_texts(data["placed"])))


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


# ---------------------------------------------------------------------------------- bases

BASE_KIND = "topicbase"  # not "topics-...": store(keep_only) clears "topics-*" files
_DTYPES = frozenset({"<f4", "<f8", "<i4", "<i8"})


def base_fingerprint(settings: TopicsConfig) -> str:
    """What a base depends on besides its papers and their topics: the settings, the code and
    the library versions; not the lock's bytes, so rewriting the lock keeps the base."""
    return content_key(*topics_code(), repr(settings), *_library_versions())


class BaseCache:
    """Bases (generator/topics/base.py) in the signed disk cache: a JSON record naming
    content-addressed blobs of raw arrays (never pickled). A record or blob that is missing,
    damaged, forged or of another shape is a miss."""

    def __init__(self, cache: DiskCache, fingerprint: str) -> None:
        self.cache = cache
        self.fingerprint = fingerprint

    def key(self, papers: Sequence[Paper], topics: Sequence[str],
            params: Sequence[object]) -> str:
        parts = [self.fingerprint, repr(tuple(params))]
        for paper, topic in zip(papers, topics, strict=True):
            parts += [paper.slug, paper.title, paper.abstract, topic]
        return content_key(*parts)

    def load(self, papers: Sequence[Paper], topics: Sequence[str],
             params: Sequence[object]) -> BaseFit | None:
        if self.cache.folder is None:
            return None
        record = self.cache.load(BASE_KIND, self.key(papers, topics, params))
        if record is None:
            return None
        try:
            base = self._base_from(record)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return None
        if base is None or base.slugs != tuple(p.slug for p in papers):
            return None
        return base

    def store(self, papers: Sequence[Paper], topics: Sequence[str], params: Sequence[object],
              base: BaseFit) -> None:
        if self.cache.folder is None:
            return
        arrays = {
            "assignment": base.assignment.astype("<i8"), "idf": base.idf.astype("<f8"),
            "indptr": base.matrix.indptr.astype("<i8"), "indices": base.matrix.indices.astype(
                "<i4"), "data": base.matrix.data.astype("<f4"), "axes": base.axes.astype("<f4"),
            "related_index": base.related.index.astype("<i4"),
            "related_score": base.related.score.astype("<f8"),
            "coords": base.coords.astype("<f8"),
            **{f"frame_{name}": np.asarray(getattr(base.frame, name), dtype="<f8")
               for name in _FRAME_FIELDS}}
        refs = {name: self._put(array) for name, array in arrays.items()}
        vocabulary = "\n".join(str(term) for term in base.vocabulary).encode("utf-8")
        record = {"slugs": list(base.slugs), "topic_slugs": list(base.topic_slugs),
                  "labels": list(base.labels), "terms": [list(t) for t in base.terms],
                  "terms_count": len(base.vocabulary), "columns": int(base.matrix.shape[1]),
                  "stop_words": sorted(base.stop_words),
                  "vocabulary": self.cache.store_blob(BASE_KIND, vocabulary), "arrays": refs}
        self.cache.store(BASE_KIND, self.key(papers, topics, params), record)
        self.cache.prune_blobs(BASE_KIND, [record["vocabulary"],
                                           *(ref["blob"] for ref in refs.values())])

    def _put(self, array: np.ndarray) -> dict:
        data = np.ascontiguousarray(array)
        return {"blob": self.cache.store_blob(BASE_KIND, data.tobytes()),
                "dtype": data.dtype.str, "shape": list(data.shape)}

    def _get(self, ref: dict) -> np.ndarray:
        dtype, shape = _text(ref["dtype"]), [int(x) for x in ref["shape"]]
        if dtype not in _DTYPES or any(x < 0 for x in shape):
            raise ValueError(dtype)
        data = self.cache.load_blob(BASE_KIND, _text(ref["blob"]))
        if data is None:
            raise ValueError("blob missing or damaged")
        return np.frombuffer(data, dtype=dtype).reshape(shape)  # a wrong size raises

    def _base_from(self, record: dict) -> BaseFit | None:
        arrays = {name: self._get(ref) for name, ref in record["arrays"].items()}
        vocabulary_bytes = self.cache.load_blob(BASE_KIND, _text(record["vocabulary"]))
        if vocabulary_bytes is None:
            return None
        vocabulary = np.array(vocabulary_bytes.decode("utf-8").split("\n"), dtype=str)
        slugs, topic_slugs = _texts(record["slugs"]), _texts(record["topic_slugs"])
        n, k, columns = len(slugs), len(topic_slugs), int(record["columns"])
        if len(vocabulary) != columns or columns != int(record["terms_count"]):
            return None
        matrix = sparse.csr_matrix((arrays["data"].astype(np.float32),
                                    arrays["indices"].astype(np.int32),
                                    arrays["indptr"].astype(np.int64)), shape=(n, columns))
        assignment = arrays["assignment"].astype(int)
        index, score = arrays["related_index"].astype(np.int32), arrays["related_score"]
        coords = arrays["coords"].astype(np.float64)
        checks = (assignment.shape == (n,) and (k == 0 or (assignment.min() >= 0
                                                          and assignment.max() < k))
                  and index.shape == score.shape and index.shape[0] == n
                  and bool(np.all(index < n)) and coords.shape == (n, 2)
                  and len(arrays["idf"]) == columns and matrix.indices.max(initial=0) < columns)
        if not checks:
            return None
        frame = LayoutFrame(**{name: arrays[f"frame_{name}"].astype(np.float64)
                               for name in _FRAME_FIELDS})
        return BaseFit(slugs, topic_slugs, assignment, _texts(record["labels"]),
                       tuple(_texts(t) for t in record["terms"]), vocabulary,
                       arrays["idf"].astype(np.float64), matrix,
                       arrays["axes"].astype(np.float32), Related(index, score), coords, frame,
                       frozenset(_texts(record["stop_words"])))


_FRAME_FIELDS = ("mean", "axes", "centres", "local_means", "scales", "low", "span")
