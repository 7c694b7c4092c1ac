"""Topic-quality benchmark on two labelled corpora from different fields (arXiv listings and 20
Newsgroups), scored against each record's ``label``. For every corpus, size and seed it prints:

- ours: ``cluster_topics`` as a site build runs it (the k it chose in brackets);
- (a) scikit-learn's "Clustering text documents using k-means" example, told the true k;
- (b) the textbook pipeline TF-IDF -> LSA(100) -> KMeans(n_init=5) at OUR k;
- (c) the same pipeline told the true k;

with V-measure, adjusted Rand index, wall time and peak RSS of each. Every run happens in a fresh
subprocess that reads only its own sample, so its time and memory are its own. Then the targets
(ours >= (b) everywhere, ours >= (a) from 500 documents up) are checked row by row.
Run through ``make bench-topics``; the corpora are read from ../shared/corpora/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_CORPORA = {"arxiv": CORPORA / "arxiv-cs-2025.jsonl.gz",
                   "20ng": CORPORA / "20newsgroups.jsonl.gz"}
SIZES = ("60", "500", "2000", "5000", "full")
SEEDS = (0, 1, 2)
METHODS = ("ours", "a", "b", "c")
FIXED_DATE = "2025-01-01"  # 20 Newsgroups posts have no date; entries need one
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def read_corpus(path: Path) -> list[dict]:
    """Records as a site would hold them: sorted by id, unique titles (first kept), no control
    characters, a date on every record."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    records.sort(key=lambda r: r["id"])
    seen: set[str] = set()
    result = []
    for record in records:
        title = " ".join(_CONTROL.sub(" ", record.get("title") or "").split()) or record["id"]
        if title in seen:
            continue
        seen.add(title)
        result.append(dict(record, title=title,
                           abstract=_CONTROL.sub(" ", record.get("abstract") or ""),
                           date=record.get("date") or FIXED_DATE))
    return result


def load_records(path: Path, size: str, seed: int, repeat: int = 1) -> list[dict]:
    """The whole corpus, or a random subset of ``size`` records drawn with ``seed``."""
    records = read_corpus(path)
    if size != "full" and int(size) < len(records):
        records = random.Random(seed).sample(records, int(size))
    if repeat > 1:
        records = [dict(r, id=f"{r['id']}r{i}") for i in range(repeat) for r in records]
    return records


