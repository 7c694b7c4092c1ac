"""`paperboy import` (text, jsonl, arxiv, hf) and `paperboy new`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from generator.commands.app import (
    api_option,
    cli,
    load_config,
    parse_date,
    print_import,
    site_option,
)


@cli.group(name="import")
def import_() -> None:
    """Write entry files from other formats."""


@import_.command(name="text")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--date", "date_text", required=True, help="Date of the papers, YYYY-MM-DD.")
@site_option
def import_text(file: Path, date_text: str, site_dir: Path) -> None:
    """Import a plain-text page dump of title/abstract paragraphs."""
    from generator.importers import import_text_dump

    try:
        date = dt.date.fromisoformat(date_text)
    except ValueError:
        raise click.BadParameter(f"must be YYYY-MM-DD, got '{date_text}'",
                                 param_hint="--date") from None
    config = load_config(site_dir)
    print_import(import_text_dump(file, site_dir / config.content_dir, date))


@import_.command(name="jsonl")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--limit", type=click.IntRange(1), help="Import a random sample of N records.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for --limit.")
@click.option("--repeat", type=click.IntRange(1), default=1, show_default=True,
              help="Emit every record N times with new IDs (benchmarks).")
@site_option
def import_jsonl(file: Path, limit: int | None, seed: int, repeat: int, site_dir: Path) -> None:
    """Import JSON-lines records (id, title, abstract, authors, date, labels), e.g. arXiv dumps."""
    from generator.importers import import_jsonl as run_import

    config = load_config(site_dir)
    print_import(run_import(file, site_dir / config.content_dir, limit=limit, seed=seed,
                             repeat=repeat))


@import_.command(name="arxiv")
@click.argument("sources", nargs=-1, required=True)
@click.option("--date", "date_text", help="Digest day of the papers, YYYY-MM-DD (default: today).")
@api_option
@site_option
def import_arxiv(sources: tuple[str, ...], date_text: str | None, api_url: str | None,
                 site_dir: Path) -> None:
    """Import arXiv papers: IDs (fetched from the arXiv API) or saved API Atom files."""
    from generator.importers.arxiv import import_arxiv as run_import
    from generator.importers.arxiv_atom import api_url as resolve_api_url

    config = load_config(site_dir)
    print_import(run_import(sources, site_dir / config.content_dir, parse_date(date_text),
                             resolve_api_url(api_url)))


@import_.command(name="hf")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@site_option
def import_hf(file: Path, site_dir: Path) -> None:
    """Import a Hugging Face daily_papers JSON file (dated by each item's publishedAt)."""
    from generator.importers.hf import import_hf as run_import

    config = load_config(site_dir)
    print_import(run_import(file, site_dir / config.content_dir))


@cli.command()
@click.argument("arxiv_id", required=False)
@click.option("--title", help="Title of the paper (writes a fill-in template).")
@click.option("--date", "date_text", help="Digest day, YYYY-MM-DD (default: today).")
@api_option
@site_option
def new(arxiv_id: str | None, title: str | None, date_text: str | None, api_url: str | None,
        site_dir: Path) -> None:
    """Add one paper: fetch an arXiv ID's metadata, or write a template to fill in."""
    from generator.importers.arxiv_atom import api_url as resolve_api_url
    from generator.importers.new_entry import new_entry

    config = load_config(site_dir)
    content_dir = site_dir / config.content_dir
    made = new_entry(content_dir, parse_date(date_text), arxiv=arxiv_id, title=title,
                     api_url=resolve_api_url(api_url))
    shown = made.path.relative_to(site_dir)
    if made.fetched:
        click.echo(f"Wrote {shown} from the arXiv API. Check it with: paperboy check")
        return
    if made.fallback_reason:
        click.echo(f"Could not fetch the paper: {made.fallback_reason}", err=True)
    click.echo(f"Wrote a template to {shown}: fill in the title and abstract, then run "
               "paperboy check.")
