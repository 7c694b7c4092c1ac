"""classify_change (pure) decides what a batch of changed paths rebuilds; the watcher turns a
burst of real file-system events into one batch."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from generator.serve.watch import ChangeKind, Layout, Watcher, classify_change

ROOT = Path("/site")
LAYOUT = Layout(ROOT, "content", "output", (Path("/repo/themes/default"),))


@pytest.mark.parametrize(("paths", "kind", "content"), [
    (["/site/content/2024/a.md"], ChangeKind.CONTENT, ("content/2024/a.md",)),
    (["/site/content/a.YAML", "/site/content/b.yml"], ChangeKind.CONTENT,
     ("content/a.YAML", "content/b.yml")),
    (["/site/content/2024/"], ChangeKind.CONTENT, ()),  # a folder: rescan
    (["/site/content/.a.md.swp", "/site/content/a.md~", "/site/content/4913",
      "/site/content/#a.md#", "/site/content/sedX1y2z3", "/site/content/image.png"],
     ChangeKind.NONE, ()),
    (["/site/content/_drafts/a.md", "/site/content/README.md"], ChangeKind.NONE, ()),
    (["/site/output/index.html", "/site/.git/index", "/elsewhere/a.md"], ChangeKind.NONE, ()),
    (["/site/themes/mine/templates/paper.html"], ChangeKind.THEME, ()),
    (["/repo/themes/default/static/style.css"], ChangeKind.THEME, ()),
    (["/site/site.yaml", "/site/content/a.md"], ChangeKind.CONFIG, ("content/a.md",)),
    (["/site/topics.lock", "/site/themes/x/theme.yaml"], ChangeKind.TOPICS, ()),
    (["/site/topics-lock.yaml"], ChangeKind.TOPICS, ()),
    (["/site/content"], ChangeKind.NONE, ()),
    (["/site/content/"], ChangeKind.CONTENT, ()),  # the folder itself made or deleted
])
def test_classify_change_maps_paths_to_the_rebuild_they_need(paths, kind, content) -> None:
    rebuild = classify_change(paths, LAYOUT)
    assert rebuild.kind is kind
    assert rebuild.content == content
    assert rebuild.refit_topics is (kind is ChangeKind.TOPICS)


@pytest.mark.parametrize(("paths", "known"), [
    (["/site/content/a.md", "/site/content/b.yaml"], ("content/a.md", "content/b.yaml")),
    (["/site/content/a.md", "/site/content/2024/"], None),  # a folder too: scan everything
    (["/site/content/"], None),
    (["/site/content/a.md", "/site/themes/mine/templates/paper.html"], None),
    (["/site/content/a.md", "/site/site.yaml"], None),
])
def test_known_entries_only_when_nothing_but_entry_files_changed(paths, known) -> None:
    assert classify_change(paths, LAYOUT).known_entries == known


def test_classify_change_respects_a_custom_content_folder() -> None:
    layout = Layout(ROOT, "papers", "public", ())
    assert classify_change(["/site/papers/a.md"], layout).kind is ChangeKind.CONTENT
    assert classify_change(["/site/content/a.md"], layout).kind is ChangeKind.NONE
    assert classify_change(["/site/public/a.md"], layout).kind is ChangeKind.NONE


def test_watcher_turns_a_burst_of_saves_into_one_batch(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    watcher = Watcher([content])
    watcher.start()
    try:
        def burst() -> None:  # like a git checkout: many files, each saved via rename
            for n in range(40):
                temporary = content / f".e{n}.md.tmp"
                temporary.write_text(f"entry {n}")
                os.replace(temporary, content / f"e{n}.md")

        threading.Thread(target=burst).start()
        layout = Layout(tmp_path.resolve(), "content", "output", ())
        expected = {f"content/e{n}.md" for n in range(40)}
        seen: set[str] = set()
        batches = 0
        while seen != expected and batches < 40:
            seen |= set(classify_change(watcher.next_batch(timeout=30), layout).content)
            batches += 1
        assert seen == expected
        assert batches <= 3  # one, unless the machine stalls mid-burst for > 100 ms
    finally:
        watcher.stop()


def test_watcher_ignores_reads(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x")
    watcher = Watcher([tmp_path])
    watcher.start()
    try:
        for _ in range(5):
            (tmp_path / "a.md").read_text()  # a build reading its sources must not loop
        assert watcher.next_batch(timeout=0.5) == set()
    finally:
        watcher.stop()


def test_watcher_is_stale_once_a_watched_folder_is_deleted_or_re_created(tmp_path: Path) -> None:
    content, themes = tmp_path / "content", tmp_path / "themes"
    content.mkdir()
    watcher = Watcher([content, themes])  # themes/ does not exist yet
    assert not watcher.stale()
    (content / "a.md").write_text("x")  # files inside do not matter
    assert not watcher.stale()
    content.rename(tmp_path / "old")
    content.mkdir()
    assert watcher.stale()
    fresh = Watcher([content, themes])
    assert not fresh.stale()
    themes.mkdir()
    assert fresh.stale()
    themes.rmdir()
    assert not fresh.stale()


def test_watcher_is_stale_after_its_folder_is_deleted_and_made_again(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("x")
    watcher = Watcher([content], [tmp_path / "site.yaml"])  # also watches tmp_path itself
    watcher.start()
    try:
        shutil.rmtree(content)  # the new folder may well get the old inode number back
        content.mkdir()
        seen: set[str] = set()
        for _ in range(5):
            seen |= watcher.next_batch(timeout=30)
            if f"{content.resolve()}/" in seen:
                break
        assert f"{content.resolve()}/" in seen and watcher.stale()
    finally:
        watcher.stop()


def test_a_new_watcher_takes_over_what_the_old_one_saw(tmp_path: Path) -> None:
    """serve replaces its watcher when a watched folder appears; a save made during that hand-
    over must still cause a rebuild, and one that reloads site.yaml."""
    from generator.serve.server import ServeState, Session, _replace_watcher
    from tests.conftest import SITES, copy_site

    site = copy_site(SITES / "full", tmp_path / "site")
    session = Session(site, {}, ServeState(tmp_path / "served", "/"), print, print)
    old = session.watcher()
    old.start()
    entry = site / "content/adam.yaml"
    entry.write_text(entry.read_text().replace("date: 2024-03-10", "date: 2024-03-09"))
    for _ in range(100):  # until the old watcher has seen it
        if old._collector.changed.wait(0.1):
            break
    new, layout, missed = _replace_watcher(session, old)
    try:
        assert missed.kind is ChangeKind.CONFIG  # at least: site.yaml is read again
        assert missed.content == ("content/adam.yaml",)
        assert layout.site_root == site.resolve()
        assert old.drain() == set()  # handed over once
        (site / "site.yaml").write_text((site / "site.yaml").read_text() + "\n")
        batch = new.next_batch(timeout=30)
        assert classify_change(batch, layout).kind is ChangeKind.CONFIG
    finally:
        new.stop()
