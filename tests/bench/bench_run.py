"""`make bench`: the builds a digest site runs, next to Hugo's cold build of the same entries.

Per size N (sites made from the shared arXiv corpus), runs alternating between tools:

- ``hugo``: Hugo's cold build of the N + 50 entries (a page per paper, tag pages, home, RSS);
- ``first``: Paperboy's first build of N entries (no topics.lock.yaml, no cache, no output/);
- ``daily``: the Pages build after a day's papers: 50 new entries dated the day after the newest,
  with the lock and the build cache of the N-entry build kept (output/ is not: CI starts from a
  clean checkout and restores only the cache);
- ``same-day-clean``: the same 50 from a clean checkout: lock committed, no cache;
- ``plain``: the Hugo-like build of the N + 50 entries, topics, search and e-mail off, no cache.

Wall time, CPU time of the process tree, peak PSS of the tree (shared pages counted once), the
phase times and the work counts of ``--timings``. Writes .bench/results.md and .csv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.bench.bench_measure import Measurement, run_measured  # noqa: E402
from tests.bench.bench_peers import (  # noqa: E402
    ensure_hugo,
    hugo_command,
    write_hugo_site,
)
from tests.bench.bench_report import Row, write_reports  # noqa: E402

# ../shared/corpora beside the clone (a git worktree may sit one level deeper).
CORPUS_CANDIDATES = [base / "shared" / "corpora" / "arxiv-cs-2025.jsonl.gz"
                     for base in (REPO.parent, REPO.parent.parent)]
CORPUS_RECORDS = 40_717
NEW_PAPERS = 50
PAPERBOY = [sys.executable, "-m", "generator"]
TRASH = "trash"  # trees set aside during the bench, removed at its end
SCENARIOS = ("first", "daily", "same-day-clean", "plain")
PLAIN_SETTINGS = {"topics": {"enabled": False}, "search": {"enabled": False},
                  "digest": {"email": False}}
_DATE_LINE = re.compile(rb"^date: .*$", re.MULTILINE)


def make_site(size: int, bench: Path, corpus: Path) -> Path:
    """A site of ``size`` entries; the corpus is repeated with new IDs beyond its length."""
    site = bench / "sites" / f"paperboy-{size}"
    if (site / ".complete").exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    repeat = -(-size // CORPUS_RECORDS)
    _import(corpus, site, size, repeat, seed=0)
    _drop_duplicate_titles(site)
    (site / ".complete").touch()
    return site


def make_new_papers(site: Path, bench: Path, corpus: Path) -> Path:
    """NEW_PAPERS entries the site does not hold, dated the day after its newest entry, in a
    folder laid out like content/ (``<date>/<slug>.md``)."""
    new = bench / "sites" / f"{site.name}-new"
    if (new / ".complete").exists():
        return new
    shutil.rmtree(new, ignore_errors=True)
    scratch = bench / "sites" / f"{site.name}-scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", scratch / "site.yaml")
    _import(corpus, scratch, 4 * NEW_PAPERS, 1, seed=1)
    have = {p.name for p in (site / "content").rglob("*.md")}
    titles = {_title(p) for p in (site / "content").rglob("*.md")}
    newest = max(dt.date.fromisoformat(d.name) for d in (site / "content").iterdir()
                  if d.is_dir())
    day = (newest + dt.timedelta(days=1)).isoformat()
    (new / day).mkdir(parents=True)
    taken = 0
    for entry in sorted((scratch / "content").rglob("*.md")):
        if entry.name in have or _title(entry) in titles or taken == NEW_PAPERS:
            continue
        text = _DATE_LINE.sub(f"date: {day}".encode(), entry.read_bytes(), count=1)
        (new / day / entry.name).write_bytes(text)
        taken += 1
    shutil.rmtree(scratch)
    (new / ".complete").touch()
    return new


def _title(entry: Path) -> bytes:
    found = re.search(rb"^title: (.*)$", entry.read_bytes(), re.MULTILINE)
    return found.group(1) if found else b""


def _import(corpus: Path, site: Path, limit: int, repeat: int, seed: int) -> None:
    subprocess.run([*PAPERBOY, "import", "jsonl", str(corpus), "--limit", str(limit),
                    "--repeat", str(repeat), "--seed", str(seed), "--site", str(site)],
                   check=True, stdout=subprocess.DEVNULL)


def _drop_duplicate_titles(site: Path) -> None:
    """The corpus holds a few papers under two IDs; a site refuses the second (as it should)."""
    check = subprocess.run([*PAPERBOY, "check", "--site", str(site)], capture_output=True,
                           text=True)
    for line in check.stderr.splitlines():
        if ": error: title: duplicate of " in line:
            (site / line.split(":", 1)[0]).unlink(missing_ok=True)


def add_papers(site: Path, new: Path) -> list[Path]:
    added = []
    for entry in new.rglob("*.md"):
        target = site / "content" / entry.relative_to(new)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(entry, target)
        added.append(target)
    return added


def remove_papers(added: list[Path]) -> None:
    for path in added:
        path.unlink(missing_ok=True)
        if path.parent.is_dir() and not any(path.parent.iterdir()):
            path.parent.rmdir()


class Bench:
    """One size: the site, its 50 new papers, and the state (lock, cache) of its first build."""

    def __init__(self, size: int, bench: Path, corpus: Path, code: Path = REPO,
                 label: str = "") -> None:
        """``code``: the checkout whose generator builds (its .venv's Python); ``label``
        keeps its cache and saved state apart from another checkout's."""
        self.size = size
        self.code = code
        self.site = make_site(size, bench, corpus)
        self.new = make_new_papers(self.site, bench, corpus)
        name = self.site.name + (f"@{label}" if label else "")
        self.cache = bench / "cache" / name  # PAPERBOY_CACHE_DIR of the builds
        self.saved = bench / "state" / name  # the lock and cache after `first`
        self.plain = bench / "sites" / f"{self.site.name}-plain"
        self.hugo = bench / "sites" / f"{self.site.name}-hugo"
        self.trash = bench / TRASH

    def set_aside(self, path: Path) -> None:
        """Move ``path`` out of the way, removed when the bench ends: removing a large tree just
        before a timed build leaves the disk busy with it (ext4 with discard), which slowed the
        writes of the next minute by several times (measured with bench_floor.py)."""
        if path.exists():
            self.trash.mkdir(parents=True, exist_ok=True)
            path.rename(self.trash / f"{path.name}-{time.monotonic_ns()}")

    def build(self, site: Path, *, cache: bool = True) -> tuple[Measurement, dict, dict]:
        os.sync()  # what the set-up wrote goes to disk before the clock starts
        python = sys.executable if self.code == REPO else str(self.code / ".venv/bin/python")
        argv = [python, "-m", "generator", "build", "--site", str(site), "--timings"]
        if not cache:
            argv.append("--no-cache")
        measured = run_measured(argv, cwd=self.code,
                                env={**os.environ, "PAPERBOY_CACHE_DIR": str(self.cache)})
        return measured, _json_line(measured, "timings: "), _json_line(measured, "counts: ")

    def first(self) -> tuple[Measurement, dict, dict]:
        self.set_aside(self.site / "output")
        self.set_aside(self.cache)
        (self.site / "topics.lock.yaml").unlink(missing_ok=True)
        result = self.build(self.site)
        shutil.rmtree(self.saved, ignore_errors=True)
        shutil.copytree(self.cache, self.saved / "cache")
        shutil.copy(self.site / "topics.lock.yaml", self.saved / "topics.lock.yaml")
        return result

    def _restore(self, with_cache: bool) -> None:
        if not (self.saved / "topics.lock.yaml").exists():
            self.first()  # --scenarios without `first`: make the state the day restores
        self.set_aside(self.site / "output")
        self.set_aside(self.cache)
        if with_cache:
            shutil.copytree(self.saved / "cache", self.cache)
        shutil.copy(self.saved / "topics.lock.yaml", self.site / "topics.lock.yaml")

    def after_a_day(self, with_cache: bool) -> tuple[Measurement, dict, dict]:
        self._restore(with_cache)
        added = add_papers(self.site, self.new)
        try:
            return self.build(self.site, cache=with_cache)
        finally:
            remove_papers(added)

    def make_plain_and_hugo(self, with_hugo: bool) -> None:
        """Both from the N + 50 entries: the plain Paperboy site and Hugo's."""
        if not (self.plain / ".complete").exists():
            shutil.rmtree(self.plain, ignore_errors=True)
            shutil.copytree(self.site / "content", self.plain / "content")
            shutil.copytree(self.new, self.plain / "content", dirs_exist_ok=True)
            (self.plain / "content" / ".complete").unlink(missing_ok=True)
            settings = yaml.safe_load((self.site / "site.yaml").read_text())
            for section, values in PLAIN_SETTINGS.items():
                settings[section] = {**settings.get(section, {}), **values}
            (self.plain / "site.yaml").write_text(yaml.safe_dump(settings))
            (self.plain / ".complete").touch()
        if with_hugo:
            from generator.content import load_content

            write_hugo_site(load_content(self.plain).papers, self.hugo)

    def plain_build(self) -> tuple[Measurement, dict, dict]:
        self.set_aside(self.plain / "output")
        return self.build(self.plain, cache=False)


def _json_line(measured: Measurement, prefix: str) -> dict:
    line = next((x for x in measured.stdout.splitlines() if x.startswith(prefix)), None)
    return json.loads(line.removeprefix(prefix)) if line else {}


def bench_size(size: int, runs: int, with_hugo: bool, bench: Path, corpus: Path,
               scenarios: tuple[str, ...] = (*SCENARIOS, "hugo"),
               against: Path | None = None) -> list[Row]:
    """Rows of ``runs`` rounds of ``scenarios``; with ``against`` (another checkout, e.g.
    main's), each scenario also runs with its code right after ours (tool ``paperboy@B``)."""
    state = Bench(size, bench, corpus)
    other = Bench(size, bench, corpus, against, "B") if against else None
    state.make_plain_and_hugo(with_hugo and "hugo" in scenarios)
    hugo = hugo_command(ensure_hugo(), state.hugo) if with_hugo and "hugo" in scenarios else None
    steps: dict[str, Callable[[], tuple[Measurement, dict, dict]]] = {}
    for tool, bench_state in (("paperboy", state), ("paperboy@B", other)):
        if bench_state is None:
            continue
        every = {
            "first": bench_state.first,
            "daily": lambda b=bench_state: b.after_a_day(with_cache=True),
            "same-day-clean": lambda b=bench_state: b.after_a_day(with_cache=False),
            "plain": bench_state.plain_build,
        }
        steps.update({f"{tool}:{name}": step for name, step in every.items()
                      if name in scenarios})
    if hugo:
        def hugo_cold() -> tuple[Measurement, dict, dict]:
            state.set_aside(state.hugo / "public")  # as in CI: no earlier output
            os.sync()
            return run_measured(hugo), {}, {}

        steps["hugo:cold"] = hugo_cold
    names = list(steps)
    rows: list[Row] = []
    for run in range(runs):
        # Rotate who goes first; in the first run, `first` makes the state the day restores.
        order = names[run % len(names):] + names[:run % len(names)]
        if run == 0:
            firsts = [n for n in order if n.endswith(":first")]
            order = firsts + [n for n in order if n not in firsts]
        for step in order:
            measured, phases, counts = steps[step]()
            tool, name = step.split(":")
            entries = size if name == "first" else size + NEW_PAPERS
            rows.append(Row(entries, tool, name, run, measured, phases, counts=counts,
                            base=size))
            print(f"{size:>7} {tool:<10} {name:<15} run {run}: {measured.wall:7.2f} s wall "
                  f"{measured.cpu:7.2f} s cpu {measured.peak_pss / 2**20:7.0f} MiB PSS "
                  f"{json.dumps(phases)} {json.dumps(counts)}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / ".bench")
    parser.add_argument("--no-hugo", action="store_true", help="leave Hugo out")
    parser.add_argument("--scenarios", default=",".join((*SCENARIOS, "hugo")),
                        help="which builds to run, comma-separated (default: all)")
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout (with its .venv) to run each build with too, "
                             "alternately: an A/B of two versions in one session")
    parser.add_argument("--corpus", type=Path,
                        default=next((c for c in CORPUS_CANDIDATES if c.exists()), None))
    args = parser.parse_args()
    if args.corpus is None or not args.corpus.exists():
        sys.exit(f"the corpus is not at {CORPUS_CANDIDATES[0]}; pass --corpus FILE")
    args.out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    rows: list[Row] = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            rows += bench_size(size, args.runs, not args.no_hugo, args.out, args.corpus,
                               tuple(args.scenarios.split(",")), args.against)
            write_reports(rows, args.out, load_before, os.getloadavg())
    finally:
        shutil.rmtree(args.out / TRASH, ignore_errors=True)
    print(f"Wrote {args.out / 'results.md'} and {args.out / 'results.csv'}")
    print((args.out / "results.md").read_text())


if __name__ == "__main__":
    main()
