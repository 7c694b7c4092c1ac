"""`make bench-serve`: time from saving one entry to the live-reload event of `paperboy serve`, at
1k and 10k papers, next to a full `paperboy build` of the same site.

Sites are imported from the arXiv corpus (../shared/corpora/arxiv-cs-2025.jsonl.gz relative
to the repository, or $PAPERBOY_CORPUS). Not part of `make test`.
Usage: python tests/bench/serve_bench.py [SIZES...]   (default: 1000 10000)
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
    result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=REPO,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"paperboy {' '.join(args)} failed:\n{result.stderr}")
    return result


def make_site(root: Path, size: int, corpus: Path) -> Path:
    site = root / f"site-{size}"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    paperboy("import", "jsonl", str(corpus), "--limit", str(size), "--site", str(site))
    return site


def timed_build(site: Path) -> float:
    started = time.perf_counter()
    paperboy("build", "--site", str(site))
    return time.perf_counter() - started


class Serve:
    def __init__(self, site: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", "0"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        started = time.perf_counter()
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("Serving"):
                break
        self.startup = time.perf_counter() - started
        self.port = int(re.search(r"127\.0\.0\.1:(\d+)", line)[1])
        self.events: queue.Queue[tuple[str, float]] = queue.Queue()
        connection = http.client.HTTPConnection("127.0.0.1", self.port)
        connection.request("GET", "/__paperboy/events")
        self.stream = connection.getresponse()
        threading.Thread(target=self._read, daemon=True).start()
        assert self.events.get(timeout=60)[0] == "hello"

    def _read(self) -> None:
        for raw in self.stream:
            line = raw.decode().strip()
            if line.startswith("event: "):
                self.events.put((line[7:], time.perf_counter()))

    def time_save(self, path: Path, old: str, new: str) -> float:
        text = path.read_text()
        temporary = path.with_name(f".{path.name}.swp")
        temporary.write_text(text.replace(old, new, 1))
        saved = time.perf_counter()
        os.replace(temporary, path)  # save-via-rename, as editors do
        name, arrived = self.events.get(timeout=600)
        assert name == "reload", name
        return arrived - saved

    def stop(self) -> float:
        """Seconds from Ctrl-C to exit (the temporary site is deleted on the way out)."""
        started = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=900)
        return time.perf_counter() - started


def bench(size: int, corpus: Path, root: Path) -> dict[str, float]:
    site = make_site(root, size, corpus)
    entry = sorted((site / "content").rglob("*.md"))[size // 2]
    build = timed_build(site)
    server = Serve(site)
    try:
        tags = [server.time_save(entry, "tags: [", f"tags: [bench-{n}, ") for n in range(SAVES)]
        titles = [server.time_save(entry, 'title: "', f'title: "Edit {n} ')
                  for n in range(SAVES)]
        print(f"  {size} papers: tag edits {tags}, title edits {titles}", flush=True)
    finally:
        stop = server.stop()
    return {"build": build, "startup": server.startup, "tag": statistics.median(tags),
            "title": statistics.median(titles), "stop": stop}


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [1000, 10000]
    corpus = find_corpus()
    print("| papers | full `paperboy build` | serve start (build + listen) | save -> reload, "
          "tag edit | save -> reload, title edit | Ctrl-C to exit |\n|---|---|---|---|---|---|",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="paperboy-bench-") as temporary:
        for size in sizes:
            r = bench(size, corpus, Path(temporary))
            print(f"| {size} | {r['build']:.1f} s | {r['startup']:.1f} s | {r['tag']:.2f} s "
                  f"| {r['title']:.2f} s | {r['stop']:.1f} s |", flush=True)
    print(f"(medians of {SAVES} saves; title edits use the cheap topic assignment)")


if __name__ == "__main__":
    main(sys.argv[1:])
