"""The floor under a Python build of Hugo's bench site, measured here beside Hugo itself.

``make bench`` compares Paperboy with Hugo's cold build of the same entries. This script shows
what any Python build of that (much smaller) site costs on this machine: the fewest steps that
make it (read each entry, libyaml front matter, Python-Markdown, one Jinja2 page per paper, a
page per tag, the home page and an RSS feed of the latest 50, written to disk), in one process
and forked over every core; plus the cost of only writing Paperboy's own output of the same
entries (its paths and bytes, read into memory first), which no renderer can avoid.

    python -m tests.bench.bench_floor SITE_DIR [--runs 3] [--paperboy-output DIR]

Runs alternate (Hugo, floor on one core, floor on every core, writes); medians are printed with
their ratio to Hugo. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

import jinja2
import markdown
import yaml

from generator.workers import map_forked
from tests.bench.bench_peers import LATEST, ensure_hugo, hugo_command, write_hugo_site

PAGE = jinja2.Template(
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}</title>"
    "</head><body><main><article><h1>{{ title }}</h1><p>{{ authors | join(', ') }}</p>"
    "<time>{{ date }}</time>{{ body }}<ul>{% for t in tags %}<li><a href=\"/tags/{{ t }}/\">"
    "{{ t }}</a></li>{% endfor %}</ul></article></main></body></html>", autoescape=True)
LIST = jinja2.Template(
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ title }}</title>"
    "</head><body><main><h1>{{ title }}</h1><ul>{% for p in papers %}<li><a href=\"/papers/"
    "{{ p.slug }}/\">{{ p.title }}</a></li>{% endfor %}</ul></main></body></html>",
    autoescape=True)
RSS = jinja2.Template(
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Bench</title>{% for p in "
    "papers %}<item><title>{{ p.title }}</title><link>/papers/{{ p.slug }}/</link></item>"
    "{% endfor %}</channel></rss>", autoescape=True)


def _entries(site: Path) -> list[Path]:
    return sorted((site / "content").rglob("*.md"))


def _paper(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    meta = yaml.load(head, Loader=yaml.CSafeLoader)
    return {"slug": path.stem, "title": str(meta["title"]), "date": str(meta["date"]),
            "authors": meta.get("authors", []), "tags": meta.get("tags", []), "abstract": body}


def _write(root: Path, route: str, html: str) -> None:
    folder = root / route
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(html, encoding="utf-8")


_MARKDOWN = markdown.Markdown()


def _page(path: Path, out: Path) -> dict:
    """Read, parse and render one paper into ``out``; its metadata back."""
    paper = _paper(path)
    body = _MARKDOWN.reset().convert(paper.pop("abstract"))
    _write(out, f"papers/{paper['slug']}", PAGE.render(body=body, **paper))
    return paper


def floor_build(site: Path, out: Path, jobs: int) -> None:
    """The smallest build of Hugo's bench site: papers on ``jobs`` forked workers (each writes
    its own pages), then tag pages, home and RSS in this process."""
    papers = map_forked(partial(_page, out=out), _entries(site), jobs=jobs, min_per_worker=1)
    papers.sort(key=lambda p: (p["date"], p["slug"]), reverse=True)
    by_tag: dict[str, list[dict]] = defaultdict(list)
    for paper in papers:
        for tag in paper["tags"]:
            by_tag[tag].append(paper)
    for tag, listed in by_tag.items():
        _write(out, f"tags/{tag}", LIST.render(title=tag, papers=listed))
    _write(out, "", LIST.render(title="Bench", papers=papers[:LATEST]))
    (out / "index.xml").write_text(RSS.render(papers=papers[:LATEST]), encoding="utf-8")


def write_tree(files: list[tuple[str, bytes]], out: Path) -> None:
    """Only the writes of a build: every file of an output, already in memory."""
    made: set[Path] = set()
    for relative, data in files:
        target = out / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)


def _timed(label: str, run, results: dict[str, list[tuple[float, float]]]) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(
        resource.RUSAGE_SELF)
    start = time.perf_counter()
    run()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime
              for a, b in zip(after, before, strict=True))
    results[label].append((wall, cpu))
    print(f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a Paperboy site (its content/ is read)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--paperboy-output", type=Path,
                        help="a Paperboy output/ of the same entries, to time its writes alone")
    parser.add_argument("--scratch", type=Path, default=None,
                        help="where to write (default: beside the site, on its disk)")
    args = parser.parse_args()
    from generator.content import load_content

    scratch = Path(tempfile.mkdtemp(prefix="floor-", dir=args.scratch or args.site.parent))
    hugo_site = scratch / "hugo"
    write_hugo_site(load_content(args.site).papers, hugo_site)
    hugo = ensure_hugo()
    files = []
    if args.paperboy_output:
        files = [(p.relative_to(args.paperboy_output).as_posix(), p.read_bytes())
                 for p in sorted(args.paperboy_output.rglob("*")) if p.is_file()]
    jobs = len(os.sched_getaffinity(0))
    # Every run writes into a folder of its own, removed only at the end: removing a tree just
    # before a timed run leaves the disk busy with it (ext4 with discard) and slows the run.
    builds = {
        "Hugo, cold": lambda run: subprocess.run(hugo_command(hugo, hugo_site), check=True),
        "Python floor, one process": lambda run: floor_build(args.site, scratch / f"one{run}", 1),
        f"Python floor, {jobs} processes": lambda run: floor_build(args.site,
                                                                   scratch / f"all{run}", jobs),
    }
    if files:
        builds[f"writing Paperboy's {len(files):,} files only"] = lambda run: write_tree(
            files, scratch / f"writes{run}")
    results: dict[str, list[tuple[float, float]]] = defaultdict(list)
    try:
        for run in range(args.runs):
            print(f"run {run + 1} of {args.runs}", file=sys.stderr)
            for label, build in builds.items():
                _timed(label, partial(build, run), results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    hugo_wall = statistics.median(w for w, _ in results["Hugo, cold"])
    print(f"| build ({len(_entries(args.site)):,} entries) | wall s | CPU s | wall / Hugo |")
    print("|---|---|---|---|")
    for label, rows in results.items():
        wall = statistics.median(w for w, _ in rows)
        cpu = statistics.median(c for _, c in rows)
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {wall / hugo_wall:.2f}x |")


if __name__ == "__main__":
    main()
