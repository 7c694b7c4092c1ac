"""Output files kept across builds in the signed build cache (generator/cache.py), keyed by
what they are made from, and hard-linked into the next build's output instead of being made.

A key is a SHA-256 over the build salt (``build_salt``: the source of every generator module,
the Python version, the installed libraries and a structural digest of the site configuration)
and a structural digest (``Digester``) of the values the output is a function of. Rendering
is deterministic, so an output whose key is unchanged has the bytes it had. A value the digest
does not know (a function, an object with hidden state) makes the output unkeyed: it is made
every time.

Stored as one signed record per space (unit name -> key, and the SHA-256 of each of its
files) plus one content-addressed blob per file. A blob is the very inode of an output file
(hard links, ``OutputStore``), so reusing a file costs a link and a read to check it, not a
render and a write. A forged record, a missing, damaged or symlinked blob, or a cache on
another file system is a miss: the file is made and written as without a cache.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

from markupsafe import Markup

from generator.cache import DiskCache, content_key
from generator.models import OutputFile
from generator.write import safe_target

RECORD_KIND = "outputs"
KEY_CHARS = 32  # 128 bits of SHA-256: collisions are not a concern at any site size
MAX_MEMO = 200_000


class Unkeyable(Exception):
    """A value whose digest cannot be trusted to follow everything a template sees in it."""


class Digester:
    """Structural digests of template values. ``shared``: types whose instances are digested
    once and then looked up by identity (the instance is kept, so its id stays its own)."""

    def __init__(self, shared: tuple[type, ...] = ()) -> None:
        self.shared = shared
        self._memo: dict[int, tuple[object, bytes]] = {}
        self._fields: dict[type, tuple[str, ...]] = {}  # frozen dataclass -> its field names

    def digest(self, value: object) -> bytes:
        hasher = hashlib.sha256()
        self._feed(hasher, value)
        return hasher.digest()

    def _feed(self, hasher: Any, value: object) -> None:
        kind = type(value)
        if kind in self._fields:  # a dataclass met before: the common case in long lists
            hasher.update(b"d")
            hasher.update(self._dataclass(value))
        elif kind is str or kind is Markup:  # Markup is not escaped again: a different value
            data = value.encode("utf-8")  # type: ignore[union-attr]
            hasher.update(b"s" if kind is str else b"m")
            hasher.update(len(data).to_bytes(8, "little"))
            hasher.update(data)
        elif value is None or kind is bool or kind is int or kind is float:
            text = repr(value).encode()
            hasher.update(b"n" + len(text).to_bytes(2, "little") + text)
        elif kind is tuple or kind is list:
            hasher.update(b"t" if kind is tuple else b"l")
            hasher.update(len(value).to_bytes(8, "little"))  # type: ignore[arg-type]
            for item in value:  # type: ignore[attr-defined]
                self._feed(hasher, item)
        elif kind is dt.date or kind is dt.datetime:
            text = f"{kind.__name__}:{value.isoformat()}:{getattr(value, 'tzinfo', None)}"
            self._feed(hasher, text)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            hasher.update(b"d")
            hasher.update(self._dataclass(value))
        elif isinstance(value, Mapping):
            hasher.update(b"{" + len(value).to_bytes(8, "little"))
            for key, item in value.items():  # in order: templates iterate it so
                self._feed(hasher, key)
                self._feed(hasher, item)
        elif isinstance(value, PurePath):
            self._feed(hasher, f"path:{type(value).__name__}:{value}")
        else:
            raise Unkeyable(f"{kind.__module__}.{kind.__qualname__}")

    def _dataclass(self, value: Any) -> bytes:
        shared = isinstance(value, self.shared)
        if shared:
            seen = self._memo.get(id(value))
            if seen is not None and seen[0] is value:
                return seen[1]
        kind = type(value)
        names = self._fields.get(kind)
        if names is None:
            if not kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
                raise Unkeyable(f"{kind.__qualname__} is not frozen")
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(kind))
        hasher = hashlib.sha256(f"{kind.__module__}.{kind.__qualname__}".encode())
        values = self._literal(tuple(getattr(value, name) for name in names))
        if values is not None:
            # The common case (text, numbers, dates, tuples of text, other dataclasses): the
            # repr of exactly these types is a Python literal, so it names the values and their
            # types; tagged apart from the walk below, whose calls per field cost ten times as
            # much.
            hasher.update(b"r")
            hasher.update(repr(values).encode("utf-8", "surrogatepass"))
        else:
            hasher.update(b"w")
            for name in names:
                item = getattr(value, name)
                self._feed(hasher, name)
                self._feed(hasher, item)
        digest = hasher.digest()
        if shared:
            if len(self._memo) >= MAX_MEMO:
                self._memo.clear()
            self._memo[id(value)] = (value, digest)
        return digest

    def _literal(self, values: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """``values`` as a tuple whose repr is a literal naming every value and its type, or
        None when one of them needs the walk. Values of exactly one of _PLAIN's types are kept
        as they are, tuples item by item; the others become bytes, which no kept value is: a
        dataclass b"d" and its digest, a date b"D" and its ISO form, Markup b"M" and its text,
        a mapping of plain values b"{" and its items' repr."""
        result = []
        for item in values:
            kind = type(item)
            if kind in _PLAIN:
                result.append(item)
            elif kind is tuple:
                inner = self._literal(item)
                if inner is None:
                    return None
                result.append(inner)
            elif kind in self._fields or (dataclasses.is_dataclass(item)
                                          and not isinstance(item, type)):
                result.append(b"d" + self._dataclass(item))
            elif kind is Markup:
                result.append(b"M" + item.encode("utf-8", "surrogatepass"))
            elif kind is dt.date:
                result.append(b"D" + item.isoformat().encode())
            elif isinstance(item, Mapping):
                pairs = tuple(item.items())
                if any(type(k) not in _PLAIN or type(v) not in _PLAIN for k, v in pairs):
                    return None
                result.append(b"{" + repr(pairs).encode("utf-8", "surrogatepass"))
            else:
                return None
        return tuple(result)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def build_salt(config: object) -> str:
    """What every output of a build depends on besides its own inputs: the generator's code,
    the Python and library versions, and the site configuration."""
    package = Path(__file__).resolve().parent
    sources = [f"{p.relative_to(package).as_posix()}\0".encode() + p.read_bytes()
               for p in sorted(package.rglob("*.py"))]
    return content_key(sys.version, *sources, *installed_libraries(),
                       Digester().digest(config).hex())


