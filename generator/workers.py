"""The one place worker processes are started: ``map_forked`` runs a function over items on
every core, inheriting the function and the items through the fork so neither needs to pickle.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_SHARED_MAP: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)



def map_forked(function: Callable[[T], R], items: Sequence[T], *, jobs: int | None = None,
               min_per_worker: int = 50) -> list[R]:
    """``[function(item) for item in items]``, in order, on up to ``jobs`` forked workers.

    The function and the items are inherited through the fork, so neither needs to pickle;
    only the results travel back. Small inputs stay in-process.
    """
    global _SHARED_MAP
    jobs = min(jobs or default_jobs(), len(items) // min_per_worker)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    size = max(1, -(-len(items) // (jobs * 4)))
    spans = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _SHARED_MAP = (function, items)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            return [result for chunk in pool.map(_map_shared_span, spans) for result in chunk]
    finally:
        _SHARED_MAP = None


def _map_shared_span(span: tuple[int, int]) -> list[Any]:
    assert _SHARED_MAP is not None, "workers are forked from map_forked"
    function, items = _SHARED_MAP
    return [function(items[index]) for index in range(*span)]
