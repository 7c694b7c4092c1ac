"""The "For you" ranking: what its vectors cost per paper and how much ranking quality the
compact vectors keep against the same model trained on the full TF-IDF rows.

    python -m tests.bench.bench_ranking [--corpus PATH] [--profiles N] [--terms 8,16,32]

A profile is 10 papers of one arXiv category (the corpus' ``label``) starred in earlier months;
the model is trained as the browser trains it (themes/default/static/readers.js: weighted
logistic regression, full-batch gradient descent, the same settings) on the starred papers
against the papers of the newest months, and ranks the papers of the newest months. Precision@20 is
the share of the top 20 in the profile's category. ``ranking/`` is rendered as the build renders
it to measure its bytes per paper, raw and gzipped (what GitHub Pages sends).
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import sparse

from tests.bench.bench_topics import DEFAULT_CORPUS, load_records, to_papers

PROFILE_SIZE = 10
TOP = 20
RECENT_PAPERS = 1000  # readers.js: RECENT_PAPERS
TRAINING = {"iterations": 200, "rate": 0.5, "l2": 0.01}  # readers.js: TRAINING


def train(x: sparse.csr_matrix, y: np.ndarray, iterations: int, rate: float,
          l2: float) -> tuple[np.ndarray, float]:
    """readers.js ``train``: class-balanced logistic loss, full-batch gradient descent."""
    n = x.shape[0]
    positives = int(y.sum())
    sample_weight = np.where(y, n / (2 * positives), n / (2 * (n - positives)))
    w = np.zeros(x.shape[1])
    b = 0.0
    xt = x.T.tocsr()
    for _ in range(iterations):
        z = x @ w + b
        error = (1 / (1 + np.exp(-z)) - y) * sample_weight
        w -= rate * (xt @ error / n + l2 * w)
        b -= rate * error.sum() / n
    return w, b


def compact_matrix(matrix: sparse.csr_matrix, per_paper: int) -> sparse.csr_matrix:
    """The rows as the browser sees them: top terms, 8-bit weights, L2-normalised again."""
    from generator.topics.compact import WEIGHT_LEVELS, truncate

    rows, cols, vals = [], [], []
    for i, (columns, levels) in enumerate(truncate(matrix, per_paper)):
        weights = levels.astype(np.float64) / WEIGHT_LEVELS
        norm = np.sqrt((weights ** 2).sum()) or 1.0
        rows += [i] * len(columns)
        cols += columns.tolist()
        vals += (weights / norm).tolist()
    return sparse.csr_matrix((vals, (rows, cols)), shape=matrix.shape)


def precision_at(scores: np.ndarray, candidates: np.ndarray, relevant: np.ndarray) -> float:
    order = candidates[np.lexsort((candidates, -scores[candidates]))][:TOP]
    return float(relevant[order].mean())


def months_of(dates: list[str]) -> list[str]:
    return [d[:7] for d in dates]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--profiles", type=int, default=5, help="profiles per category")
    parser.add_argument("--categories", type=int, default=8, help="most common categories")
    parser.add_argument("--terms", default="8,16,32", help="terms per paper to compare")
    args = parser.parse_args()
    from generator.topics.compact import tfidf_rows

    records = load_records(args.corpus, "full", 0)
    label = {r["id"]: r["label"] for r in records}
    papers = to_papers(records)
    started = time.perf_counter()
    slugs, matrix, _ = tfidf_rows(papers)
    print(f"{len(slugs)} papers, {matrix.shape[1]} terms, TF-IDF in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    by_slug = {p.slug: p for p in papers}
    dates = [by_slug[s].date.isoformat() for s in slugs]
    labels = np.array([label[by_slug[s].arxiv] for s in slugs])
    month = np.array(months_of(dates))
    recent_months, count = [], 0
    for m, n in sorted(_counts(month).items(), reverse=True):
        if count >= RECENT_PAPERS:
            break
        recent_months.append(m)
        count += n
    recent = np.isin(month, recent_months)
    print(f"ranked pool: months {', '.join(recent_months)} ({int(recent.sum())} papers)")
    variants = {"full TF-IDF rows": matrix}
    for k in (int(t) for t in args.terms.split(",")):
        variants[f"top {k} terms, 8-bit"] = compact_matrix(matrix, k)
    common = [c for c, _ in sorted(_counts(labels[~recent]).items(),
                                   key=lambda kv: (-kv[1], kv[0]))][:args.categories]
    results: dict[str, list[float]] = defaultdict(list)
    base_rates = []
    for category in common:
        older = np.flatnonzero((labels == category) & ~recent)
        relevant = labels == category
        for seed in range(args.profiles):
            rng = random.Random(f"{category}-{seed}")
            starred = np.array(sorted(rng.sample(older.tolist(), PROFILE_SIZE)))
            train_rows = np.union1d(np.flatnonzero(recent), starred)
            y = np.isin(train_rows, starred).astype(np.float64)
            candidates = np.flatnonzero(recent)
            base_rates.append(float(relevant[candidates].mean()))
            for name, x in variants.items():
                w, b = train(x[train_rows], y, **TRAINING)
                scores = np.asarray(x @ w + b).ravel()
                results[name].append(precision_at(scores, candidates, relevant))
    print(f"precision@{TOP}, mean over {len(base_rates)} profiles of {PROFILE_SIZE} papers "
          f"({len(common)} categories x {args.profiles}):")
    print(f"  random order (share of the category in the pool): "
          f"{statistics.mean(base_rates):.3f}")
    for name, values in results.items():
        print(f"  {name}: {statistics.mean(values):.3f} (min {min(values):.2f})")
    shipped_bytes(papers)


def _counts(values) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for v in values:
        counts[str(v)] += 1
    return counts


def shipped_bytes(papers: list) -> None:
    """Bytes per paper of ranking/ as the build writes it (slug, number, title, date and the
    16 (term, weight) pairs, with each month's term list)."""
    from generator.config import SiteConfig
    from generator.models import TopicModel
    from generator.ranking import render_ranking_files
    from generator.site import plan_site

    model = plan_site(SiteConfig(), papers, TopicModel((), {}, {}))
    files = render_ranking_files(SiteConfig(), model)
    raw = sum(len(f.data) for f in files)
    packed = sum(len(gzip.compress(f.data, 6)) for f in files)
    month = max((f for f in files if f.path.name != "index.json"), key=lambda f: len(f.data))
    print(f"ranking/: {len(files)} files, {raw / len(papers):.0f} bytes per paper "
          f"({packed / len(papers):.0f} gzipped); largest month {month.path.name} "
          f"{len(month.data) / 1024:.0f} KiB ({len(gzip.compress(month.data, 6)) / 1024:.0f} "
          "KiB gzipped)")


if __name__ == "__main__":
    sys.exit(main())
