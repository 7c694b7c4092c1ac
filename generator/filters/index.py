"""Writes ``filters/``: an inverted index from filter keys to paper numbers, split by hash.

Every paper has a number (``pid``, on its card as ``data-pid``): its place counted from the
oldest paper, so papers added with newer dates leave the others' numbers alone. A paper has
the keys ``w:<word>`` for each word of its title and abstract (English stop-words left out),
``a:<name>`` for each author's full name and family name, ``t:<topic slug>`` and ``g:<tag>``.

- ``filters/index.json``: the number of papers and buckets, the hash, the stop-words and the
  topics, fetched once per page;
- ``filters/keys/<n>.json``: the keys whose FNV-1a hash falls in bucket ``n``, each with its
  sorted paper numbers, delta-encoded; buckets are sized so a bucket is about BUCKET_BYTES, so
  a filter of two words and an author fetches three small files whatever the archive's size;
- ``filters/papers/<n>.json``: what a result shows (slug, title, date, authors, topic, tags)
  for PAPERS_PER_FILE papers by number, fetched only for the results on screen.

themes/default/static/filters.js reads them; it computes keys and hashes the same way (a test
runs both on the same hostile names). Deterministic: sorted keys, no clock.
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from collections import defaultdict
from functools import lru_cache
from pathlib import PurePosixPath

import numpy as np

from generator.config import SiteConfig
from generator.markup import plain_text
from generator.models import OutputFile
from generator.site import SiteModel

FILTER_DIR = "filters/"
VERSION = 1
BUCKET_BYTES = 24 * 1024  # target size of a key bucket
MAX_BUCKETS = 1 << 14
PAPERS_PER_FILE = 200
WORD = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")  # filters.js: WORD
NAME_PART = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase ASCII: accents dropped, as filters.js folds (NFKD, then marks removed)."""
    # Every combining mark is outside ASCII, so dropping non-ASCII drops the marks too.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def word_keys(text: str, stop_words: frozenset[str]) -> set[str]:
    return {f"w:{w}" for w in WORD.findall(fold(text)) if w not in stop_words and len(w) > 1}


def author_keys(name: str) -> set[str]:
    """The full name and the family name (last part): "Ashish Vaswani" -> a:ashish-vaswani,
    a:vaswani; "Vaswani, Ashish" -> the same."""
    if "," in name:
        family, given = name.split(",", 1)
        name = f"{given} {family}"
    parts = NAME_PART.findall(fold(name))
    if not parts:
        return set()
    return {f"a:{'-'.join(parts)}", f"a:{parts[-1]}"}


@lru_cache(maxsize=1 << 15)
def filter_keys(title: str, abstract: str, authors: tuple[str, ...], topic: str | None,
                tags: tuple[str, ...], stop_words: frozenset[str]) -> tuple[str, ...]:
    """Every key of one paper, sorted; remembered by value for ``paperboy serve``, which
    writes the index again after each save."""
    keys = word_keys(f"{title} {abstract}", stop_words)
    for author in authors:
        keys |= author_keys(author)
    if topic:
        keys.add(f"t:{topic}")
    keys.update(f"g:{tag}" for tag in tags)
    return tuple(sorted(keys))


def bucket_of(key: str, buckets: int) -> int:
    """32-bit FNV-1a over the key's UTF-8 bytes, modulo the number of buckets (a power of 2)."""
    value = 0x811C9DC5
    for byte in key.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value & (buckets - 1)


def render_filter_index(config: SiteConfig, model: SiteModel,
                        stop_words: frozenset[str] | None = None, *,
                        remember: bool = True) -> list[OutputFile]:
    """The files of ``filters/``. ``remember``: keep each paper's keys for the next call (serve
    writes the index again after each save); a build has no next call, and at 100k papers the
    kept keys were some 200 MB."""
    keys_of = filter_keys if remember else filter_keys.__wrapped__
    if stop_words is None:
        from generator.stop_words import ENGLISH_STOP_WORDS

        stop_words = ENGLISH_STOP_WORDS
    papers = model.papers[::-1]  # oldest first: list index == pid
    # (key number, pid) pairs in two flat arrays: a list per key would cost ~40 bytes a
    # posting, about 150 MB at 40k papers
    key_ids: dict[str, int] = {}
    pair_keys, pair_pids = array("i"), array("i")
    records = []
    for pid, paper in enumerate(papers):
        card = model.cards[paper.slug]
        topic = card.topic.slug if card.topic else None
        for key in keys_of(card.title_text, plain_text(paper.abstract), paper.authors, topic,
                           paper.tags, stop_words):
            pair_keys.append(key_ids.setdefault(key, len(key_ids)))
            pair_pids.append(pid)
        records.append([paper.slug, card.title_text, paper.date.isoformat(), card.authors_short,
                        topic or "", list(paper.tags), card.upvotes])
    keys_np = np.frombuffer(pair_keys, dtype=np.int32)
    pids_np = np.frombuffer(pair_pids, dtype=np.int32)
    order = np.argsort(keys_np, kind="stable")  # pids stay ascending inside each key
    bounds = np.searchsorted(keys_np[order], np.arange(len(key_ids) + 1))
    sorted_pids = pids_np[order]
    del order, keys_np, pids_np, pair_keys, pair_pids  # at 100k papers: some 200 MB
    # Each key's numbers delta-encoded, in one pass: a key's first delta is its first number.
    deltas = np.diff(sorted_pids, prepend=0)
    starts = bounds[:-1][bounds[:-1] < len(sorted_pids)]
    deltas[starts] = sorted_pids[starts]
    # Bytes of the key buckets: "key":[1,2,3] plus quotes, colon and comma; from the digits of
    # the numbers, so the postings never become Python ints all at once (10 million of them
    # at 100k papers: about 300 MB).
    total = sum(len(key) + 6 for key in key_ids)
    if key_ids:
        digits = np.ones(len(deltas), dtype=np.int8)  # at most 10 of them
        for power in range(1, 10):
            digits += deltas >= 10 ** power
        total += (int(np.add.reduceat(digits, bounds[:-1], dtype=np.int64).sum())
                  + len(deltas) - len(key_ids))
        del digits
    buckets = 1
    while buckets < MAX_BUCKETS and total / buckets > BUCKET_BYTES:
        buckets *= 2
    by_bucket: dict[int, list[str]] = defaultdict(list)
    for key in sorted(key_ids):
        by_bucket[bucket_of(key, buckets)].append(key)

    def postings(key: str) -> list[int]:
        number = key_ids[key]
        return deltas[bounds[number]:bounds[number + 1]].tolist()

    files = [_json(f"{FILTER_DIR}keys/{n}.json", {k: postings(k) for k in by_bucket.get(n, ())})
             for n in range(buckets)]
    files += [_json(f"{FILTER_DIR}papers/{n // PAPERS_PER_FILE}.json",
                    records[n:n + PAPERS_PER_FILE])
              for n in range(0, len(records), PAPERS_PER_FILE)]
    manifest = {"version": VERSION, "papers": len(records), "buckets": buckets,
                "papers_per_file": PAPERS_PER_FILE, "stop_words": sorted(stop_words),
                "topics": [[t.slug, t.label] for t in model.topics],
                "base": model.urls.base_path}
    files.append(_json(f"{FILTER_DIR}index.json", manifest))
    return files


def _json(path: str, value: object) -> OutputFile:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return OutputFile(PurePosixPath(path), text.encode())
