"""`paperboy deploy` into a local bare repository: the branch holds exactly the built site."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_paperboy

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
SITE_YAML = ("title: Deployed\nbase_url: https://lab.github.io/digest/\ncname: papers.example.org\n"
             "topics:\n  enabled: false\n")
PAPER = "---\ntitle: Paper {n}\ndate: 2024-03-1{n}\n---\nAbstract number {n}.\n"


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                            env={**GIT_ENV, "PATH": "/usr/bin:/bin"}, check=True)
    return result.stdout.strip()


@pytest.fixture
def repo(make_site, tmp_path: Path) -> tuple[Path, Path]:
    """A site in a git repository on 'main' with one commit, and a bare remote 'origin'."""
    site = make_site({"content/a.md": PAPER.format(n=1), ".gitignore": "/output/\n"},
                     site_yaml=SITE_YAML)
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(site, "init", "--quiet", "--initial-branch=main")
    git(site, "add", ".")
    git(site, "commit", "--quiet", "-m", "Source")
    git(site, "remote", "add", "origin", str(remote))
    return site, remote


def deploy(site: Path, *args: str):
    return run_paperboy("deploy", "--site", str(site), *args, env=GIT_ENV)


def built_files(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())


def test_deploy_pushes_exactly_the_built_site_to_gh_pages(repo) -> None:
    site, remote = repo
    main_before = git(site, "rev-parse", "main")
    result = deploy(site)
    assert result.returncode == 0, result.stderr
    tree = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert sorted(tree) == built_files(site / "output")
    assert {".nojekyll", "CNAME", "index.html"} <= set(tree)
    assert git(remote, "show", "gh-pages:CNAME") == "papers.example.org"
    assert git(site, "rev-parse", "main") == main_before
    assert git(site, "symbolic-ref", "HEAD") == "refs/heads/main"
    assert git(site, "status", "--porcelain") == ""
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"  # no source history in it
    assert git(remote, "for-each-ref", "--format=%(refname)") == "refs/heads/gh-pages"


def test_deploy_again_adds_a_commit_on_top_and_drops_removed_files(repo) -> None:
    site, remote = repo
    assert deploy(site).returncode == 0
    first = git(remote, "rev-parse", "gh-pages")
    (site / "content/a.md").unlink()
    (site / "content/b.md").write_text(PAPER.format(n=2))
    result = deploy(site, "--message", "Second")
    assert result.returncode == 0, result.stderr
    assert git(remote, "rev-parse", "gh-pages^") == first
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Second"
    tree = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert sorted(tree) == built_files(site / "output")
    assert not any("paper-1" in name for name in tree)


def test_deploy_with_a_failing_build_pushes_nothing(repo) -> None:
    site, remote = repo
    (site / "content/bad.md").write_text("---\ntitle: Bad\n---\nNo date.\n")
    result = deploy(site)
    assert result.returncode == 1
    assert "Build failed; nothing was deployed." in result.stderr
    assert git(remote, "for-each-ref") == ""


def test_deploy_to_an_unknown_remote_is_a_clear_error(repo) -> None:
    site, _remote = repo
    result = deploy(site, "--remote", "nowhere")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("error: no git remote named 'nowhere' "
                                          "(see 'git remote -v')")
    assert "Traceback" not in result.stderr


def test_deploy_outside_a_git_repository_is_a_clear_error(make_site) -> None:
    site = make_site({"content/a.md": PAPER.format(n=1)})
    result = run_paperboy("deploy", "--site", str(site), "--no-push",
                          env={**GIT_ENV, "GIT_CEILING_DIRECTORIES": str(site.parent)})
    assert result.returncode == 1
    assert f"error: {site} is not inside a git repository" in result.stderr
