"""Topic-quality benchmark: our pipeline (automatic k) against scikit-learn's text-clustering
example (TF-IDF + KMeans told the true k), scored against the corpus' ``label`` field.

Every measured run happens in a fresh subprocess so that its wall time and peak RSS are its own.
Run through ``make bench-topics``; the corpus is read from ../shared/corpora/ by default.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "arxiv-cs-2025.jsonl.gz"
SIZES = ("50", "500", "5000", "full")
SEEDS = (0, 1, 2)


def load_records(path: Path, size: str, seed: int, repeat: int = 1) -> list[dict]:
    """The whole corpus, or a random subset of ``size`` records drawn with ``seed``."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    records.sort(key=lambda r: r["id"])
    if size != "full":
        records = random.Random(seed).sample(records, int(size))
    if repeat > 1:
        records = [dict(r, id=f"{r['id']}r{i}") for i in range(repeat) for r in records]
    return records


def scaled_records(path: Path, papers: int) -> list[dict]:
    """``papers`` records: the corpus repeated with new IDs, cut to size."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        count = sum(1 for line in handle if line.strip())
    return load_records(path, "full", 0, -(-papers // count))[:papers]


def to_papers(records: list[dict]) -> list:
    from generator.models import Paper, SourceRef
    from generator.slugs import slugify

    return [Paper(slug=slugify(r["id"]) or r["id"], title=r["title"], abstract=r["abstract"],
                  date=dt.date.fromisoformat(r["date"]), source=SourceRef(f"{r['id']}.md"),
                  arxiv=r["id"]) for r in records]


def run_ours(records: list[dict], seed: int) -> tuple[list[str], int]:
    from generator.topics import cluster_topics

    papers = to_papers(records)
    model = cluster_topics(papers, seed=seed, related_count=0)
    return [model.topic_of[p.slug] for p in papers], len(model.topics)


def run_baseline(records: list[dict], seed: int) -> tuple[list[int], int]:
    """scikit-learn's "Clustering text documents using k-means" example, as written there."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    k = len({r["label"] for r in records})
    texts = [f"{r['title']}. {r['abstract']}" for r in records]
    matrix = TfidfVectorizer(max_df=0.5, min_df=5, stop_words="english").fit_transform(texts)
    labels = KMeans(n_clusters=k, n_init=5, random_state=seed).fit_predict(matrix)
    return labels.tolist(), k


def measure_one(corpus: Path, method: str, size: str, seed: int, repeat: int) -> dict:
    from sklearn import metrics

    records = (scaled_records(corpus, int(size)) if repeat > 1
               else load_records(corpus, size, seed))
    start, cpu = time.perf_counter(), time.process_time()
    predicted, k = (run_ours if method == "ours" else run_baseline)(records, seed)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    truth = [r["label"] for r in records]
    return {
        "method": method, "size": len(records), "seed": seed, "k": k, "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "v_measure": metrics.v_measure_score(truth, predicted),
        "ari": metrics.adjusted_rand_score(truth, predicted),
        "nmi": metrics.normalized_mutual_info_score(truth, predicted),
    }


def in_subprocess(corpus: Path, method: str, size: str, seed: int, repeat: int = 1) -> dict:
    command = [sys.executable, __file__, "--one", method, size, str(seed), str(repeat),
               "--corpus", str(corpus)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(run: dict) -> str:
    return (f"{run['method']:<9}{run['size']:>7}{run['seed']:>5}  {run['v_measure']:.3f}  "
            f"{run['ari']:.3f}  {run['nmi']:.3f}  {run['k']:>4}  {run['seconds']:8.1f}  "
            f"{run['cpu_seconds']:8.1f}  {run['peak_rss_mb']:8.0f}")


HEADER = ("method      size seed  V-meas  ARI    NMI     k  wall (s)   CPU (s)  peak RSS (MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--methods", default="baseline,ours")
    parser.add_argument("--scale", type=int, default=0,
                        help="also time ours on N papers (the corpus repeated with new IDs)")
    parser.add_argument("--stability", action="store_true", help="also run the 5%% stability test")
    parser.add_argument("--one", nargs=4, metavar=("METHOD", "SIZE", "SEED", "REPEAT"))
    args = parser.parse_args()
    if args.one:
        method, size, seed, repeat = args.one
        print(json.dumps(measure_one(args.corpus, method, size, int(seed), int(repeat))))
        return
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus} (pass --corpus PATH)")
    print(HEADER)
    for size in args.sizes.split(","):
        for seed in args.seeds.split(","):
            for method in args.methods.split(","):
                print(row(in_subprocess(args.corpus, method, size, int(seed))), flush=True)
    if args.scale:
        print(row(in_subprocess(args.corpus, "ours", str(args.scale), 0, 2)), flush=True)
    if args.stability:
        from tests.bench.bench_stability import report_stability

        report_stability(args.corpus)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
