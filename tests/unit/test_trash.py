"""discard(): the folder's name is free at once and its files are deleted in the background."""

from __future__ import annotations

import time
from pathlib import Path

from generator.write import discard


def test_discard_frees_the_name_at_once_and_deletes_in_the_background(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    (folder / "papers/a").mkdir(parents=True)
    (folder / "papers/a/index.html").write_text("<p>a</p>")
    (tmp_path / "keep.txt").write_text("kept")
    discard(folder)
    assert not folder.exists()
    deadline = time.monotonic() + 60  # only a bound: the loop ends as soon as it is deleted
    while any(p.name.startswith(".site.trash-") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline, "the detached deletion never finished"
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_discard_of_a_missing_folder_does_nothing(tmp_path: Path) -> None:
    discard(tmp_path / "nothing")
    assert list(tmp_path.iterdir()) == []
