"""`paperboy fetch`: new papers from the sources in site.yaml, with a run report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from generator.commands.app import EXIT_ERRORS, cli, load_config, site_option


@cli.command()
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the run report as Markdown to this file.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the run report as JSON to this file.")
@click.option("--now", "now_text", metavar="ISO-TIME",
              help="Run as if it were this time (e.g. 2026-07-06T02:00Z), to re-run a day.")
@site_option
def fetch(report_path: Path | None, json_path: Path | None, now_text: str | None,
          site_dir: Path) -> None:
    """Fetch what is new in the sources of site.yaml (arXiv, Hugging Face) as entries."""
    from generator.diagnostics import UserError
    from generator.fetch import run_fetch
    from generator.fetch.report import FAILED

    config = load_config(site_dir)
    if not config.sources:
        raise UserError("site.yaml: error: sources: no sources to fetch; add e.g.\n"
                        "sources:\n  - type: arxiv\n    categories: [cs.LG]")
    report = run_fetch(site_dir, config, _now(now_text))
    markdown = report.to_markdown()
    click.echo(markdown, nl=False)
    if report_path:
        report_path.write_text(markdown, encoding="utf-8")
    if json_path:
        json_path.write_text(report.to_json(), encoding="utf-8")
    if report.status == FAILED:
        for run in report.sources:
            for problem in run.problems:
                click.echo(f"error: {run.name}: {problem}", err=True)
        raise SystemExit(EXIT_ERRORS)


def _now(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"must be an ISO time such as 2026-07-06T02:00Z, got '{text}'",
                                 param_hint="--now") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
