"""The golden tree: the fixture site builds to exactly the files kept in tests/golden/."""

from __future__ import annotations

from pathlib import Path

from tests import golden_tree


def test_golden_site_builds_to_the_kept_bytes_and_file_list(tmp_path: Path) -> None:
    output = golden_tree.build(tmp_path)
    expected_names = (golden_tree.GOLDEN / "MANIFEST").read_text(encoding="utf-8").splitlines()
    assert golden_tree.manifest(output) == expected_names, "files added or removed: make golden"
    kept = golden_tree.GOLDEN / "output"
    names = sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*") if p.is_file())
    assert names == sorted(golden_tree.kept_files(output))
    different = [n for n in names if (output / n).read_bytes() != (kept / n).read_bytes()]
    assert different == [], f"differs from tests/golden/output (make golden to accept): {different}"
