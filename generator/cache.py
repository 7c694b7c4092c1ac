"""Build cache under ``.paperboy-cache/``: values keyed by a content hash, stored as pickles.

A cache entry is only ever a shortcut to the value the build would compute from the same input,
so outputs never depend on it; a missing, stale or corrupt file is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

CACHE_DIR = ".paperboy-cache"
T = TypeVar("T")


def content_key(*parts: str | bytes) -> str:
    """SHA-256 over length-prefixed parts, so ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def code_version(*modules: object) -> str:
    """Hash of the source of the modules whose code produces a cached value."""
    sources = [Path(m.__file__).read_bytes() for m in modules]  # type: ignore[attr-defined]
    return content_key(*sources)[:16]


class DiskCache:
    """One folder of pickles; ``None`` as the folder turns every lookup into a miss."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, kind: str, key: str) -> Path | None:
        return self.folder / f"{kind}-{key}.pickle" if self.folder else None

    def load(self, kind: str, key: str) -> object | None:
        path = self._path(kind, key)
        if path is None:
            return None
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None

    def store(self, kind: str, key: str, value: object, *, keep_only: bool = True) -> None:
        """Write atomically; with ``keep_only`` older entries of the same kind are removed."""
        path = self._path(kind, key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with temp.open("wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
            if keep_only:
                for old in path.parent.glob(f"{kind}-*.pickle"):
                    if old != path:
                        old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache that cannot be written only costs time on the next build

    def get_or_compute(self, kind: str, key: str, compute: Callable[[], T]) -> T:
        cached = self.load(kind, key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        value = compute()
        self.store(kind, key, value)
        return value


def papers_key(parts: Iterable[str]) -> str:
    return content_key(*parts)
