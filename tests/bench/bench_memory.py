"""Where a build's memory peak is, and which process holds it: runs one `paperboy build` and
samples the PSS of every process of its tree (main, render workers, the search child, Pagefind)
twice a second. Prints the build's timings, the peak with each process's share, and a coarse
timeline of the tree's total and the main process's own PSS.

    python tests/bench/bench_memory.py SITE [build options, e.g. --no-cache]

The build runs from this checkout (its .venv's Python when there is one). PSS counts a page
shared after a fork once, split between its users, so the shares add up to what the tree holds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from generator.workers import child_processes  # noqa: E402

SAMPLE_SECONDS = 0.5
TIMELINE_POINTS = 40


@dataclass(frozen=True)
class Sample:
    seconds: float
    processes: tuple[tuple[str, int], ...]  # (command name, PSS MiB), the build's process first

    @property
    def total(self) -> int:
        return sum(mib for _, mib in self.processes)


def tree(root: int) -> list[int]:
    found, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        found.append(pid)
        todo += child_processes(pid)
    return found


def pss_mib(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) // 1024
    return 0


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def measure(argv: list[str]) -> tuple[str, list[Sample], float]:
    start = time.monotonic()
    build = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, text=True)
    samples = []
    while build.poll() is None:
        pids = tree(build.pid)
        samples.append(Sample(time.monotonic() - start,
                              tuple((command_name(p), pss_mib(p)) for p in pids)))
        time.sleep(SAMPLE_SECONDS)
    output = build.stdout.read() if build.stdout else ""
    return output, samples, time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    args, build_options = parser.parse_known_args()
    venv = REPO / ".venv" / "bin" / "python"
    python = str(venv) if venv.exists() else sys.executable
    argv = [python, "-m", "generator", "build", "--site", str(args.site), "--timings",
            *build_options]
    output, samples, wall = measure(argv)
    print("\n".join(output.strip().splitlines()[-3:]))
    if not samples:
        return
    peak = max(samples, key=lambda s: s.total)
    shares = ", ".join(f"{name} {mib}" for name, mib in peak.processes)
    print(f"wall {wall:.1f} s; peak PSS {peak.total} MiB at {peak.seconds:.0f} s ({shares})")
    step = max(1, len(samples) // TIMELINE_POINTS)
    print("s, tree MiB, main MiB: " + "; ".join(
        f"{s.seconds:.0f} {s.total} {s.processes[0][1]}" for s in samples[::step]))


if __name__ == "__main__":
    main()
