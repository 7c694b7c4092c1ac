"""`paperboy topics` (the fitted topics for review) and `paperboy schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from generator.commands.app import EXIT_ERRORS, cli, load_config, report, site_option


@cli.command()
@site_option
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON, with every topic's paper slugs and arXiv IDs.")
def topics(site_dir: Path, as_json: bool) -> None:
    """Print the topics (label, size, top terms, example titles) for review."""
    from generator.content import load_content
    from generator.pipeline import fit_topics
    from generator.topics import render_topics_text, topics_report

    config = load_config(site_dir)
    loaded = load_content(site_dir, config.content_dir, include_drafts=config.include_drafts,
                          max_entry_bytes=config.max_entry_bytes, timezone=config.timezone)
    if report(loaded.diagnostics, strict=False):
        sys.exit(EXIT_ERRORS)
    summary = topics_report(loaded.papers, fit_topics(loaded.papers, config, site_dir))
    if as_json:
        click.echo(json.dumps({"topics": summary}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_topics_text(summary), nl=False)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of one paper entry."""
    from generator.content import entry_json_schema

    click.echo(json.dumps(entry_json_schema(), indent=2, sort_keys=True))
