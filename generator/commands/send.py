"""`paperboy send`: e-mail a built issue over SMTP."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.commands.app import EXIT_ERRORS, cli, load_config, site_option


@cli.command()
@click.argument("issue")
@click.option("--to", "to", multiple=True, metavar="ADDR", help="A recipient; repeat for more.")
@click.option("--list", "list_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A file of recipients, one address a line, # for comments.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; connect to nothing.")
@click.option("--force", is_flag=True, help="Also send to addresses the send log says got it.")
@site_option
def send(issue: str, to: tuple[str, ...], list_file: Path | None, dry_run: bool, force: bool,
         site_dir: Path) -> None:
    """E-mail a built issue (YYYY-MM-DD, YYYY-Www or latest) over the smtp: server."""
    from generator.mail import read_recipients, send_issue

    config = load_config(site_dir)
    recipients = read_recipients(to, list_file)
    report = send_issue(config, site_dir, issue, recipients, dry_run=dry_run, force=force,
                        echo=click.echo)
    for address, reason in report.failed:
        click.echo(f"error: {address}: {reason}", err=True)
    if report.failed:
        click.echo(f"{len(report.failed)} of {len(recipients)} addresses not reached; "
                   "they are not in the send log.", err=True)
        sys.exit(EXIT_ERRORS)
