"""Run one command and measure it: wall time, CPU time (user + system, children included) and
peak RSS of the whole process tree (sampled from /proc, so a process pool counts in full)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.02


@dataclass(frozen=True)
class Measurement:
    wall: float  # seconds
    cpu: float  # seconds, user + system, the process and everything it waited for
    peak_rss: int  # bytes, largest sampled sum over the process tree
    stdout: str


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _tree_rss(root: int) -> int:
    total, todo = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(pid)
    return total


def run_measured(argv: list[str], cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> Measurement:
    """Run argv to completion; raises CalledProcessError (with its output) if it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
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
    return Measurement(wall, usage.ru_utime + usage.ru_stime, peak_rss, output)
