"""`paperboy init`: start a new site from the skeleton shipped in the package.

The skeleton (``generator/skeleton/``) holds the files with their dots removed (``gitignore``,
``github/``) so that packaging globs include them; ``SKELETON`` maps each to where it goes.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from importlib import resources
from pathlib import Path

import click

from generator import __version__
from generator.commands.app import EXIT_ERRORS, cli

# skeleton file -> path in the new site
SKELETON: dict[str, str] = {
    "site.yaml": "site.yaml",
    "content/example.md": "content/example.md",
    "gitignore": ".gitignore",
    "requirements.txt": "requirements.txt",
    "README.md": "README.md",
    "CONTRIBUTING.md": "CONTRIBUTING.md",
    "github/workflows/pages.yml": ".github/workflows/pages.yml",
    "github/workflows/check.yml": ".github/workflows/check.yml",
    "github/workflows/import.yml": ".github/workflows/import.yml",
}


def skeleton_files(title: str, today: dt.date) -> dict[str, str]:
    """The new site's files (relative path -> text), placeholders filled in."""
    root = resources.files("generator") / "skeleton"
    values = {"@@TITLE@@": title.replace("\\", "\\\\").replace('"', '\\"'),
              "@@DATE@@": today.isoformat(), "@@VERSION@@": __version__}
    files = {}
    for source, target in SKELETON.items():
        text = root.joinpath(*source.split("/")).read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        files[target] = text
    return files


def write_skeleton(folder: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """Write each file that does not exist yet; (written, kept) relative paths."""
    written, kept = [], []
    for relative, text in files.items():
        target = folder / relative
        if target.exists() or target.is_symlink():
            kept.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as handle:  # never overwrite
            handle.write(text)
        written.append(relative)
    return written, kept


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Paper digest", show_default=True, help="Name of the site.")
@click.option("--force", is_flag=True,
              help="Also start a site in a folder that is not empty (existing files are kept).")
def init(folder: Path, title: str, force: bool) -> None:
    """Start a new site in FOLDER (default: here): site.yaml, an example entry, workflows."""
    if folder.exists() and any(os.scandir(folder)) and not force:
        click.echo(f"{folder}: error: the folder is not empty; choose an empty or new folder, "
                   "or add --force to add the site's files to it (existing files are kept)",
                   err=True)
        sys.exit(EXIT_ERRORS)
    title = " ".join(title.split()) or "Paper digest"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written, kept = write_skeleton(folder, skeleton_files(title, dt.date.today()))
    except OSError as exc:
        click.echo(f"{folder}: error: cannot write the site here: {exc.strerror or exc}",
                   err=True)
        sys.exit(EXIT_ERRORS)
    for relative in kept:
        click.echo(f"kept {relative} (already there)", err=True)
    click.echo(f"Started a site in {folder} ({len(written)} files). Next:")
    where = "" if folder == Path(".") else f" --site {click.format_filename(folder)}"
    click.echo(f"  paperboy serve{where}    preview it while you edit content/ and site.yaml")
    click.echo("  then push it to GitHub; README.md there says how to publish it on Pages.")
