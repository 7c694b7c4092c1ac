"""Shared fixtures: scratch sites written from strings, CLI runs, builds of the sample site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import generator  # noqa: F401  (first: no BLAS thread pool, so build pools may fork)

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"

# Property tests: no deadlines (no timing assertions); in CI the examples are derandomized so a
# failure reproduces. Example counts are set per test and kept modest.
settings.register_profile("dev", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("dev"), derandomize=True,
                          database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI")
                                                                else "dev"))



@pytest.fixture(scope="session", autouse=True)
def _build_cache_outside_home(tmp_path_factory: pytest.TempPathFactory):
    """Builds in tests (and the CLI they start) keep their cache in a scratch folder, never in
    the user's cache folder."""
    from generator.cache import ENV_CACHE_DIR

    previous = os.environ.get(ENV_CACHE_DIR)
    os.environ[ENV_CACHE_DIR] = str(tmp_path_factory.mktemp("paperboy-cache"))
    yield
    if previous is None:
        os.environ.pop(ENV_CACHE_DIR, None)
    else:
        os.environ[ENV_CACHE_DIR] = previous


DEFAULT_SITE_YAML = """\
title: Test Digest
description: A site made by a test.
base_url: https://example.github.io/digest/
"""


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """make_site({"content/a.md": "..."}, site_yaml=...) -> site root in tmp_path."""

    def make(files: Mapping[str, str | bytes] | None = None, *,
             site_yaml: str = DEFAULT_SITE_YAML, name: str = "site") -> Path:
        root = tmp_path / name
        root.mkdir()
        write_files(root, {"site.yaml": site_yaml, **(files or {})})
        (root / "content").mkdir(exist_ok=True)
        return root

    return make


def copy_site(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("output", ".paperboy-*"))
    return target


@pytest.fixture
def copy_fixture_site(tmp_path: Path) -> Callable[[str], Path]:
    def copy(name: str) -> Path:
        return copy_site(SITES / name, tmp_path / name)
    return copy


def build_in_process(site: Path) -> Path:
    """Build ``site`` with build_site in this process (the build must succeed): its output."""
    from generator.config import load_config
    from generator.pipeline import build_site

    result = build_site(site, load_config(site))
    assert result.ok, [d.format() for d in result.diagnostics]
    return site / "output"


def run_paperboy(*args: str, cwd: Path | None = None,
                 env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess, as a user would run it."""
    full_env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, env=full_env, timeout=600)


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own sample site (content/ + site.yaml), built once per session."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    result = run_paperboy("build", "--site", str(root))
    assert result.returncode == 0, result.stderr
    return root


# The fast tier is `pytest -m "not slow"`: everything that starts browsers, servers, Pagefind or
# the CLI as a process (tests/browser, tests/e2e) is slow by where it lives; unit tests that fit
# topics on real corpora or build whole sites say so with @pytest.mark.slow.
_SLOW_FOLDERS = ("browser", "e2e", "bench")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.path)).relative_to(Path(__file__).parent).parts
        if parts and parts[0] in _SLOW_FOLDERS:
            item.add_marker(pytest.mark.slow)


# Worker pools fork only while the process is single-threaded (generator/workers.py). Tests
# that check what the workers do are marked `forks`; when an earlier test left a thread running
# in this process (Playwright's, a server's), such a test runs in a fresh interpreter instead.
_FRESH_ENV = "PAPERBOY_TEST_IN_FRESH_PROCESS"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    from generator.workers import can_fork

    if (pyfuncitem.get_closest_marker("forks") is None or os.environ.get(_FRESH_ENV)
            or can_fork()):
        return None
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", pyfuncitem.nodeid],
        cwd=REPO, env={**os.environ, _FRESH_ENV: "1"}, capture_output=True, text=True,
        timeout=600, check=False)
    assert result.returncode == 0, f"in a fresh process:\n{result.stdout[-4000:]}"
    return True
