"""Faults: a build killed with SIGKILL, and output folders that cannot be written.

Real `paperboy build` subprocesses; nothing is mocked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from generator.write.staged import TRASH_PREFIX
from tests.conftest import REPO, run_paperboy

SITE_YAML = "title: Faults\nbase_url: https://e.org/\ntopics: {enabled: false}\n"
ENTRIES = 1500  # enough pages that the write phase lasts long enough to be interrupted


def write_big_site(root: Path, count: int = ENTRIES, marker: str = "old") -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    lines = ["papers:"]
    for i in range(count):
        lines += [f"  - title: Paper {i} about {marker} things",
                  f"    date: 2024-03-{i % 28 + 1:02d}",
                  f"    abstract: Abstract number {i}, {marker} version."]
    (root / "content").mkdir(exist_ok=True)
    (root / "content" / "papers.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def kill_when_writing(root: Path) -> bool:
    """Start a build, SIGKILL it once its temporary output folder exists; True if it was
    killed while writing (False if it finished first)."""
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--site", str(root)],
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None:
            if any(p.name.startswith(".paperboy-tmp-") for p in root.iterdir()):
                process.send_signal(signal.SIGKILL)
                process.wait()
                return True
        return False
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_build_killed_while_writing_keeps_previous_output_and_next_build_succeeds(
        tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_big_site(root)
    assert run_paperboy("build", "--site", str(root)).returncode == 0
    before = tree_digest(root / "output")
    write_big_site(root, marker="new")

    killed = any(kill_when_writing(root) for _ in range(3))

    assert killed, "every build finished before it could be killed"
    assert tree_digest(root / "output") == before
    result = run_paperboy("build", "--site", str(root))
    assert result.returncode == 0, result.stderr
    assert "new version" in (root / "output" / "papers" / "paper-0-about-new-things"
                             / "index.html").read_text("utf-8")
    # A previous tree left by the killed build is renamed aside and removed by a detached
    # process (write/trash.py): wait for that to finish, then nothing else may be left.
    for _ in range(300):
        if not any(p.name.startswith(TRASH_PREFIX) for p in root.iterdir()):
            break
        time.sleep(0.1)
    assert sorted(p.name for p in root.iterdir()) == ["content", "output", "site.yaml"]


def test_output_under_a_regular_file_is_a_clear_error(make_site) -> None:
    root = make_site({"blocker": "I am a file\n"})

    result = run_paperboy("build", "--site", str(root), "--output", str(root / "blocker/site"))

    assert result.returncode == 1
    assert (f"{root}/blocker/site: error: cannot write the site here: '{root}/blocker' is a "
            "file, not a folder") in result.stderr
    assert "Traceback" not in result.stderr
    assert (root / "blocker").read_text() == "I am a file\n"


def test_output_that_is_a_regular_file_is_refused_not_replaced(make_site) -> None:
    root = make_site({"output": "precious\n"})

    result = run_paperboy("build", "--site", str(root))

    assert result.returncode == 1
    assert (f"{root}/output: error: cannot write the site here: the output folder is a file, "
            "not a folder") in result.stderr
    assert (root / "output").read_text() == "precious\n"


def _as_unprivileged() -> list[str]:
    """Command prefix that drops root, because root ignores file modes; [] when not root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a folder unwritable")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_unwritable_site_folder_is_a_clear_error() -> None:
    """A real permission denial: the folder is read-only and the build runs without root."""
    prefix = _as_unprivileged()
    with tempfile.TemporaryDirectory() as folder:  # /tmp, reachable by the unprivileged user
        root = Path(folder) / "site"
        write_big_site(root, count=2)
        os.chmod(folder, 0o755)
        os.chmod(root, 0o555)
        try:
            result = subprocess.run(
                [*prefix, sys.executable, "-m", "generator", "build", "--site", str(root)],
                cwd=REPO, capture_output=True, text=True, timeout=300,
                env={**os.environ, "HOME": folder})
        finally:
            os.chmod(root, 0o755)

        assert result.returncode == 1, result.stderr
        assert (f"{root}/output: error: cannot write the site here: Permission denied"
                in result.stderr)
        assert "Traceback" not in result.stderr
        assert not (root / "output").exists()