def scaled_records(path: Path, papers: int) -> list[dict]:
    """``papers`` records: the corpus repeated with new IDs, cut to size."""
    count = len(read_corpus(path))
    return load_records(path, "full", 0, -(-papers // count))[:papers]


def to_papers(records: list[dict]) -> list:
    from generator.models import Paper, SourceRef
    from generator.slugs import slugify

    return [Paper(slug=slugify(r["id"]) or r["id"], title=r["title"], abstract=r["abstract"],
                  date=dt.date.fromisoformat(r["date"]), source=SourceRef(f"{r['id']}.md"),
                  arxiv=r["id"]) for r in records]


def run_ours(records: list[dict], seed: int, k: int) -> tuple[list, int]:
    from generator.topics import cluster_topics

    papers = to_papers(records)
    model = cluster_topics(papers, seed=seed, related_count=0)
    return [model.topic_of[p.slug] for p in papers], len(model.topics)


def run_example(records: list[dict], seed: int, k: int) -> tuple[list, int]:
    """(a) scikit-learn's "Clustering text documents using k-means" example, as written there:
    TF-IDF (max_df=0.5, min_df=5, English stop-words) and KMeans(n_init=5) at ``k``."""
    from sklearn.cluster import KMeans

    matrix = _example_tfidf(records)
    k = min(k, matrix.shape[0])
    return KMeans(n_clusters=k, n_init=5, random_state=seed).fit_predict(matrix).tolist(), k


def run_lsa(records: list[dict], seed: int, k: int) -> tuple[list, int]:
    """(b)/(c) the example's LSA variant: the same TF-IDF, TruncatedSVD(100), rows normalised,
    KMeans(n_init=5) at ``k``."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import Normalizer

    matrix = _example_tfidf(records)
    dims = max(1, min(100, matrix.shape[1] - 1, matrix.shape[0] - 1))
    reduced = Normalizer(copy=False).fit_transform(
        TruncatedSVD(n_components=dims, random_state=seed).fit_transform(matrix))
    k = min(k, matrix.shape[0])
    return KMeans(n_clusters=k, n_init=5, random_state=seed).fit_predict(reduced).tolist(), k


def _example_tfidf(records: list[dict]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{r['title']}. {r['abstract']}" for r in records]
    # min_df=5 leaves no term in a few very small samples; fall back to 1 there
    for min_df in (5, 1):
        try:
            return TfidfVectorizer(max_df=0.5, min_df=min_df,
                                   stop_words="english").fit_transform(texts)
        except ValueError:
            continue
    raise ValueError("no terms")


RUNNERS = {"ours": run_ours, "a": run_example, "b": run_lsa, "c": run_lsa}


def measure_one(sample: Path, method: str, seed: int, k: int) -> dict:
    from sklearn import metrics

    with gzip.open(sample, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    start, cpu = time.perf_counter(), time.process_time()
    predicted, k = RUNNERS[method](records, seed, k)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    truth = [r["label"] for r in records]
    return {
        "method": method, "size": len(records), "seed": seed, "k": k, "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "v_measure": metrics.v_measure_score(truth, predicted),
        "ari": metrics.adjusted_rand_score(truth, predicted),
    }


def in_subprocess(sample: Path, method: str, seed: int, k: int) -> dict:
    command = [sys.executable, __file__, "--one", str(sample), method, str(seed), str(k)]
    environment = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                       MKL_NUM_THREADS="1")
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPO,
                          env=environment)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(corpus: str, records: list[dict], seed: int, methods: tuple[str, ...],
            folder: Path, b_draws: int = 0) -> dict:
    """Every method on one sample; (b) uses the k ours chose, (a) and (c) the true k.
    ``b_draws``: also (b)'s V-measure with that many SVD and k-means seeds (0, 1, ...), to
    tell a miss against a lucky draw of (b) from a real one."""
    sample = folder / f"{corpus}-{len(records)}-{seed}.jsonl.gz"
    with gzip.GzipFile(sample, "wb", mtime=0) as out:
        out.write("".join(json.dumps(r) + "\n" for r in records).encode("utf-8"))
    true_k = len({r["label"] for r in records})
    runs = {}
    if "ours" in methods or "b" in methods:
        runs["ours"] = in_subprocess(sample, "ours", seed, 0)
    for method in methods:
        if method != "ours":
            k = runs["ours"]["k"] if method == "b" else true_k
            runs[method] = in_subprocess(sample, method, seed, k)
    if b_draws and "ours" in runs:
        runs["b_draws"] = [in_subprocess(sample, "b", draw, runs["ours"]["k"])["v_measure"]
                           for draw in range(b_draws)]
    sample.unlink()
    return {"corpus": corpus, "size": len(records), "seed": seed, "true_k": true_k, **runs}


HEADER = ("| corpus | docs | seed | true k | ours V / ARI (k) | (a) example, true k | "
          "(b) LSA, our k | (c) LSA, true k | wall s ours / a / b / c | peak MB ours / a | "
          "targets |")


def row(result: dict) -> str:
    def cell(method: str, with_k: bool = False) -> str:
        run = result.get(method)
        if run is None:
            return "-"
        text = f"{run['v_measure']:.3f} / {run['ari']:.3f}"
        return f"{text} ({run['k']})" if with_k else text

    walls = " / ".join(f"{result[m]['seconds']:.1f}" if m in result else "-" for m in METHODS)
    memory = " / ".join(f"{result[m]['peak_rss_mb']:.0f}" if m in result else "-"
                        for m in ("ours", "a"))
    return (f"| {result['corpus']} | {result['size']:,} | {result['seed']} | {result['true_k']} "
            f"| {cell('ours', True)} | {cell('a')} | {cell('b')} | {cell('c')} | {walls} | "
            f"{memory} | {', '.join(targets(result)) or '-'} |")


def draws_row(result: dict) -> str:
    """Ours against (b)'s draws on one sample: is a miss (b)'s luck or a real gap?"""
    ours, draws = result["ours"]["v_measure"], result["b_draws"]
    bench = f"{result['b']['v_measure']:.3f}" if "b" in result else "-"
    beaten = sum(ours >= v - 5e-4 for v in draws)
    return (f"| {result['corpus']} | {result['size']:,} | {result['seed']} | {result['ours']['k']} "
            f"| {ours:.3f} | {bench} | {sum(draws) / len(draws):.3f} [{min(draws):.3f}, "
            f"{max(draws):.3f}] | {beaten} of {len(draws)} |")


def targets(result: dict) -> list[str]:
    """'>=b ok' / '>=b MISSED', and from 500 documents up '>=a ok' / '>=a MISSED'."""
    if "ours" not in result:
        return []
    ours = result["ours"]["v_measure"]
    verdicts = []
    if "b" in result:
        verdicts.append(">=b " + ("ok" if ours >= result["b"]["v_measure"] - 5e-4 else "MISSED"))
    if "a" in result and result["size"] >= 500:
        verdicts.append(">=a " + ("ok" if ours >= result["a"]["v_measure"] - 5e-4 else "MISSED"))
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpora", default=",".join(DEFAULT_CORPORA),
                        help="names (arxiv, 20ng) or name=PATH pairs, comma-separated")
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--scale", type=int, default=0,
                        help="also time ours on N papers (the arXiv corpus repeated, new IDs)")
    parser.add_argument("--stability", action="store_true",
                        help="also run the 5%% lock stability test on every corpus")
    parser.add_argument("--stability-sizes", default="500,5000,full")
    parser.add_argument("--csv", type=Path, default=None, help="also append rows as JSON lines")
    parser.add_argument("--b-draws", type=int, default=0, metavar="N",
                        help="also run (b) at our k with N seeds and count the draws ours beats")
    parser.add_argument("--one", nargs=4, metavar=("SAMPLE", "METHOD", "SEED", "K"))
    args = parser.parse_args()
    if args.one:
        sample, method, seed, k = args.one
        print(json.dumps(measure_one(Path(sample), method, int(seed), int(k))))
        return
    corpora = {}
    for item in args.corpora.split(","):
        name, _, path = item.partition("=")
        corpora[name] = Path(path) if path else DEFAULT_CORPORA[name]
        if not corpora[name].exists():
            sys.exit(f"corpus not found: {corpora[name]}")
    methods = tuple(args.methods.split(","))
    print(HEADER)
    print("|---" * 11 + "|")
    drawn = []
    with tempfile.TemporaryDirectory() as folder:
        for name, path in corpora.items():
            everything = read_corpus(path)
            for size in args.sizes.split(","):
                for seed in map(int, args.seeds.split(",")):
                    records = everything
                    if size != "full" and int(size) < len(everything):
                        records = random.Random(seed).sample(everything, int(size))
                    elif size == "full" and seed != 0:
                        continue  # the whole corpus is the same sample for every seed
                    result = compare(name, records, seed, methods, Path(folder),
                                     args.b_draws)
                    print(row(result), flush=True)
                    if "b_draws" in result:
                        drawn.append(draws_row(result))
                    if args.csv:
                        with args.csv.open("a", encoding="utf-8") as out:
                            out.write(json.dumps(result) + "\n")
            del everything
    if drawn:
        print(f"\n(b) at our k with {args.b_draws} SVD and k-means seeds:\n\n| corpus | docs | "
              "seed | k | ours V | (b) bench | (b) draws: mean [min, max] | ours >= draws |")
        print("|---" * 8 + "|")
        print("\n".join(drawn), flush=True)
    if args.scale:
        print(_scale_row(corpora.get("arxiv", DEFAULT_CORPORA["arxiv"]), args.scale), flush=True)
    if args.stability:
        from tests.bench.bench_stability import report_stability

        for name, path in corpora.items():
            report_stability(path, name, tuple(args.stability_sizes.split(",")))


def _scale_row(path: Path, papers: int) -> str:
    with tempfile.TemporaryDirectory() as folder:
        sample = Path(folder) / "scaled.jsonl.gz"
        with gzip.GzipFile(sample, "wb", mtime=0) as out:
            out.write("".join(json.dumps(r) + "\n"
                              for r in scaled_records(path, papers)).encode("utf-8"))
        run = in_subprocess(sample, "ours", 0, 0)
    return (f"\n{papers:,} papers (the arXiv corpus repeated with new IDs), ours, seed 0: "
            f"V {run['v_measure']:.3f}, ARI {run['ari']:.3f}, k {run['k']}, "
            f"{run['seconds']:.0f} s wall, {run['cpu_seconds']:.1f} s CPU, "
            f"peak RSS {run['peak_rss_mb']:,.0f} MB")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
