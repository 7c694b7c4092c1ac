"""Run one command and measure it: wall time, CPU time (user + system, children included), peak
RSS of the whole process tree (sampled from /proc, so a process pool counts in full) and peak PSS
of the tree (each page shared copy-on-write after a fork counted once, split between its users:
what the processes really hold together)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from generator.workers import child_processes

SAMPLE_SECONDS = 0.02
PSS_EVERY = 5  # samples: reading smaps_rollup walks page tables, so PSS is read less often


@dataclass(frozen=True)
class Measurement:
    wall: float  # seconds
    cpu: float  # seconds, user + system, the process and everything it waited for
    peak_rss: int  # bytes, largest sampled sum over the process tree
    stdout: str
    peak_pss: int = 0  # bytes, largest sampled sum of PSS over the process tree


def _tree(root: int) -> list[int]:
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += child_processes(pid)
    return found


def _tree_rss(root: int) -> int:
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in _tree(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def _tree_pss(root: int) -> int:
    total = 0
    for pid in _tree(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
                break
    return total


def run_measured(argv: list[str], cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> Measurement:
    """Run argv to completion; raises CalledProcessError (with its output) if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    peak, peak_pss = [0], [0]
    done = threading.Event()

    def sample() -> None:
        count = 0
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            if count % PSS_EVERY == 0:
                peak_pss[0] = max(peak_pss[0], _tree_pss(proc.pid))
            count += 1
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: list[str] = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    reader.join()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    output = "".join(out_chunks)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, argv, output)
    peak_rss = max(peak[0], usage.ru_maxrss * 1024)
    return Measurement(wall, usage.ru_utime + usage.ru_stime, peak_rss, output, peak_pss[0])
