"""pyproject.toml lists every subpackage, and the package data the wheel needs."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_every_folder_of_the_package_is_listed_for_the_wheel() -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {"generator"} | {
        "generator." + ".".join(d.relative_to(REPO / "generator").parts)
        for d in (REPO / "generator").rglob("*") if d.is_dir() and d.name != "__pycache__"}
    themes = {"generator.themes"} | {
        "generator.themes." + ".".join(d.relative_to(REPO / "themes").parts)
        for d in (REPO / "themes").rglob("*") if d.is_dir()}
    assert sorted(settings["packages"]) == sorted(folders | themes)
    assert settings["package-dir"] == {"generator.themes": "themes"}


def test_the_init_skeleton_is_package_data() -> None:
    from generator.commands.init import SKELETON

    skeleton = REPO / "generator" / "skeleton"
    assert {p.relative_to(skeleton).as_posix() for p in skeleton.rglob("*") if p.is_file()} == (
        set(SKELETON))
    assert not any(part.startswith(".") for name in SKELETON for part in name.split("/"))


def test_init_workflows_are_the_repositorys_installing_the_pinned_release() -> None:
    """A new site gets this repository's workflows, with Paperboy from requirements.txt."""
    skeleton = REPO / "generator" / "skeleton" / "github" / "workflows"
    for name in ("pages.yml", "check.yml", "import.yml"):
        ours = (REPO / ".github" / "workflows" / name).read_text()
        theirs = (skeleton / name).read_text()
        assert "python -m pip install .\n" in ours
        assert theirs == ours.replace("cache-dependency-path: pyproject.toml",
                                      "cache-dependency-path: requirements.txt").replace(
            "python -m pip install .\n", "python -m pip install -r requirements.txt\n")
