"""Slugs: safe, deterministic URL/file-name segments from arbitrary (hostile) text.

A slug is lowercase ASCII ``[a-z0-9.-]``, never starts or ends with ``-`` or ``.``, never
contains ``..`` and is never empty or a Windows-reserved device name; so it can be used as a
single path segment under output/ without further checks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(10)]
    + [f"lpt{i}" for i in range(10)]
)
_UNSAFE = re.compile(r"[^a-z0-9.]+")
_DOTS = re.compile(r"\.{2,}")
_DASHES = re.compile(r"-{2,}")


def slugify(text: str, *, max_length: int = 80, keep_dots: bool = False) -> str:
    """Return a slug for ``text``, or ``""`` when nothing usable remains.

    Accents are folded (``Schrödinger`` -> ``schrodinger``); look-alike letters from other
    scripts that do not fold to ASCII are dropped. Long slugs are cut at a word boundary.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    folded = folded.lower()
    if not keep_dots:
        folded = folded.replace(".", "-")
    slug = _UNSAFE.sub("-", folded)
    slug = _DOTS.sub(".", slug)
    slug = _DASHES.sub("-", slug).strip("-.")
    stem, dot, rest = slug.partition(".")
    if stem in _WINDOWS_RESERVED:  # Windows ignores the extension: "con.0" is still CON
        slug = f"{stem}-x{dot}{rest}"
    if len(slug) > max_length:
        cut = slug[:max_length]
        if "-" in cut[max_length // 2:]:
            cut = cut[: cut.rindex("-")]
        slug = cut.strip("-.")
    return slug


def short_hash(text: str, length: int = 6) -> str:
    """A short, stable hex digest used to break slug collisions."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]
