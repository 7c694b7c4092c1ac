"""Watch the site's sources with watchdog and turn bursts of events into one rebuild.

``classify_change`` (pure) decides what a batch of changed paths needs; ``Watcher`` only
collects paths and waits for them to settle. Nothing here builds.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path, PurePosixPath

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

ENTRY_SUFFIXES = frozenset({".md", ".markdown", ".yaml", ".yml"})
CONFIG_NAME = "site.yaml"
TOPIC_LOCK = re.compile(r"^topics?[._-]lock(\.[A-Za-z]+)?$")
# Editor droppings: vim's swap files and its 4913 probe, emacs lock files, backups, and the
# partial files our own writer renames into place.
_IGNORED_NAME = re.compile(r"^(\..*|#.*#|4913|.*~|.*\.(swp|swx|swo|tmp|bak|paperboy-part))$")
# Reading files while building makes "opened"/"closed_no_write" events: never rebuild on them.
_CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})
QUIET_SECONDS = 0.1
MAX_WAIT_SECONDS = 2.0


class ChangeKind(IntEnum):
    """What a batch needs, from nothing to everything; a batch takes its largest kind."""

    NONE = 0
    CONTENT = 1  # entries: re-read those files, re-render pages whose inputs changed
    THEME = 2  # templates, static files, theme.yaml: new template environment and assets
    CONFIG = 3  # site.yaml: reload the configuration first
    TOPICS = 4  # a topic lock file: reload the configuration and refit the topics


@dataclass(frozen=True)
class Layout:
    """Where things live: the site root and the theme folders, as absolute paths."""

    site_root: Path
    content_dir: str = "content"
    output_dir: str = "output"
    theme_dirs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Rebuild:
    kind: ChangeKind
    content: tuple[str, ...] = ()  # changed entry paths, site-relative POSIX, sorted
    rescan: bool = False  # a content folder changed: ``content`` may not list every entry

    @property
    def known_entries(self) -> tuple[str, ...] | None:
        """The entry files changed, when they are all that changed; None: scan again."""
        if self.kind is ChangeKind.CONTENT and self.content and not self.rescan:
            return self.content
        return None

    @property
    def refit_topics(self) -> bool:
        return self.kind is ChangeKind.TOPICS


def classify_change(paths: Iterable[str], layout: Layout) -> Rebuild:
    """Pure: map changed absolute paths (folders end with '/') to the rebuild they need."""
    kind, content, rescan = ChangeKind.NONE, set(), False
    for raw in paths:
        path_kind, rel = classify_path(PurePosixPath(raw), layout, folder=raw.endswith("/"))
        kind = max(kind, path_kind)
        if path_kind is ChangeKind.CONTENT:
            if rel is None:
                rescan = True
            else:
                content.add(rel)
    return Rebuild(kind, tuple(sorted(content)), rescan)


def classify_path(path: PurePosixPath, layout: Layout,
                  folder: bool = False) -> tuple[ChangeKind, str | None]:
    root = PurePosixPath(layout.site_root.as_posix())
    if _IGNORED_NAME.match(path.name):
        return ChangeKind.NONE, None
    for theme in layout.theme_dirs:
        if path.is_relative_to(PurePosixPath(theme.as_posix())):
            return ChangeKind.THEME, None
    if not path.is_relative_to(root):
        return ChangeKind.NONE, None
    rel = path.relative_to(root)
    if rel == PurePosixPath(CONFIG_NAME):
        return ChangeKind.CONFIG, None
    if len(rel.parts) == 1 and TOPIC_LOCK.match(rel.name):
        return ChangeKind.TOPICS, None
    if rel.parts[0] == "themes":
        return ChangeKind.THEME, None
    if rel.is_relative_to(layout.output_dir) or any(p.startswith(".") for p in rel.parts):
        return ChangeKind.NONE, None
    if rel == PurePosixPath(layout.content_dir):  # the whole folder made or deleted: rescan
        return (ChangeKind.CONTENT if folder else ChangeKind.NONE), None
    if rel.is_relative_to(layout.content_dir):
        return _classify_content(rel, folder)
    return ChangeKind.NONE, None


def _classify_content(rel: PurePosixPath, folder: bool) -> tuple[ChangeKind, str | None]:
    if any(part.startswith(("_", ".")) for part in rel.parts) or rel.name.lower() == "readme.md":
        return ChangeKind.NONE, None  # the loader skips these too
    if folder:  # a folder made, moved or deleted (git checkout, rm -r): rescan
        return ChangeKind.CONTENT, None
    if rel.suffix.lower() in ENTRY_SUFFIXES:
        return ChangeKind.CONTENT, rel.as_posix()
    return ChangeKind.NONE, None


class _Collector(FileSystemEventHandler):
    def __init__(self, roots: frozenset[str] = frozenset()) -> None:
        self.lock = threading.Lock()
        self.paths: set[str] = set()
        self.changed = threading.Event()
        self.roots = roots  # recursively watched folders, resolved
        self.roots_moved = False  # one of them was made, deleted or moved

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGE_EVENTS or (
                event.is_directory and event.event_type == "modified"):
            return  # a folder's mtime moves whenever a file in it is added: not news
        suffix = "/" if event.is_directory else ""
        with self.lock:
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if path:
                    self.paths.add(f"{path}{suffix}")
                    self.roots_moved |= event.is_directory and str(path) in self.roots
            self.changed.set()


class Watcher:
    """A watchdog observer over some folders (recursive) and files' parent folders."""

    def __init__(self, folders: Iterable[Path], files: Iterable[Path] = ()) -> None:
        self._folders = {folder: _identity(folder) for folder in folders}
        self._collector = _Collector(frozenset(str(f.resolve()) for f in self._folders))
        self._observer = Observer()
        watched: set[tuple[str, bool]] = set()
        for folder in self._folders:
            if folder.is_dir():
                watched.add((str(folder.resolve()), True))
        for file in files:
            if file.parent.is_dir() and (str(file.parent.resolve()), True) not in watched:
                watched.add((str(file.parent.resolve()), False))
        for path, recursive in sorted(watched):
            self._observer.schedule(self._collector, path, recursive=recursive)

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)

    def stale(self) -> bool:
        """True when a watched folder was deleted, replaced or created since this watcher was
        made: watches follow the old folder, so a new Watcher is needed to see its files. The
        folder's identity alone would miss a re-created folder that got the old inode number."""
        return self._collector.roots_moved or any(
            _identity(folder) != identity for folder, identity in self._folders.items())

    def drain(self) -> set[str]:
        """The paths collected so far, without waiting; the collector starts afresh."""
        with self._collector.lock:
            self._collector.changed.clear()
            paths, self._collector.paths = self._collector.paths, set()
        return paths

    def next_batch(self, timeout: float | None = None) -> set[str]:
        """Block until something changed, then until QUIET_SECONDS pass with no new event
        (at most MAX_WAIT_SECONDS): a save-via-rename or a checkout is one batch."""
        collector = self._collector
        if not collector.changed.wait(timeout):
            return set()
        started = time.monotonic()
        while time.monotonic() - started < MAX_WAIT_SECONDS:
            collector.changed.clear()
            if not collector.changed.wait(QUIET_SECONDS):
                break
        return self.drain()


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        info = folder.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if folder.is_dir() else None
