"""Replacing a large previous output: its removal is left to a detached process, and a tree
being removed is never taken for the previous output by the recovery of a killed build."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath

import pytest

from generator.models import OutputFile
from generator.write import staged as write
from generator.write.staged import (
    BUILD_MARKER,
    MARKER_TEXT,
    TRASH_PREFIX,
    recover_interrupted_swap,
    write_site,
)


def site(version: str) -> list[OutputFile]:
    """A built site: pages and the marker that lets the next build replace it."""
    return [OutputFile(PurePosixPath(BUILD_MARKER), MARKER_TEXT)] + [
        OutputFile(PurePosixPath(f"papers/{i}/index.html"), f"{version} {i}".encode())
        for i in range(20)]


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("threshold", [1, 10**9], ids=["background", "in-process"])
def test_replacing_output_publishes_new_tree_and_leaves_only_trash(tmp_path: Path, threshold: int,
                                                                   monkeypatch) -> None:
    monkeypatch.setattr(write, "BACKGROUND_REMOVAL_FILES", threshold)
    out = tmp_path / "output"
    write_site(site("old"), out)
    write_site(site("new"), out)
    assert tree(out) == {f.path.as_posix(): f.data for f in site("new")}
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "output"]
    assert all(name.startswith(TRASH_PREFIX) for name in leftovers), leftovers
    if threshold > 1:
        assert leftovers == []


def test_tree_being_removed_is_not_recovered_as_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_site(site("old"), out)
    # a removal that was cut short (the remover killed): the trash is still there
    trash = tmp_path / f"{TRASH_PREFIX}output-1-x"
    (trash / "papers").mkdir(parents=True)
    (trash / "papers" / "half.html").write_bytes(b"half removed")
    shutil.rmtree(out)
    recover_interrupted_swap(out)
    assert not out.exists()
    write_site(site("new"), out)  # a later build clears the leftover
    assert tree(out) == {f.path.as_posix(): f.data for f in site("new")}
