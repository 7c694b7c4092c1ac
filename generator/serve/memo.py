"""Memo: one stage's outputs, per unit, with what each was made from (``paperboy serve``).

A rebuild asks for every unit it needs; a unit whose inputs are the same as last time gets the
output made then, any other is made again. The stage functions themselves know nothing of
this: serve wraps them (see stages.py), so a full build and a rebuild run the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

V = TypeVar("V")


def same_objects(old: tuple, new: tuple) -> bool:
    """Inputs that are the very same objects: for values that later stages reuse unchanged
    (papers, cards, views), so the comparison costs nothing however large they are."""
    return len(old) == len(new) and all(a is b for a, b in zip(old, new, strict=True))


def equal(old: tuple, new: tuple) -> bool:
    return old == new


class Memo(Generic[V]):
    """Outputs by unit key. Only the units asked for during the last successful run are kept,
    each with the inputs it was last asked with (so identity holds across runs)."""

    def __init__(self, same: Callable[[tuple, tuple], bool] = equal) -> None:
        self._same = same
        self._kept: dict[Hashable, tuple[tuple, V]] = {}
        self._asked: dict[Hashable, tuple[tuple, V]] = {}

    def get(self, key: Hashable, inputs: tuple, make: Callable[[], V]) -> V:
        hit = self._kept.get(key)
        value = hit[1] if hit is not None and self._same(hit[0], inputs) else make()
        self._asked[key] = (inputs, value)
        return value

    @contextmanager
    def run(self) -> Iterator[None]:
        """One rebuild: what it asked for replaces the memo only if it finishes."""
        self._asked = {}
        yield
        self._kept, self._asked = self._asked, {}
