"""Command-line interface: argument parsing, output and exit codes only.

Each command calls one function of the package. Heavy modules are imported inside the
commands so that ``paperboy --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
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
    started = time.perf_counter()
    with terminal_progress() as progress:
        result = build_site(site_dir, config, progress=progress, jobs=jobs, cache=not no_cache)
    if _report(result.diagnostics, strict) or not result.ok:
        click.echo("Build failed; the previous output was left untouched.", err=True)
        sys.exit(EXIT_ERRORS)
    seconds = time.perf_counter() - started  # phases nest (search runs inside write)
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
@site_option
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON, with every topic's paper slugs and arXiv IDs.")
def topics(site_dir: Path, as_json: bool) -> None:
    """Print the topics (label, size, top terms, example titles) for review."""
    from generator.build import fit_topics
    from generator.content import load_content
    from generator.topic_report import render_topics_text, topics_report

    config = _load_config(site_dir)
    loaded = load_content(site_dir, config.content_dir, include_drafts=config.include_drafts,
                          max_entry_bytes=config.max_entry_bytes)
    if _report(loaded.diagnostics, strict=False):
        sys.exit(EXIT_ERRORS)
    report = topics_report(loaded.papers, fit_topics(loaded.papers, config, site_dir))
    if as_json:
        click.echo(json.dumps({"topics": report}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_topics_text(report), nl=False)


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
    from generator.static_server import make_server

    config = _load_config(site_dir)
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
    from generator.send import read_recipients, send_issue

    config = _load_config(site_dir)
    recipients = read_recipients(to, list_file)
    report = send_issue(config, site_dir, issue, recipients, dry_run=dry_run, force=force,
                        echo=click.echo)
    for address, reason in report.failed:
        click.echo(f"error: {address}: {reason}", err=True)
    if report.failed:
        click.echo(f"{len(report.failed)} of {len(recipients)} addresses not reached; "
                   "they are not in the send log.", err=True)
        sys.exit(EXIT_ERRORS)


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


api_option = click.option(
    "--api-url", envvar="PAPERBOY_ARXIV_API", show_envvar=True,
    help="arXiv API query URL (default: arXiv's own export API).")


def _parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"must be YYYY-MM-DD, got '{text}'", param_hint="--date") from None


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

    config = _load_config(site_dir)
    _print_import(run_import(sources, site_dir / config.content_dir, _parse_date(date_text),
                             resolve_api_url(api_url)))


@import_.command(name="hf")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@site_option
def import_hf(file: Path, site_dir: Path) -> None:
    """Import a Hugging Face daily_papers JSON file (dated by each item's publishedAt)."""
    from generator.importers.hf import import_hf as run_import

    config = _load_config(site_dir)
    _print_import(run_import(file, site_dir / config.content_dir))


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
    from generator.new_entry import new_entry

    config = _load_config(site_dir)
    content_dir = site_dir / config.content_dir
    made = new_entry(content_dir, _parse_date(date_text), arxiv=arxiv_id, title=title,
                     api_url=resolve_api_url(api_url))
    shown = made.path.relative_to(site_dir)
    if made.fetched:
        click.echo(f"Wrote {shown} from the arXiv API. Check it with: paperboy check")
        return
    if made.fallback_reason:
        click.echo(f"Could not fetch the paper: {made.fallback_reason}", err=True)
    click.echo(f"Wrote a template to {shown}: fill in the title and abstract, then run "
               "paperboy check.")


@cli.command()
@site_option
@click.option("--remote", default="origin", show_default=True, help="Git remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True,
              help="Branch that receives the built site.")
@click.option("--message", default="Deploy the site", show_default=True,
              help="Commit message.")
@click.option("--base-url", help="Override base_url for this build.")
@click.option("--no-push", is_flag=True, help="Commit to the branch but do not push.")
def deploy(site_dir: Path, remote: str, branch: str, message: str, base_url: str | None,
           no_push: bool) -> None:
    """Build, commit the site to the gh-pages branch and push it (without GitHub Actions)."""
    from generator.build import build_site
    from generator.deploy import check_branch_name, deploy_site

    check_branch_name(branch)
    config = _load_config(site_dir, base_url=base_url)
    result = build_site(site_dir, config)
    if _report(result.diagnostics, strict=False) or not result.ok:
        click.echo("Build failed; nothing was deployed.", err=True)
        sys.exit(EXIT_ERRORS)
    done = deploy_site(site_dir, site_dir / config.output_dir, remote=remote, branch=branch,
                       message=message, push=not no_push)
    where = f" and pushed it to {done.pushed_to}" if done.pushed_to else ""
    click.echo(f"Committed {result.files} files to {done.branch} ({done.commit[:12]}){where}.")


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
