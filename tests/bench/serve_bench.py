"""`make bench-serve`: time from saving one entry to the live-reload event of `paperboy serve`, at
1k and 10k papers, next to a full `paperboy build` of the same site; also the rebuild's own
work (as serve reports it) and when the search bundle, refreshed in the background, settles.

Sites are imported from the arXiv corpus (../shared/corpora/arxiv-cs-2025.jsonl.gz relative
to the repository, or $PAPERBOY_CORPUS). Not part of `make test`.
Usage: python tests/bench/serve_bench.py [--no-search] [SIZES...]   (default: 1000 10000)
--no-search turns search off in the benchmark sites (saves then never wait for Pagefind).
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[2]
CORPUS_NAME = "shared/corpora/arxiv-cs-2025.jsonl.gz"
SAVES = 3


def find_corpus() -> Path:
    if os.environ.get("PAPERBOY_CORPUS"):
        return Path(os.environ["PAPERBOY_CORPUS"])
    for parent in REPO.parents:  # ../shared from the repository, or from a worktree
        if (parent / CORPUS_NAME).is_file():
            return parent / CORPUS_NAME
    sys.exit(f"corpus not found: ../{CORPUS_NAME} (or set PAPERBOY_CORPUS)")


def paperboy(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["nice", sys.executable, "-m", "generator", *args], cwd=REPO,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"paperboy {' '.join(args)} failed:\n{result.stderr}")
    return result


def make_site(root: Path, size: int, corpus: Path, search: bool) -> Path:
    site = root / f"site-{size}"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    if not search:
        with (site / "site.yaml").open("a") as config:
            config.write("search:\n  enabled: false\n")
    paperboy("import", "jsonl", str(corpus), "--limit", str(size), "--site", str(site))
    return site


def timed_build(site: Path) -> float:
    started = time.perf_counter()
    paperboy("build", "--site", str(site))
    return time.perf_counter() - started


class Serve:
    """`paperboy serve` in a subprocess; its stdout lines and the reload events are timestamped."""

    def __init__(self, site: Path, search: bool) -> None:
        self.search = search
        started = time.perf_counter()
        self.process = subprocess.Popen(
            ["nice", sys.executable, "-m", "generator", "serve", "--site", str(site), "--port",
             "0"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue[tuple[str, float]] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        line = self.next_line("Serving")
        self.startup = time.perf_counter() - started
        self.port = int(re.search(r"127\.0\.0\.1:(\d+)", line)[1])
        self.events: queue.Queue[tuple[str, float]] = queue.Queue()
        connection = http.client.HTTPConnection("127.0.0.1", self.port)
        connection.request("GET", "/__paperboy/events")
        self.stream = connection.getresponse()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.events.get(timeout=60)[0] == "hello"
        if search:  # the first bundle: start from a settled server
            self.next_line("Search index updated")

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put((line.rstrip(), time.perf_counter()))

    def next_line(self, prefix: str) -> str:
        return self.next_timed_line(prefix)[0]

    def next_timed_line(self, prefix: str) -> tuple[str, float]:
        while True:
            line, arrived = self.lines.get(timeout=1800)
            if line.startswith(prefix):
                return line, arrived

    def _read(self) -> None:
        for raw in self.stream:
            line = raw.decode().strip()
            if line.startswith("event: "):
                self.events.put((line[7:], time.perf_counter()))

    def time_save(self, path: Path, old: str, new: str) -> Save:
        """Save one edit, then wait for the reload and for the search bundle to settle."""
        text = path.read_text()
        temporary = path.with_name(f".{path.name}.swp")
        temporary.write_text(text.replace(old, new, 1))
        saved = time.perf_counter()
        os.replace(temporary, path)  # save-via-rename, as editors do
        name, arrived = self.events.get(timeout=1800)
        assert name == "reload", name
        rebuilt = self.next_line("Rebuilt in ")
        work = float(re.search(r"Rebuilt in ([0-9.]+) s", rebuilt)[1])
        searched = self.next_timed_line("Search index updated")[1] if self.search else saved
        return Save(arrived - saved, work, searched - saved, rebuilt)

    def stop(self) -> float:
        """Seconds from Ctrl-C to exit (the temporary site is deleted on the way out)."""
        started = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=900)
        return time.perf_counter() - started


class Save(NamedTuple):
    reload: float  # save -> reload event, seconds
    work: float  # the rebuild's own time, as serve reports it
    search: float  # save -> search bundle swapped in
    line: str


def bench(size: int, corpus: Path, root: Path, search: bool) -> dict[str, float]:
    site = make_site(root, size, corpus, search)
    entry = sorted((site / "content").rglob("*.md"))[size // 2]
    build = timed_build(site)
    server = Serve(site, search)
    try:
        tags = [server.time_save(entry, "tags: [", f"tags: [bench-{n}, ") for n in range(SAVES)]
        titles = [server.time_save(entry, 'title: "', f'title: "Edit {n} ')
                  for n in range(SAVES)]
        for save in tags + titles:
            print(f"  {size}: reload {save.reload:.2f} s, search {save.search:.1f} s; "
                  f"{save.line}", flush=True)
    finally:
        stop = server.stop()
    median = statistics.median
    return {"build": build, "startup": server.startup,
            "tag": median(s.reload for s in tags), "tag_work": median(s.work for s in tags),
            "title": median(s.reload for s in titles),
            "title_work": median(s.work for s in titles),
            "search": median(s.search for s in tags + titles), "stop": stop}


def main(argv: list[str]) -> None:
    search = "--no-search" not in argv  # Pagefind alone takes minutes at 10k on a busy machine
    sizes = [int(a) for a in argv if a != "--no-search"] or [1000, 10000]
    corpus = find_corpus()
    print(f"load before: {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="paperboy-bench-") as temporary:
        for size in sizes:
            r = bench(size, corpus, Path(temporary), search)
            settle = f"{r['search']:.1f} s" if search else "off"
            rows.append(f"| {size:,} | {r['build']:.1f} s | {r['startup']:.1f} s "
                        f"| {r['tag']:.2f} s ({r['tag_work']:.2f} s) "
                        f"| {r['title']:.2f} s ({r['title_work']:.2f} s) "
                        f"| {settle} | {r['stop']:.1f} s |")
    print("| papers | full `paperboy build` | serve start (build + listen) | save -> reload, "
          "tag edit (rebuild work) | save -> reload, title edit (rebuild work) "
          "| save -> search settled | Ctrl-C to exit |\n|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"(medians of {SAVES} saves each; title edits use the cheap topic assignment; "
          f"load after: {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main(sys.argv[1:])