def installed_libraries() -> list[str]:
    """The name and version of every installed distribution, from the names of their metadata
    folders on the import path (reading each one's metadata costs ten times as much)."""
    found = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.update(n for n in names if n.endswith((".dist-info", ".egg-info")))
    return sorted(found)


Entry = list[Any]  # [key, [[output path, blob SHA-256], ...]]: one unit's files


class OutputStore:
    """The output files of the last build, by unit (a page, a digest issue's e-mails, a
    paper's citation files), kept in the build cache as one blob per file.

    A unit whose key is unchanged is not made at all: ``link`` hard-links its blobs into the
    staged output folder (each checked, see DiskCache.link_blob). A unit made this build is
    written as usual and then ``keep`` hard-links the written files into the cache, so the
    cache holds no second copy of them. Forked workers inherit the store, and the parent takes
    what they kept with ``merge``; ``save`` once the new output is in place."""

    def __init__(self, cache: DiskCache, space: str, salt: str,
                 shared: tuple[type, ...] = ()) -> None:
        self.cache, self.space, self.salt = cache, space, salt
        self.digester = Digester(shared)
        loaded = cache.load(RECORD_KIND, space) if cache.folder else None
        self.previous: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        self.current: dict[str, Entry] = {}
        self.linked = self.made = 0  # units
        self.files_linked = 0
        self._folders: set[Path] = set()  # made under the output folder already

    def key(self, name: str, values: object, salt: str = "") -> str | None:
        """The key of unit ``name`` made from ``values`` (with ``salt``: e.g. its template's
        fingerprint); None when the values hold something the digest does not know."""
        try:
            digest = self.digester.digest(values)
        except (Unkeyable, RecursionError):
            return None
        return content_key(self.salt, salt, name, digest)[:KEY_CHARS]

    def link(self, name: str, key: str | None, folder: Path) -> bool:
        """Hard-link the unit's files of the last build under ``folder`` when its key is
        unchanged and every blob checks out; else False, with none of them left there."""
        entry = self.previous.get(name)
        if key is None or not _valid_entry(entry) or entry[0] != key:
            return False
        linked: list[Path] = []
        for path, blob in entry[1]:
            target = safe_target(folder, PurePosixPath(path))
            if target.parent not in self._folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(target.parent)
            if not self.cache.link_blob(self.space, blob, target):
                for done in linked:
                    done.unlink(missing_ok=True)
                return False
            linked.append(target)
        self.current[name] = entry
        self.linked += 1
        self.files_linked += len(linked)
        return True

    def keep(self, name: str, key: str | None, files: Sequence[OutputFile],
             folder: Path) -> None:
        """Record the unit's files, just written under ``folder``, for the next build."""
        self.made += 1
        if key is None:
            return
        rows = []
        for file in files:
            blob = hashlib.sha256(file.data).hexdigest()
            if not self.cache.adopt_blob(self.space, blob, safe_target(folder, file.path)):
                return
            rows.append([str(file.path), blob])
        self.current[name] = [key, rows]

    def drain(self) -> tuple[dict[str, Entry], int, int, int]:
        """What this process recorded since the last drain, handed over (a forked worker
        sends it to the parent, which merges it)."""
        taken = (self.current, self.linked, self.made, self.files_linked)
        self.current, self.linked, self.made, self.files_linked = {}, 0, 0, 0
        return taken

    def merge(self, taken: tuple[dict[str, Entry], int, int, int]) -> None:
        current, linked, made, files_linked = taken
        self.current.update(current)
        self.linked += linked
        self.made += made
        self.files_linked += files_linked

    def save(self) -> None:
        """Store the record of this build's units and drop every blob it does not name."""
        if self.cache.folder is None:
            return
        self.cache.store(RECORD_KIND, self.space, dict(sorted(self.current.items())),
                         keep_only=False)
        self.cache.prune_blobs(self.space, (blob for _, rows in self.current.values()
                                            for _, blob in rows))


def _valid_entry(entry: object) -> bool:
    return (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
            and isinstance(entry[1], list) and bool(entry[1])
            and all(isinstance(row, list) and len(row) == 2 and isinstance(row[0], str)
                    and isinstance(row[1], str) for row in entry[1]))
