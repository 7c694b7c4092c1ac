"""Measure what the search index costs a build: Pagefind over every paper page (as before search
records), over the search records from an empty cache (a first build), and over the records
of a site that gained its newest NEW papers since the cache was filled (a daily build).

    python -m tests.bench.bench_search_index SITE_DIR [--new 50] [--runs 3]

SITE_DIR holds site.yaml and a built output/ (its build cache supplies the topics). The three
variants run alternately, RUNS times; each line gives wall seconds and CPU seconds (this
process and its Pagefind children), then the medians.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from generator.cache import DiskCache, open_build_cache
from generator.config import load_config
from generator.markup import start_markup
from generator.pipeline import fit_topics, load_entries, load_theme
from generator.search import index_records, index_site, render_records
from generator.site import plan_site

T = TypeVar("T")


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[..., T], *args: object) -> tuple[T, float, float]:
    """(result, wall seconds, CPU seconds) of ``work(*args)``, after the files written before
    are on disk (else their write-back stalls the writes measured)."""
    os.sync()
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = work(*args)
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def main(site: Path, new: int, runs: int) -> None:
    config = load_config(site)
    cache, _ = open_build_cache(site)
    papers = load_entries(site, config).papers
    start_markup(papers, cache, 1).finish()  # as in a build: records read warmed abstracts
    model = plan_site(config, papers, fit_topics(papers, config, site, cache), lazy=True)
    theme = load_theme(site, config, model.urls)
    pairs = [(p, model.cards[p.slug]) for p in model.papers]
    records, render_wall, render_cpu = timed(render_records, theme.env, pairs)
    print(f"{len(records)} records rendered in {render_wall:.2f} s ({render_cpu:.2f} s CPU)")
    output = site / config.output_dir
    rows: dict[str, list[tuple[float, float]]] = {"pages": [], "records, first": [],
                                                   "records, daily": []}
    with tempfile.TemporaryDirectory(prefix="bench-search-") as scratch:
        work = Path(scratch)
        secret = b"b" * 32
        out = work / "bundle"
        for run in range(runs):
            _, *pages = timed(index_site, output, config.language, out)
            rows["pages"].append((pages[0], pages[1]))
            shutil.rmtree(out)
            first = DiskCache(work / f"cache-first-{run}", secret)
            _, *cold = timed(index_records, work, records, config.language, first, out)
            rows["records, first"].append((cold[0], cold[1]))
            shutil.rmtree(out)
            daily = DiskCache(work / f"cache-daily-{run}", secret)
            index_records(work, records[:-new], config.language, daily, out)  # yesterday
            shutil.rmtree(out)
            stats, *warm = timed(index_records, work, records, config.language, daily, out)
            rows["records, daily"].append((warm[0], warm[1]))
            shutil.rmtree(out)
            print(f"run {run + 1}: " + ", ".join(
                f"{name} {rows[name][-1][0]:.2f} s wall {rows[name][-1][1]:.2f} s CPU"
                for name in rows) + f" (daily re-indexed {stats.reindexed} records, "
                f"reused {stats.reused} of {stats.shards} shards)")
    for name, values in rows.items():
        print(f"median {name}: {statistics.median(v[0] for v in values):.2f} s wall, "
              f"{statistics.median(v[1] for v in values):.2f} s CPU")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--new", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    main(arguments.site, arguments.new, arguments.runs)
