"""Command-line interface: argument parsing, output and exit codes only.

Each command module calls the package's stages; heavy modules are imported inside the
commands so that ``paperboy --help`` stays fast.
"""

from __future__ import annotations

import sys

import click

from generator.commands import (  # noqa: F401
    build,
    deploy,
    fetch,
    imports,
    init,
    send,
    serve,
    topics,
)
from generator.commands.app import EXIT_ERRORS, EXIT_OK, cli, report
from generator.diagnostics import UserError

__all__ = ["cli", "main"]


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
            report(exc.diagnostics, strict=False)
        else:
            click.echo(str(exc), err=True)
        sys.exit(EXIT_ERRORS)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(EXIT_OK)
