"""topics.lock.yaml: the committed memory of past topics, so slugs and assignments stay put.

Each topic lists the papers it was fitted on (``members``: slugs separated by spaces, a few to a
line; a YAML list in older locks) and the papers placed in it
since by its rule (``added``; generator/topics/rule.py). A followed lock keeps both where they
are: the members are the "base" whose text fixes the vector space, labels, related lists and map
(generator/topics/fit.py), so a day's new papers change none of them. A re-fit gives each topic
the slug of the locked topic whose centroid terms it matches, and lists every paper as a member
again. The file is rewritten only when its text changes. A hand-set ``rename`` survives
rewrites. Locks without ``added`` (older ones) read as all members.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from generator.diagnostics import UserError
from generator.models import TopicModel

LOCK_NAME = "topics.lock.yaml"
MATCH_THRESHOLD = 0.2
HEADER = """\
# Written by `paperboy build` so topic slugs and paper assignments stay put as papers are added.
# Commit it. Set `rename` to relabel a topic; delete the file to re-fit topics from scratch.
"""


@dataclass(frozen=True)
class LockedTopic:
    slug: str
    label: str
    rename: str | None
    size: int
    terms: tuple[str, ...]
    centroid: Mapping[str, float]
    norm: float = 0.0
    members: tuple[str, ...] = ()  # slugs of the papers fitted, sorted
    added: tuple[str, ...] = ()  # slugs of the papers placed since by the rule, sorted


@dataclass(frozen=True)
class TopicLock:
    papers: int  # how many papers there were when the number of topics was chosen
    topics: tuple[LockedTopic, ...]

    @property
    def renames(self) -> dict[str, str]:
        return {t.slug: t.rename for t in self.topics if t.rename}


def lock_bytes(site_root: Path | None) -> bytes:
    """The lock file as it is on disk (empty when there is none): what a fit depends on."""
    if site_root is None:
        return b""
    try:
        return (site_root / LOCK_NAME).read_bytes()
    except OSError:
        return b""


def load_lock(site_root: Path) -> TopicLock | None:
    return read_lock(lock_bytes(site_root))


def read_lock(text: bytes) -> TopicLock | None:
    """The lock from the file's bytes (see lock_bytes); None for an empty or absent file."""
    try:
        # libyaml's loader when PyYAML has it: 10x faster on a lock listing 10k papers
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return parse_lock(yaml.load(text.decode("utf-8"), Loader=loader))
    except (yaml.YAMLError, UnicodeDecodeError, TypeError, ValueError, KeyError,
            AttributeError) as exc:
        raise UserError(f"{LOCK_NAME}: cannot read it ({exc}); fix it or delete it") from None


def parse_lock(data: object) -> TopicLock | None:
    if not data:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise ValueError("expected a mapping with a 'topics' list")
    topics = tuple(
        LockedTopic(str(t["slug"]), str(t.get("label") or t["slug"]),
                    str(t["rename"]) if t.get("rename") else None, int(t.get("size") or 0),
                    tuple(str(x) for x in t.get("terms") or ()),
                    {str(k): float(v) for k, v in (t.get("centroid") or {}).items()},
                    float(t.get("norm") or 0.0),
                    _slug_list(t.get("members")), _slug_list(t.get("added")))
        for t in data["topics"])
    return TopicLock(int(data.get("papers") or 0), topics)


def render_lock(model: TopicModel, papers: int) -> str:
    """The lock for ``model``; deterministic text (sorted topics, rounded weights)."""
    topics = []
    for topic in sorted(model.topics, key=lambda t: t.slug):
        rename = topic.label if topic.label != topic.generated_label else None
        topics.append({
            "slug": topic.slug, "label": topic.generated_label or topic.label, "rename": rename,
            "size": len(topic.papers), "terms": list(topic.terms),
            "norm": round(topic.centroid_norm, 5),
            "centroid": {term: round(weight, 5) for term, weight in topic.centroid},
            "members": _members(sorted(s for s in topic.papers if s not in model.placed)),
        })
        added = sorted(s for s in topic.papers if s in model.placed)
        if added:
            topics[-1]["added"] = _OnePerLine(added)
    body = yaml.dump({"papers": papers, "topics": topics}, Dumper=_LockDumper, sort_keys=False,
                     allow_unicode=True, width=100, default_flow_style=None)
    return HEADER + body


class _OnePerLine(list):
    """A list written one item per line: a paper added to a topic is a one-line diff."""


class _Block(str):
    """A string written as a literal block (``|-``), its lines as they are."""


MEMBERS_WIDTH = 96


def _members(slugs: list[str]) -> _Block | _OnePerLine:
    """The fitted papers as slugs separated by spaces, lines of at most MEMBERS_WIDTH: they
    change only when topics are fitted again, and take 11 bytes an arXiv ID instead of 17 as
    a quoted YAML list item. A slug with white space (none from the loader) keeps the list."""
    if not slugs or any(not slug or slug != "".join(slug.split()) for slug in slugs):
        return _OnePerLine(slugs)
    lines, line = [], ""
    for slug in slugs:
        if line and len(line) + 1 + len(slug) > MEMBERS_WIDTH:
            lines.append(line)
            line = slug
        else:
            line = f"{line} {slug}" if line else slug
    return _Block("\n".join([*lines, line]))


def _slug_list(value: object) -> tuple[str, ...]:
    """``members`` or ``added`` as written: a YAML list, or slugs separated by white space."""
    if isinstance(value, str):
        return tuple(value.split())
    return tuple(str(slug) for slug in value or ())


class _LockDumper(yaml.SafeDumper):
    pass


_LockDumper.add_representer(
    _OnePerLine, lambda dumper, items: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", items, flow_style=False))
_LockDumper.add_representer(
    _Block, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", str(text),
                                                         style="|"))


def write_lock(site_root: Path, text: str) -> bool:
    """Write the lock when its text changed (atomically); True when written."""
    path = site_root / LOCK_NAME
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    temporary = path.with_name(f".{LOCK_NAME}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return True


def match_topics(lock: TopicLock, centroids: Sequence[Mapping[str, float]]) -> dict[int, int]:
    """Cluster index -> locked topic index, one to one, by cosine of the centroid terms."""
    from scipy.optimize import linear_sum_assignment

    if not lock.topics or not centroids:
        return {}
    similarity = np.array([[_cosine(new, old.centroid) for old in lock.topics]
                           for new in centroids])
    rows, columns = linear_sum_assignment(-similarity)
    return {int(r): int(c) for r, c in zip(rows, columns, strict=True)
            if similarity[r, c] >= MATCH_THRESHOLD}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    norm = np.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return float(dot / norm) if norm else 0.0
