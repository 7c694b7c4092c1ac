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

PHASES = ("load", "markup", "topics", "plan", "render", "email", "feeds", "filters", "ranking",
          "exports", "search", "write")
BUILDS = (("hugo", "cold", "Hugo, cold"),
          ("paperboy", "first", "Paperboy, first build (no lock, no cache)"),
          ("paperboy", "daily", "Paperboy, +50 next day, lock and cache kept"),
          ("paperboy", "same-day-clean", "Paperboy, +50 from a clean checkout (lock, no cache)"),
          ("paperboy", "plain", "Paperboy, topics, search and e-mail off (no cache)"))
MIB = 2**20


@dataclass(frozen=True)
class Row:
    size: int  # entries built
    tool: str
    scenario: str  # cold (a peer), first, daily, same-day-clean, plain
    run: int
    measured: Measurement
    phases: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # --timings' work counts
    base: int = 0  # the size of the site before the day's papers


def write_reports(rows: Sequence[Row], out: Path, load_before: tuple[float, ...],
                  load_after: tuple[float, ...]) -> None:
    _write_csv(rows, out / "results.csv")
    (out / "results.md").write_text(render_markdown(rows, load_before, load_after))


def _write_csv(rows: Sequence[Row], path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["base", "entries", "tool", "scenario", "run", "wall_s", "cpu_s",
                         "peak_pss_mib", "peak_rss_mib", "phases_json", "counts_json"])
        for r in rows:
            writer.writerow([r.base, r.size, r.tool, r.scenario, r.run,
                             f"{r.measured.wall:.3f}", f"{r.measured.cpu:.3f}",
                             f"{r.measured.peak_pss / MIB:.1f}",
                             f"{r.measured.peak_rss / MIB:.1f}",
                             json.dumps(r.phases, sort_keys=True),
                             json.dumps(r.counts, sort_keys=True)])


def _pick(rows: Sequence[Row], base: int, tool: str, scenario: str) -> list[Row]:
    return [r for r in rows if (r.base, r.tool, r.scenario) == (base, tool, scenario)]


def _median(rows: Sequence[Row], attr: str) -> float | None:
    values = [getattr(r.measured, attr) for r in rows]
    return statistics.median(values) if values else None


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def render_markdown(rows: Sequence[Row], load_before: tuple[float, ...],
                    load_after: tuple[float, ...]) -> str:
    lines = ["# Paperboy benchmark", "",
             f"Machine: {platform.machine()}, {_cores()} cores, Python "
             f"{platform.python_version()}; load average {load_before[0]:.1f} before, "
             f"{load_after[0]:.1f} after. Medians over runs (n in brackets), runs alternating "
             "between the builds; wall time includes interpreter start; CPU is user + system of "
             "the process tree; PSS is the peak of the tree's summed PSS (pages shared after a "
             "fork counted once).", ""]
    for base in sorted({r.base for r in rows}):
        lines += _size_table(rows, base)
    return "\n".join(lines) + "\n"


def _size_table(rows: Sequence[Row], base: int) -> list[str]:
    hugo = _median(_pick(rows, base, "hugo", "cold"), "wall")
    first = _median(_pick(rows, base, "paperboy", "first"), "wall")
    lines = [f"## {base:,} entries (+50 for the day's builds)", "",
             "| build | entries | wall s | CPU s | peak PSS MiB | wall / Hugo | wall / first "
             "| work counted |", "|---|---|---|---|---|---|---|---|"]
    for tool, scenario, title in BUILDS:
        picked = _pick(rows, base, tool, scenario)
        if not picked:
            continue
        wall = _median(picked, "wall")
        pss = _median(picked, "peak_pss")
        lines.append(
            f"| {title} | {picked[0].size:,} | {_fmt(wall)} ({len(picked)}) "
            f"| {_fmt(_median(picked, 'cpu'))} | {_fmt(pss and pss / MIB, 0)} "
            f"| {_ratio(wall, hugo)} | {_ratio(wall, first) if tool == 'paperboy' else '—'} "
            f"| {_counts(picked)} |")
    lines += ["", "Median seconds per phase (`--timings`):", "",
              "| build | " + " | ".join(PHASES) + " |", "|---" * (len(PHASES) + 1) + "|"]
    for tool, scenario, _title in BUILDS[1:]:
        picked = _pick(rows, base, tool, scenario)
        if picked:
            cells = [_phase_median(picked, phase) for phase in PHASES]
            lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    return [*lines, "", "(— : the phase is not part of this build.)", ""]


def _ratio(value: float | None, other: float | None) -> str:
    return f"{value / other:.2f}x" if value and other else "—"


def _counts(rows: Sequence[Row]) -> str:
    """The work counts of the last run (``--timings``), e.g. `pages rendered 11,277`."""
    counts = rows[-1].counts
    return ", ".join(f"{name} {counts[name]:,}" for name in sorted(counts)) or "—"


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


def _phase_median(rows: Sequence[Row], phase: str) -> str:
    values = [r.phases[phase] for r in rows if phase in r.phases]
    return f"{statistics.median(values):.2f}" if values else "—"
