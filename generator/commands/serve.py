"""`paperboy serve`: build, watch and serve with live reload (`--no-build`: output/ as is)."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.app import cli, load_config, site_option
from generator.diagnostics import UserError


@cli.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; loopback unless you ask otherwise.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--no-build", is_flag=True,
              help="Serve the existing output/ as it is: no build, no watching, no reload.")
@click.option("--drafts", is_flag=True, help="Also show entries marked draft: true.")
def serve(site_dir: Path, host: str, port: int, no_build: bool, drafts: bool) -> None:
    """Build into a temporary folder and serve it under the base path, as GitHub Pages would;
    rebuild what changed on every save and reload the browser."""
    if no_build:
        return _serve_output(site_dir, host, port)
    from generator.serve import serve_site

    try:
        serve_site(site_dir, {"include_drafts": drafts or None}, host, port, click.echo,
                   lambda line: click.echo(line, err=True))
    except KeyboardInterrupt:
        click.echo("Stopped.")


def _serve_output(site_dir: Path, host: str, port: int) -> None:
    from generator.serve import make_server

    config = load_config(site_dir)
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
