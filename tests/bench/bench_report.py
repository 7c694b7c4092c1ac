"""Benchmark rows to .bench/results.csv (every run) and .bench/results.md (medians, ratios)."""

from __future__ import annotations

import csv
import json
import platform
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.bench_measure import Measurement

PHASES = ("load", "markup", "topics", "plan", "render", "feeds", "search", "email", "write")
MIB = 2**20


@dataclass(frozen=True)
class Row:
    size: int
    tool: str
    scenario: str  # cold, warm, one-change
    run: int
    measured: Measurement
    phases: dict[str, float] = field(default_factory=dict)
    correct: bool | None = None  # one-change: the edited paper's page shows the edit


def write_reports(rows: Sequence[Row], out: Path, load_before: tuple[float, ...],
                  load_after: tuple[float, ...]) -> None:
    _write_csv(rows, out / "results.csv")
    (out / "results.md").write_text(render_markdown(rows, load_before, load_after))


def _write_csv(rows: Sequence[Row], path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["size", "tool", "scenario", "run", "wall_s", "cpu_s", "peak_rss_mib",
                         "correct", "phases_json"])
        for r in rows:
            writer.writerow([r.size, r.tool, r.scenario, r.run, f"{r.measured.wall:.3f}",
                             f"{r.measured.cpu:.3f}", f"{r.measured.peak_rss / MIB:.1f}",
                             "" if r.correct is None else r.correct,
                             json.dumps(r.phases, sort_keys=True)])


def _median(rows: Sequence[Row], attr: str) -> float | None:
    values = [getattr(r.measured, attr) for r in rows]
    return statistics.median(values) if values else None


def _pick(rows: Sequence[Row], size: int, tool: str, scenario: str) -> list[Row]:
    return [r for r in rows if (r.size, r.tool, r.scenario) == (size, tool, scenario)]


def _fmt(value: float | None, unit: str = "s", digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f} {unit}"


def render_markdown(rows: Sequence[Row], load_before: tuple[float, ...],
                    load_after: tuple[float, ...]) -> str:
    sizes = sorted({r.size for r in rows})
    lines = ["# Paperboy benchmark", "",
             f"Machine: {platform.machine()}, {_cores()} cores, Python "
             f"{platform.python_version()}; load average {load_before[0]:.1f} before, "
             f"{load_after[0]:.1f} after. Medians over runs (n in brackets); wall time includes "
             "interpreter start; CPU is user + system of the process tree; peak RSS is the "
             "sampled sum over the process tree.", "",
             "## Paperboy, per size", "",
             "| entries | cold wall | cold CPU | peak RSS | wall per 10k | RSS per 10k "
             "| warm rebuild | one entry changed | edit shown |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size in sizes:
        lines.append(_size_line(rows, size))
    lines += ["", "## Paperboy cold build, median seconds per phase", "",
              "| entries | " + " | ".join(PHASES) + " |", "|---" * (len(PHASES) + 1) + "|"]
    for size in sizes:
        cold = _pick(rows, size, "paperboy", "cold")
        cells = [_phase_median(cold, phase) for phase in PHASES]
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    lines += ["", "(— : the phase is not part of this build.)", "",
              "## Against the peers (cold builds, medians, runs alternating)", "",
              "| entries | Paperboy | Hugo | Pelican | Paperboy / Hugo | Paperboy / Pelican |",
              "|---|---|---|---|---|---|"]
    for size in sizes:
        lines.append(_peer_line(rows, size))
    return "\n".join(lines) + "\n"


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _size_line(rows: Sequence[Row], size: int) -> str:
    cold = _pick(rows, size, "paperboy", "cold")
    warm = _pick(rows, size, "paperboy", "warm")
    change = _pick(rows, size, "paperboy", "one-change")
    wall, rss = _median(cold, "wall"), _median(cold, "peak_rss")
    per = size / 10_000
    shown = ", ".join(str(r.correct) for r in change) or "—"
    return (f"| {size:,} | {_fmt(wall)} ({len(cold)}) | {_fmt(_median(cold, 'cpu'))} "
            f"| {_fmt(rss and rss / MIB, 'MiB', 0)} | {_fmt(wall and wall / per)} "
            f"| {_fmt(rss and rss / MIB / per, 'MiB', 0)} | {_fmt(_median(warm, 'wall'))} "
            f"({len(warm)}) | {_fmt(_median(change, 'wall'))} ({len(change)}) | {shown} |")


def _phase_median(rows: Sequence[Row], phase: str) -> str:
    values = [r.phases[phase] for r in rows if phase in r.phases]
    return f"{statistics.median(values):.2f}" if values else "—"


def _peer_line(rows: Sequence[Row], size: int) -> str:
    ours = _median(_pick(rows, size, "paperboy", "cold"), "wall")
    hugo = _median(_pick(rows, size, "hugo", "cold"), "wall")
    pelican = _median(_pick(rows, size, "pelican", "cold"), "wall")

    def ratio(other: float | None) -> str:
        return f"{ours / other:.2f}x" if ours and other else "—"
    counts = [len(_pick(rows, size, t, "cold")) for t in ("paperboy", "hugo", "pelican")]
    return (f"| {size:,} | {_fmt(ours)} ({counts[0]}) | {_fmt(hugo)} ({counts[1]}) "
            f"| {_fmt(pelican)} ({counts[2]}) | {ratio(hugo)} | {ratio(pelican)} |")
