"""`paperboy init` starts a site that checks and builds at once; `--output` takes any folder
but never replaces one that a Paperboy build did not make."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.write.staged import BUILD_MARKER
from tests.conftest import run_paperboy, write_files

EXPECTED_FILES = {"site.yaml", "content/example.md", ".gitignore", "requirements.txt",
                  "README.md", "CONTRIBUTING.md", ".github/workflows/pages.yml",
                  ".github/workflows/check.yml", ".github/workflows/import.yml"}


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site made by `paperboy init` in a new folder, then built into output/."""
    site = tmp_path_factory.mktemp("init") / "my-digest"
    made = run_paperboy("init", str(site), "--title", 'Reading "group" digest')
    assert made.returncode == 0, made.stderr
    checked = run_paperboy("check", "--site", str(site))
    assert checked.returncode == 0, checked.stderr
    built = run_paperboy("build", "--site", str(site))
    assert built.returncode == 0, built.stderr
    return site


def test_init_writes_the_whole_skeleton(started: Path) -> None:
    assert files_under(started) >= EXPECTED_FILES
    config = yaml.safe_load((started / "site.yaml").read_text())
    assert config["title"] == 'Reading "group" digest' and config["timezone"] == "UTC"
    ignored = (started / ".gitignore").read_text().split()
    assert "/output/" in ignored and "/.paperboy-*" in ignored
    from generator import __version__

    assert f"paperboy=={__version__}" in (started / "requirements.txt").read_text()


def test_init_site_builds_with_the_example_paper(started: Path) -> None:
    home = (started / "output" / "index.html").read_text()
    assert "Reading &#34;group&#34; digest" in home or "Reading &quot;group&quot; digest" in home
    assert (started / "output" / "papers" / "1706.03762" / "index.html").is_file()
    paper = (started / "output" / "papers" / "1706.03762" / "index.html").read_text()
    assert "<li>" in paper  # the example abstract's list after a paragraph line


def test_init_workflows_install_the_pinned_release_and_run_paperboy(started: Path) -> None:
    workflows = started / ".github" / "workflows"
    for name, command in (("pages.yml", "paperboy build"), ("check.yml", "paperboy check"),
                          ("import.yml", "paperboy fetch")):
        text = (workflows / name).read_text()
        assert "pip install -r requirements.txt" in text and command in text


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    write_files(tmp_path, {"notes.txt": "mine"})
    refused = run_paperboy("init", str(tmp_path))
    assert refused.returncode == 1
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert files_under(tmp_path) == {"notes.txt"}


def test_init_force_adds_the_files_and_keeps_existing_ones(tmp_path: Path) -> None:
    write_files(tmp_path, {"README.md": "my own readme\n"})
    made = run_paperboy("init", str(tmp_path), "--force")
    assert made.returncode == 0, made.stderr
    assert "kept README.md" in made.stderr
    assert (tmp_path / "README.md").read_text() == "my own readme\n"
    assert files_under(tmp_path) >= EXPECTED_FILES


def test_init_workflows_pass_actionlint(started: Path) -> None:
    from tests.unit.test_workflows import actionlint

    workflows = sorted((started / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == 3
    assert actionlint(*workflows) == []


# --- --output ------------------------------------------------------------------------------

def test_output_accepts_a_folder_outside_the_site(started: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "site"
    built = run_paperboy("build", "--site", str(started), "--output", str(target))
    assert built.returncode == 0, built.stderr
    assert (target / "index.html").is_file() and (target / BUILD_MARKER).is_file()
    again = run_paperboy("build", "--site", str(started), "--output", str(target))
    assert again.returncode == 0, again.stderr  # an earlier build may be replaced


def test_output_relative_to_the_current_folder(started: Path, tmp_path: Path) -> None:
    built = run_paperboy("build", "--site", str(started), "--output", "public", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "public" / "index.html").is_file()


def test_output_refuses_a_folder_a_build_did_not_make(started: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_files(home, {"thesis.tex": "years of work", ".bashrc": "alias ll='ls -l'"})
    refused = run_paperboy("build", "--site", str(started), "--output", str(home))
    assert refused.returncode == 1
    assert f"{home}: error: will not replace this folder" in refused.stderr
    assert files_under(home) == {"thesis.tex", ".bashrc"}
    assert (home / "thesis.tex").read_text() == "years of work"


def test_output_into_an_empty_folder(started: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    built = run_paperboy("build", "--site", str(started), "--output", str(tmp_path / "empty"))
    assert built.returncode == 0, built.stderr


def test_site_yaml_output_dir_stays_inside_the_site(started: Path, tmp_path: Path) -> None:
    site = tmp_path / "pr"
    for relative in ("site.yaml", "content/example.md"):
        write_files(site, {relative: (started / relative).read_text()})
    for value, message in (("../outside", "must be a folder inside the site"),
                           (".", "not the site itself"), ("/tmp/x", "inside the site")):
        with (site / "site.yaml").open("a") as config:
            config.write(f"output_dir: {value}\n")
        result = run_paperboy("build", "--site", str(site))
        assert result.returncode == 1 and message in result.stderr
        (site / "site.yaml").write_text((started / "site.yaml").read_text())


def test_site_yaml_output_dir_on_the_content_folder_is_refused(started: Path,
                                                               tmp_path: Path) -> None:
    site = tmp_path / "pr"
    write_files(site, {"site.yaml": (started / "site.yaml").read_text() + "output_dir: content\n",
                       "content/example.md": (started / "content/example.md").read_text()})
    result = run_paperboy("build", "--site", str(site))
    assert result.returncode == 1 and "will not replace this folder" in result.stderr
    assert files_under(site / "content") == {"example.md"}
