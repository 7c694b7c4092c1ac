"""`make bench`: Paperboy against Hugo and Pelican on sites made from the shared arXiv corpus.

Per size: cold builds (no output/, no cache), warm rebuilds (nothing changed) and rebuilds after
one entry changes, with wall time, CPU time, peak RSS and Paperboy's phase times; the peers build
an equivalent site from the same entries, runs alternating. Writes .bench/results.md and .csv.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bench.bench_measure import Measurement, run_measured  # noqa: E402
from tests.bench.bench_peers import (  # noqa: E402
    ensure_hugo,
    ensure_pelican,
    hugo_command,
    make_peer_sites,
    pelican_command,
)
from tests.bench.bench_report import Row, write_reports  # noqa: E402

# ../shared/corpora beside the clone (a git worktree may sit one level deeper).
CORPUS_CANDIDATES = [base / "shared" / "corpora" / "arxiv-cs-2025.jsonl.gz"
                     for base in (REPO.parent, REPO.parent.parent)]
CORPUS_RECORDS = 40_717
PAPERBOY = [sys.executable, "-m", "generator"]


def make_site(size: int, bench: Path, corpus: Path) -> Path:
    """A site of ``size`` entries; the corpus is repeated with new IDs beyond its length."""
    site = bench / "sites" / f"paperboy-{size}"
    if (site / ".complete").exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    repeat = -(-size // CORPUS_RECORDS)
    subprocess.run([*PAPERBOY, "import", "jsonl", str(corpus), "--limit", str(size),
                    "--repeat", str(repeat), "--site", str(site)], check=True,
                   stdout=subprocess.DEVNULL)
    _drop_duplicate_titles(site)
    (site / ".complete").touch()
    return site


def _drop_duplicate_titles(site: Path) -> None:
    """The corpus holds a few papers under two IDs; a site refuses the second (as it should)."""
    check = subprocess.run([*PAPERBOY, "check", "--site", str(site)], capture_output=True,
                           text=True)
    for line in check.stderr.splitlines():
        if ": error: title: duplicate of " in line:
            (site / line.split(":", 1)[0]).unlink(missing_ok=True)


def paperboy_build(site: Path) -> tuple[Measurement, dict[str, float]]:
    measured = run_measured([*PAPERBOY, "build", "--site", str(site), "--timings"], cwd=REPO)
    line = next(x for x in measured.stdout.splitlines() if x.startswith("timings: "))
    import json

    return measured, json.loads(line.removeprefix("timings: "))


def cold(site: Path) -> tuple[Measurement, dict[str, float]]:
    """A new site: no output, no cache and no topics.lock.yaml yet."""
    shutil.rmtree(site / "output", ignore_errors=True)
    from generator.cache import site_cache_folder

    shutil.rmtree(site_cache_folder(site), ignore_errors=True)
    (site / "topics.lock.yaml").unlink(missing_ok=True)
    return paperboy_build(site)


def edit_one_entry(site: Path, marker: str) -> tuple[Path, bytes]:
    """Append a marker to the abstract of the first entry; returns (path, original bytes)."""
    entry = sorted((site / "content").rglob("*.md"))[0]
    original = entry.read_bytes()
    entry.write_bytes(original.rstrip(b"\n") + f" {marker}\n".encode())
    return entry, original


def page_shows(site: Path, entry: Path, marker: str) -> bool:
    slug = entry.stem
    pages = list((site / "output" / "papers").glob(f"{slug}*/index.html"))
    return bool(pages) and marker in pages[0].read_text(encoding="utf-8")


def bench_size(size: int, runs: int, with_peers: bool, bench: Path,
               corpus: Path) -> list[Row]:
    site = make_site(size, bench, corpus)
    rows: list[Row] = []
    peers: dict[str, list[str]] = {}
    if with_peers:
        hugo_site, pelican_site = make_peer_sites(site, bench / "sites")
        peers = {"hugo": hugo_command(ensure_hugo(), hugo_site),
                 "pelican": pelican_command(ensure_pelican(bench), pelican_site)}
    tools = ["paperboy", *peers]
    for run in range(runs):
        order = tools[run % len(tools):] + tools[:run % len(tools)]  # alternate who goes first
        for tool in order:
            if tool == "paperboy":
                measured, phases = cold(site)
            else:
                measured, phases = run_measured(peers[tool]), {}
            rows.append(Row(size, tool, "cold", run, measured, phases))
            print(f"{size:>7} {tool:<8} cold  run {run}: {measured.wall:7.2f} s wall "
                  f"{measured.cpu:7.2f} s cpu {measured.peak_rss / 2**20:7.0f} MiB", flush=True)
    paperboy_build(site)  # unmeasured: the first rebuild reads the lock file the cold one wrote
    for run in range(runs):
        measured, phases = paperboy_build(site)
        rows.append(Row(size, "paperboy", "warm", run, measured, phases))
        print(f"{size:>7} paperboy warm  run {run}: {measured.wall:7.2f} s", flush=True)
    for run in range(runs):
        marker = f"benchmark-edit-{run}-{time.time_ns()}"
        entry, original = edit_one_entry(site, marker)
        try:
            measured, phases = paperboy_build(site)
            correct = page_shows(site, entry, marker)
        finally:
            entry.write_bytes(original)
        rows.append(Row(size, "paperboy", "one-change", run, measured, phases, correct))
        print(f"{size:>7} paperboy one-change run {run}: {measured.wall:7.2f} s, "
              f"page updated: {correct}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peers-max", type=int, default=10_000,
                        help="build Hugo and Pelican sites only up to this size")
    parser.add_argument("--out", type=Path, default=REPO / ".bench")
    parser.add_argument("--corpus", type=Path,
                        default=next((c for c in CORPUS_CANDIDATES if c.exists()), None))
    args = parser.parse_args()
    if args.corpus is None or not args.corpus.exists():
        sys.exit(f"the corpus is not at {CORPUS_CANDIDATES[0]}; pass --corpus FILE")
    args.out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    rows: list[Row] = []
    for size in (int(s) for s in args.sizes.split(",")):
        rows += bench_size(size, args.runs, size <= args.peers_max, args.out, args.corpus)
        write_reports(rows, args.out, load_before, os.getloadavg())
    print(f"Wrote {args.out / 'results.md'} and {args.out / 'results.csv'}")
    print((args.out / "results.md").read_text())


if __name__ == "__main__":
    main()
