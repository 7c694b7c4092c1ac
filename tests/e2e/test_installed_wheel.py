"""Paperboy as a new user gets it: the wheel built from this checkout, installed into a fresh
virtualenv outside the repository, starts a site with `paperboy init`, builds it and serves it.

The wheel is installed without its dependencies, which come from the test's own environment
through a .pth file: the test never reaches a package index, and what it checks is what the
wheel itself carries (the package, the built-in themes, the init skeleton, the entry point).
"""

from __future__ import annotations

import os
import re
import signal
import site
import subprocess
import sys
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(bin folder of a fresh venv holding only the wheel, environment to run it with)."""
    root = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "GITHUB_ACTIONS", "VIRTUAL_ENV")}
    # without build isolation: the build backend (setuptools, a dev dependency) is already here
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
        "--wheel-dir", root / "dist", REPO, cwd=root, env=env)
    wheels = list((root / "dist").glob("paperboy-*.whl"))
    assert len(wheels) == 1
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "generator/themes/default/templates/base.html" in names
    assert "generator/skeleton/site.yaml" in names
    fresh = root / "venv"
    venv.EnvBuilder(with_pip=True).create(fresh)  # ensurepip: the pip bundled with Python
    purelib = subprocess.run([fresh / "bin" / "python", "-c",
                              "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # the dependencies (numpy, scikit-learn, ...) from this environment, after the venv's own
    (Path(purelib) / "test-dependencies.pth").write_text(
        "\n".join(p for p in site.getsitepackages() if "site-packages" in p) + "\n")
    run(fresh / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
        wheels[0], cwd=root, env=env)
    return fresh / "bin", env


def test_wheel_installed_outside_the_repository_inits_builds_and_serves(
        installed: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    bin_dir, env = installed
    paperboy = bin_dir / "paperboy"
    where = run(bin_dir / "python", "-c", "import generator; print(generator.__file__)",
                cwd=tmp_path, env=env).stdout
    assert not Path(where.strip()).is_relative_to(REPO)
    run(paperboy, "init", "digest", "--title", "Wheel digest", cwd=tmp_path, env=env)
    site_dir = tmp_path / "digest"
    run(paperboy, "check", cwd=site_dir, env=env)
    run(paperboy, "build", cwd=site_dir, env=env)
    server = subprocess.Popen([paperboy, "serve", "--no-build", "--port", "0"], cwd=site_dir,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        line = server.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line)
        assert match, line + server.stderr.read()
        with urllib.request.urlopen(match[1], timeout=30) as answer:
            home = answer.read().decode()
            assert answer.status == 200
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    assert "<title>Wheel digest</title>" in home or "Wheel digest" in home
    assert "Attention Is All You Need" in home
