"""The ``paperboy`` command group and what its commands share: the site option, loading the
configuration, printing diagnostics and exit codes. Each command lives in its own module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator import __version__
from generator.diagnostics import Diagnostic, in_github_actions, summarize

if TYPE_CHECKING:
    from generator.config import SiteConfig

EXIT_OK, EXIT_ERRORS = 0, 1

site_option = click.option(
    "--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="Folder holding site.yaml and content/.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperboy")
def cli() -> None:
    """Paperboy: build a research-paper digest site from content/ and site.yaml."""


def load_config(site_dir: Path, **overrides: Any) -> SiteConfig:
    from generator.config import load_config as read_config

    return read_config(site_dir, overrides)


def report(diagnostics: Iterable[Diagnostic], strict: bool) -> bool:
    """Print diagnostics to stderr; True when the run must fail."""
    items = tuple(diagnostics)
    for diagnostic in items:
        click.echo(diagnostic.format(), err=True)
        if in_github_actions():
            click.echo(diagnostic.format_github())
    failed = any(d.level == "error" or strict for d in items)
    if items:
        click.echo(summarize(items), err=True)
    return failed


api_option = click.option(
    "--api-url", envvar="PAPERBOY_ARXIV_API", show_envvar=True,
    help="arXiv API query URL (default: arXiv's own export API).")


def parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"must be YYYY-MM-DD, got '{text}'", param_hint="--date") from None


def print_import(report: Any) -> None:
    for problem in report.problems:
        click.echo(problem, err=True)
    for skipped in report.skipped:
        click.echo(f"skipped {skipped}", err=True)
    click.echo(f"Wrote {len(report.written)} entries; skipped {len(report.skipped)}.")
