"""A pull request cannot reach the build through a cache: entries planted under every name the
build reads (an executable pickle, markup holding <script>, a committed cache folder with its
own secret) run nothing, show nothing, and leave the output byte-identical to an uncached build.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cache import (
    ENV_CACHE_DIR,
    LEGACY_CACHE_DIR,
    SECRET_FILE,
    DiskCache,
    cache_root,
    site_cache_folder,
)
from generator.config import load_config
from generator.pipeline import build_site
from tests.conftest import REPO

PLANTED = "<script>planted()</script>"


class _RunsCode:
    """Unpickling this runs a shell command that leaves a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _git(site: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e.org", *args], cwd=site,
                   check=True, capture_output=True)


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, dict[str, bytes], list[str]]:
    """The sample site in a git repository, its uncached output, and the names of the cache
    entries a build reads (learnt from a real cached build)."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    _git(site, "init", "-q")
    _git(site, "add", ".")
    _git(site, "commit", "-qm", "sample")
    config = load_config(site, {})
    assert build_site(site, config, cache=False).ok
    expected = _tree(site / "output")
    assert build_site(site, config).ok
    names = sorted(p.name for p in site_cache_folder(site).glob("*.json"))
    # the uncached build wrote the lock: the cached one follows it and keeps its base
    assert {"entries", "markup", "topicbase"} <= {n.split("-")[0] for n in names}
    assert list((site_cache_folder(site) / "blobs").rglob("*"))  # the base's arrays
    return site, expected, names


def _markup_name(names: list[str]) -> str:
    return next(name for name in names if name.startswith("markup-"))


def _planted_markup(name: str) -> dict[str, str]:
    """A markup entry of the stored shape whose every result is a script."""
    from generator.content import load_content
    from generator.markup.warm import _digest, calls_for

    assert name.startswith("markup-")
    return {_digest(call): PLANTED for call in calls_for(load_content(REPO).papers)}


def _assert_clean_build(site: Path, expected: dict[str, bytes], marker: Path) -> None:
    result = build_site(site, load_config(site, {}))
    assert result.ok, [d.format() for d in result.diagnostics]
    assert not marker.exists(), "a planted pickle ran"
    output = _tree(site / "output")
    assert not [path for path, data in output.items() if PLANTED.encode() in data]
    assert output == expected


@pytest.mark.slow
def test_planted_pickles_under_every_cache_name_run_nothing(sample, tmp_path: Path) -> None:
    site, expected, names = sample
    marker = tmp_path / "ran"
    payload = pickle.dumps(_RunsCode(marker))
    legacy = site / LEGACY_CACHE_DIR
    legacy.mkdir()
    for name in names:
        stem = name.removesuffix(".json")
        (site_cache_folder(site) / name).write_bytes(payload)
        (legacy / f"{stem}.pickle").write_bytes(payload)  # where builds used to look
        (legacy / name).write_bytes(payload)
    for blob in (site_cache_folder(site) / "blobs").rglob("*"):
        if blob.is_file():
            blob.write_bytes(payload)
    _git(site, "add", "-f", LEGACY_CACHE_DIR)
    _git(site, "commit", "-qm", "a pull request plants a cache")

    _assert_clean_build(site, expected, marker)
    result = build_site(site, load_config(site, {}))
    warnings = [d.format() for d in result.diagnostics]
    assert warnings == [f"{LEGACY_CACHE_DIR}: warning: cache folder is tracked by git and is "
                        "ignored\n  hint: the build cache now lives outside the site; remove "
                        "the folder from the repository"]


def test_the_planted_pickle_does_run_when_unpickled(tmp_path: Path) -> None:
    """The attack is real, so the test above can fail."""
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_RunsCode(marker)))
    assert marker.exists()


@pytest.mark.slow
@pytest.mark.parametrize("signature", [b"", b"0" * 64, b"wrong-key"])
def test_planted_markup_with_a_script_is_not_shown(sample, tmp_path: Path,
                                                   signature: bytes) -> None:
    site, expected, names = sample
    body = json.dumps(_planted_markup(_markup_name(names))).encode()
    if signature == b"wrong-key":  # properly signed, with a key that is not this machine's
        DiskCache(tmp_path / "other", b"x" * 32).store("markup", _markup_name(names)[7:-5],
                                                       json.loads(body))
        planted = (tmp_path / "other" / _markup_name(names)).read_bytes()
    else:
        planted = signature + b"\n" + body
    (site_cache_folder(site) / _markup_name(names)).write_bytes(planted)

    _assert_clean_build(site, expected, tmp_path / "ran")


@pytest.mark.slow
def test_a_committed_cache_folder_with_its_secret_is_ignored(sample, tmp_path: Path,
                                                            monkeypatch) -> None:
    """Even signed with the secret committed beside it, a tracked cache is never read."""
    site, expected, names = sample
    inside = site / "cache"
    monkeypatch.setenv(ENV_CACHE_DIR, str(inside))
    assert build_site(site, load_config(site, {})).ok  # makes a secret and entries in the site
    secret = (inside / SECRET_FILE).read_bytes()
    planted = DiskCache(site_cache_folder(site, inside), secret)
    planted.store("markup", _markup_name(names)[7:-5], _planted_markup(_markup_name(names)))
    assert planted.load("markup", _markup_name(names)[7:-5])  # a valid entry, were it trusted
    _git(site, "add", "-f", "cache")
    _git(site, "commit", "-qm", "a pull request commits a signed cache")

    result = build_site(site, load_config(site, {}))

    assert result.ok
    assert [d.format() for d in result.diagnostics] == [
        "cache: warning: cache folder is tracked by git and is ignored\n  hint: a cache folder "
        f"tracked by git is never read; point {ENV_CACHE_DIR} outside the repository"]
    assert _tree(site / "output") == expected
    assert cache_root() == inside


def test_cache_lives_outside_the_site_keyed_by_its_path(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert site_cache_folder(a) != site_cache_folder(b)
    assert site_cache_folder(a) == site_cache_folder(tmp_path / "x" / ".." / "a")
    assert not site_cache_folder(a).is_relative_to(a)


def test_entries_are_bound_to_their_name(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path, b"s" * 32)
    cache.store("markup", "k1", {"render_title:00": "<em>x</em>"})
    (tmp_path / "markup-k2.json").write_bytes((tmp_path / "markup-k1.json").read_bytes())
    assert cache.load("markup", "k1") == {"render_title:00": "<em>x</em>"}
    assert cache.load("markup", "k2") is None
    assert DiskCache(tmp_path, b"t" * 32).load("markup", "k1") is None
