"""The README documents every command and every site.yaml option (sqlite-utils' habit)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from generator.commands import cli
from generator.config import all_option_names
from tests.conftest import run_paperboy

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def command_paths(group: click.Group = cli, prefix: str = "") -> list[str]:
    paths = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path + " "))
        else:
            paths.append(path)
    return paths


@pytest.mark.parametrize("command", command_paths())
def test_readme_documents_command(command: str) -> None:
    assert f"`paperboy {command}" in README


@pytest.mark.parametrize("command", command_paths())
def test_command_has_help_text(command: str) -> None:
    result = run_paperboy(*command.split(), "--help")
    assert result.returncode == 0
    assert "Usage: paperboy" in result.stdout and len(result.stdout.splitlines()) > 3


@pytest.mark.parametrize("option", all_option_names())
def test_readme_documents_site_option(option: str) -> None:
    assert f"| `{option}` |" in README


def test_readme_quick_start_is_make_site_and_make_test() -> None:
    quick = README.split("## Quick start")[1].split("##")[0]
    assert "make site" in quick and "make test" in quick
