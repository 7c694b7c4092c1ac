"""Apply edits of known entry files to the last load, without listing or stat-ing the others.

``paperboy serve`` learns from watchdog which entry files changed. When every changed file
was already known, still is a regular file, reads without any diagnostic, and its entries
neither collide with another file's (arXiv ID, DOI, title) nor share a slug with one, the
new load equals the old one with those files' papers swapped; every other paper object is
kept, so later stages can tell what changed by identity. Anything else returns None and the
caller loads everything (content.load_scan); the result is the same either way.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.content.fields import CheckedEntry
from generator.content.loader import (
    EntryCache,
    EntryFile,
    Scan,
    base_slug,
    file_stamp,
    identity_keys,
    make_paper,
    newest_first,
    parse_entries,
    read_entry_file,
    site_days,
)
from generator.diagnostics import Diagnostics
from generator.models import LoadResult, Paper

Options = tuple[str, bool, int, str]  # content_dir, include_drafts, max_entry_bytes, timezone


@dataclass
class LoadState:
    """The last good load, indexed by file."""

    options: Options
    result: LoadResult
    files: set[str]
    papers: dict[str, tuple[Paper, ...]]  # rel -> its planned papers, drafts included
    keys: dict[tuple[str, str], str]  # identity key -> rel of the entry holding it
    bases: Counter[str] = field(default_factory=Counter)  # base slug -> entries with it
    slugs: dict[str, str] = field(default_factory=dict)  # assigned slug -> rel
    noisy: set[str] = field(default_factory=set)  # rels with a diagnostic
    keys_of: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def remember_scan(scan: Scan, options: Options) -> LoadState | None:
    """Index a full load; None when it had errors (then the next load is a full one)."""
    if any(d.level == "error" for d in scan.result.diagnostics):
        return None
    state = LoadState(options, scan.result, {f.rel for f in scan.files}, {}, {},
                      noisy={d.path for d in scan.result.diagnostics})
    by_rel: dict[str, list[Paper]] = {}
    for entry, paper in zip((e for e in scan.entries if e.ok), scan.planned, strict=True):
        by_rel.setdefault(entry.path, []).append(paper)
        state.bases[base_slug(entry)] += 1
        state.slugs[paper.slug] = entry.path
        for name, key, _ in identity_keys(entry):
            state.keys[(name, key)] = entry.path
            state.keys_of.setdefault(entry.path, []).append((name, key))
    state.papers = {rel: tuple(papers) for rel, papers in by_rel.items()}
    return state


def apply_edits(state: LoadState, site_root: Path, changed: Iterable[str],
                cache: EntryCache | None = None) -> LoadResult | None:
    """The load after ``changed`` (site-relative entry paths) were edited or deleted; None
    when that is not provably local. ``state`` is updated only on success."""
    _, include_drafts, max_bytes, timezone = state.options
    fresh: dict[str, list[CheckedEntry]] = {}
    for rel in sorted(set(changed)):
        entries = _read_known(state, site_root, rel, max_bytes, cache, timezone)
        if entries is None:
            return None
        fresh[rel] = entries
    made = _plan_local(state, fresh)
    if made is None:
        return None
    removed = {id(p) for rel in fresh for p in state.papers.get(rel, ())}
    papers = [p for p in state.result.papers if id(p) not in removed]
    for rel, (entries, planned) in made.items():
        papers.extend(p for p in planned if include_drafts or not p.draft)
        _reindex(state, rel, entries, planned)
    state.result = LoadResult(newest_first(papers), state.result.diagnostics)
    return state.result


def _read_known(state: LoadState, site_root: Path, rel: str, max_bytes: int,
                cache: EntryCache | None, timezone: str) -> list[CheckedEntry] | None:
    """The file's entries ([] when deleted); None unless it is a known, clean, regular file."""
    if rel not in state.files or rel in state.noisy:
        return None
    path = site_root / rel
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return []
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    local = Diagnostics()
    entry_file = EntryFile(rel, path, info.st_size)
    text = read_entry_file(entry_file, max_bytes, local)
    entries = [] if text is None else parse_entries(rel, text, local,
                                                    markdown=entry_file.is_markdown)
    if len(local) or not all(e.ok for e in entries):
        return None
    stamp = file_stamp(path)
    if cache is not None and stamp is not None:
        cache.files[rel] = (stamp, tuple(entries), ())
    return site_days(entries, timezone)


def _plan_local(state: LoadState, fresh: dict[str, list[CheckedEntry]]
                ) -> dict[str, tuple[list[CheckedEntry], list[Paper]]] | None:
    """Papers of the changed files, each with its base slug; None on any possible clash."""
    old_bases: Counter[str] = Counter()
    for rel in fresh:
        for paper in state.papers.get(rel, ()):
            old_bases[paper.slug] += 1
    for base, count in old_bases.items():  # an old slug that was shared or suffixed
        if state.bases.get(base, 0) != count:
            return None
    seen_keys: set[tuple[str, str]] = set()
    seen_slugs: set[str] = set()
    made = {}
    for rel, entries in fresh.items():
        planned = []
        for entry in entries:
            base = base_slug(entry)
            owner = state.slugs.get(base)
            if base in seen_slugs or state.bases.get(base, 0) > old_bases.get(base, 0) or (
                    owner is not None and owner not in fresh):
                return None
            seen_slugs.add(base)
            for name, key, _ in identity_keys(entry):
                holder = state.keys.get((name, key))
                if (name, key) in seen_keys or (holder is not None and holder not in fresh):
                    return None
                seen_keys.add((name, key))
            planned.append(make_paper(entry, base))
        made[rel] = (entries, planned)
    return made


def _reindex(state: LoadState, rel: str, entries: list[CheckedEntry],
             planned: list[Paper]) -> None:
    for paper in state.papers.pop(rel, ()):
        state.bases[paper.slug] -= 1
        if not state.bases[paper.slug]:
            del state.bases[paper.slug]
        state.slugs.pop(paper.slug, None)
    for key in state.keys_of.pop(rel, ()):
        del state.keys[key]
    if not entries:
        state.files.discard(rel)
        return
    keys = []
    for entry, paper in zip(entries, planned, strict=True):
        state.bases[paper.slug] += 1
        state.slugs[paper.slug] = rel
        keys += [(name, key) for name, key, _ in identity_keys(entry)]
    state.keys.update(dict.fromkeys(keys, rel))
    state.keys_of[rel] = keys
    state.papers[rel] = tuple(planned)
