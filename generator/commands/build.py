"""`paperboy build` and `paperboy check`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from generator.commands.app import EXIT_ERRORS, cli, load_config, report, site_option


@cli.command()
@site_option
@click.option("--base-url", help="Override base_url, e.g. https://user.github.io/repo/.")
@click.option("--output", "output_dir",
              help="Build into this folder (any path; relative to the current folder) instead "
                   "of output_dir. A folder that holds files must be an earlier build.")
@click.option("--drafts", is_flag=True, help="Also build entries marked draft: true.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--jobs", type=click.IntRange(1), help="Worker processes (default: every core).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update the build cache.")
@click.option("--timings", is_flag=True, help="Print the seconds spent in each phase.")
def build(site_dir: Path, base_url: str | None, output_dir: str | None, drafts: bool,
          strict: bool, jobs: int | None, no_cache: bool, timings: bool) -> None:
    """Build the site into output/ (atomically: a failed build keeps the old one)."""
    from generator.commands.progress import terminal_progress
    from generator.pipeline import build_site

    config = load_config(site_dir, base_url=base_url, output_dir=output_dir,
                          include_drafts=drafts or None)
    started = time.perf_counter()
    with terminal_progress() as progress:
        result = build_site(site_dir, config, progress=progress, jobs=jobs, cache=not no_cache)
    if report(result.diagnostics, strict) or not result.ok:
        click.echo("Build failed; the previous output was left untouched.", err=True)
        sys.exit(EXIT_ERRORS)
    seconds = time.perf_counter() - started  # phases nest (search runs inside write)
    click.echo(f"Built {result.papers} papers in {result.topics} topics: {result.files} files "
               f"in {site_dir / config.output_dir} ({seconds:.1f} s).")
    if timings:
        click.echo("timings: " + json.dumps({k: round(v, 4) for k, v in result.timings.items()}))
        click.echo("counts: " + json.dumps(dict(result.counts)))


@cli.command()
@site_option
@click.option("--drafts", is_flag=True, help="Also check entries marked draft: true.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(site_dir: Path, drafts: bool, strict: bool) -> None:
    """Validate site.yaml and every entry without building."""
    from generator.pipeline import check_site

    config = load_config(site_dir, include_drafts=drafts or None)
    diagnostics = check_site(site_dir, config)
    if report(diagnostics, strict):
        sys.exit(EXIT_ERRORS)
    click.echo(f"All entries in {site_dir / config.content_dir} are valid.")
