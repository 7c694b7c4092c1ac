"""Command-line interface: argument parsing, output and exit codes only.

Each command calls one function of the package. Heavy modules are imported inside the
commands so that ``paperboy --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from generator import __version__
from generator.diagnostics import Diagnostic, UserError, in_github_actions, summarize

EXIT_OK, EXIT_ERRORS = 0, 1

site_option = click.option(
    "--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="Folder holding site.yaml and content/.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperboy")
def cli() -> None:
    """Paperboy: build a research-paper digest site from content/ and site.yaml."""


def _load_config(site_dir: Path, **overrides: Any):
    from generator.config import load_config

    return load_config(site_dir, overrides)


def _report(diagnostics: Iterable[Diagnostic], strict: bool) -> bool:
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


@cli.command()
@site_option
@click.option("--base-url", help="Override base_url, e.g. https://user.github.io/repo/.")
@click.option("--output", "output_dir", help="Override output_dir (relative to the site).")
@click.option("--drafts", is_flag=True, help="Also build entries marked draft: true.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--jobs", type=click.IntRange(1), help="Worker processes (default: every core).")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update .paperboy-cache/.")
@click.option("--timings", is_flag=True, help="Print the seconds spent in each phase.")
def build(site_dir: Path, base_url: str | None, output_dir: str | None, drafts: bool,
          strict: bool, jobs: int | None, no_cache: bool, timings: bool) -> None:
    """Build the site into output/ (atomically: a failed build keeps the old one)."""
    from generator.build import build_site
    from generator.progress import terminal_progress

    config = _load_config(site_dir, base_url=base_url, output_dir=output_dir,
                          include_drafts=drafts or None)
    with terminal_progress() as progress:
        result = build_site(site_dir, config, progress=progress, jobs=jobs, cache=not no_cache)
    if _report(result.diagnostics, strict) or not result.ok:
        click.echo("Build failed; the previous output was left untouched.", err=True)
        sys.exit(EXIT_ERRORS)
    seconds = sum(result.timings.values())
    click.echo(f"Built {result.papers} papers in {result.topics} topics: {result.files} files "
               f"in {site_dir / config.output_dir} ({seconds:.1f} s).")
    if timings:
        click.echo("timings: " + json.dumps({k: round(v, 4) for k, v in result.timings.items()}))


@cli.command()
@site_option
@click.option("--drafts", is_flag=True, help="Also check entries marked draft: true.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(site_dir: Path, drafts: bool, strict: bool) -> None:
    """Validate site.yaml and every entry without building."""
    from generator.build import check_site

    config = _load_config(site_dir, include_drafts=drafts or None)
    diagnostics = check_site(site_dir, config)
    if _report(diagnostics, strict):
        sys.exit(EXIT_ERRORS)
    click.echo(f"All entries in {site_dir / config.content_dir} are valid.")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of one paper entry."""
    from generator.schema import entry_json_schema

    click.echo(json.dumps(entry_json_schema(), indent=2, sort_keys=True))


@cli.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; loopback unless you ask otherwise.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-build", is_flag=True, help="Serve the existing output/ without building.")
def serve(site_dir: Path, host: str, port: int, no_build: bool) -> None:
    """Build, then preview the site under its base path, as GitHub Pages serves it."""
    from generator.build import build_site
    from generator.static_server import make_server

    config = _load_config(site_dir)
    if not no_build:
        result = build_site(site_dir, config)
        if _report(result.diagnostics, strict=False):
            sys.exit(EXIT_ERRORS)
    try:
        server = make_server(site_dir / config.output_dir, config.base_path, host, port)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    address = f"http://{host}:{server.server_address[1]}{config.base_path}"
    click.echo(f"Serving {site_dir / config.output_dir} at {address} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


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
    config = _load_config(site_dir)
    _print_import(import_text_dump(file, site_dir / config.content_dir, date))


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

    config = _load_config(site_dir)
    _print_import(run_import(file, site_dir / config.content_dir, limit=limit, seed=seed,
                             repeat=repeat))


def _print_import(report: Any) -> None:
    for problem in report.problems:
        click.echo(problem, err=True)
    for skipped in report.skipped:
        click.echo(f"skipped {skipped}", err=True)
    click.echo(f"Wrote {len(report.written)} entries; skipped {len(report.skipped)}.")


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="paperboy", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_ERRORS)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        if exc.diagnostics:
            _report(exc.diagnostics, strict=False)
        else:
            click.echo(str(exc), err=True)
        sys.exit(EXIT_ERRORS)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(EXIT_OK)
