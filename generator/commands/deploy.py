"""`paperboy deploy`: commit a built site to a branch (gh-pages) and push it, with plain git.

The commit is made from a private index file with the output folder as work tree, so the
source branch, the real index and the working tree are never touched (like ghp-import).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from generator.commands.app import EXIT_ERRORS, cli, load_config, report, site_option
from generator.diagnostics import UserError

_BRANCH_FORBIDDEN = (" ", "~", "^", ":", "?", "*", "[", "\\", "..", "@{")


@dataclass(frozen=True)
class Deployment:
    commit: str
    branch: str
    pushed_to: str  # empty when not pushed


def _git(repo: Path, *args: str, env: dict[str, str] | None = None,
         check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in ``repo`` (a folder, or a git dir when ``env`` sets GIT_DIR)."""
    try:
        result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                                env=env, timeout=600)
    except FileNotFoundError:
        raise UserError("error: deploy needs git, which is not installed") from None
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise UserError(f"error: git {args[0]} failed: {detail[-1] if detail else 'no output'}")
    return result


def repository_root(path: Path) -> Path:
    result = _git(path, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        raise UserError(f"error: {path} is not inside a git repository")
    return Path(result.stdout.strip())


def check_branch_name(branch: str) -> str:
    if (not branch or branch.startswith(("-", "/")) or branch.endswith((".lock", "/"))
            or any(bad in branch for bad in _BRANCH_FORBIDDEN)):
        raise UserError(f"error: '{branch}' is not a usable branch name")
    return branch


def deploy_site(site_dir: Path, output_dir: Path, *, remote: str, branch: str, message: str,
                push: bool = True) -> Deployment:
    """Commit exactly the files of ``output_dir`` on top of ``branch`` and push it.

    The parent is the remote's branch when it has one (so the push fast-forwards), else the
    local branch, else none (a first, orphan commit).
    """
    check_branch_name(branch)
    if not output_dir.is_dir():
        raise UserError(f"error: {output_dir} does not exist; build the site first")
    repo = repository_root(site_dir)
    current = _git(repo, "symbolic-ref", "--quiet", "HEAD", check=False).stdout.strip()
    if current == f"refs/heads/{branch}":
        raise UserError(f"error: '{branch}' is the checked-out branch; deploy from another one")
    parent = _parent_commit(repo, remote, branch, fetch=push)
    tree = _tree_of(Path(_git(repo, "rev-parse", "--absolute-git-dir").stdout.strip()),
                    output_dir)
    args = ["commit-tree", tree, "-m", message]
    if parent:
        args[2:2] = ["-p", parent]
    commit = _git(repo, *args).stdout.strip()
    _git(repo, "update-ref", f"refs/heads/{branch}", commit)
    if push:
        _git(repo, "push", remote, f"refs/heads/{branch}:refs/heads/{branch}")
    return Deployment(commit, branch, remote if push else "")


def _parent_commit(repo: Path, remote: str, branch: str, *, fetch: bool) -> str | None:
    if fetch:
        if _git(repo, "remote", "get-url", remote, check=False).returncode != 0:
            raise UserError(f"error: no git remote named '{remote}' (see 'git remote -v')")
        listed = _git(repo, "ls-remote", "--heads", remote, f"refs/heads/{branch}").stdout
        if listed.strip():
            _git(repo, "fetch", "--quiet", remote, f"refs/heads/{branch}")
            return _git(repo, "rev-parse", "FETCH_HEAD").stdout.strip()
    local = _git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}",
                 check=False)
    return local.stdout.strip() if local.returncode == 0 else None


def _tree_of(git_dir: Path, output_dir: Path) -> str:
    """The tree object of every file under ``output_dir``, ignored names included."""
    with tempfile.TemporaryDirectory(prefix="paperboy-deploy-") as temp:
        work_tree = output_dir.resolve()
        env = {**os.environ, "GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(work_tree),
               "GIT_INDEX_FILE": str(Path(temp) / "index")}
        _git(work_tree, "add", "--all", "--force", ".", env=env)
        return _git(work_tree, "write-tree", env=env).stdout.strip()


@cli.command()
@site_option
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True,
              help="Branch that receives the built site.")
@click.option("--message", default="Deploy the site", show_default=True,
              help="Commit message.")
@click.option("--base-url", help="Override base_url for this build.")
@click.option("--no-push", is_flag=True, help="Commit to the branch but do not push.")
def deploy(site_dir: Path, remote: str, branch: str, message: str, base_url: str | None,
           no_push: bool) -> None:
    """Build, commit the site to the gh-pages branch and push it (without GitHub Actions)."""
    from generator.pipeline import build_site

    check_branch_name(branch)
    config = load_config(site_dir, base_url=base_url)
    result = build_site(site_dir, config)
    if report(result.diagnostics, strict=False) or not result.ok:
        click.echo("Build failed; nothing was deployed.", err=True)
        sys.exit(EXIT_ERRORS)
    done = deploy_site(site_dir, site_dir / config.output_dir, remote=remote, branch=branch,
                       message=message, push=not no_push)
    where = f" and pushed it to {done.pushed_to}" if done.pushed_to else ""
    click.echo(f"Committed {result.files} files to {done.branch} ({done.commit[:12]}){where}.")
