"""Topic labels side by side: ours against the class-based TF-IDF top terms BERTopic uses as
its labels, on the same topics, each with its coverage (share of the topic's papers whose title
or abstract contains a label term) and exclusivity (share of papers containing one that are in
the topic), measured by the same function (generator/topics/report.label_quality).

    python -m tests.bench.bench_labels [--site DIR] [--corpus arxiv|20ng] [--size N] [--seed S]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
TOP_TERMS = 2  # BERTopic names a topic by its first terms; we compare two with our two


def bertopic_terms(texts: list[str], assignment: list[int], k: int) -> list[list[str]]:
    """BERTopic's c-TF-IDF: counts per class, L1-normalised, times log(1 + A / f_t), with A
    the mean number of words per class and f_t the term's count over all classes; words of
    CountVectorizer(stop_words="english"), as BERTopic's documentation recommends."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(stop_words="english")
    counts = vectorizer.fit_transform(texts)
    indicator = sparse.csr_matrix((np.ones(len(assignment)), (assignment,
                                                              np.arange(len(assignment)))),
                                  shape=(k, len(assignment)))
    per_class = np.asarray((indicator @ counts).todense(), dtype=np.float64)
    tf = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + per_class.sum(axis=1).mean() / np.maximum(per_class.sum(axis=0), 1))
    words = vectorizer.get_feature_names_out()
    return [[str(words[i]) for i in np.argsort(-row, kind="stable")[:TOP_TERMS]]
            for row in tf * idf]


def compare(papers: list, title: str) -> None:
    from generator.topics import cluster_topics
    from generator.topics.report import label_quality

    model = cluster_topics(papers, related_count=0)
    by_slug = {p.slug: p for p in papers}
    index = {t.slug: i for i, t in enumerate(model.topics)}
    texts = [f"{p.title} {p.abstract}" for p in papers]
    assignment = [index[model.topic_of[p.slug]] for p in papers]
    theirs = bertopic_terms(texts, assignment, len(model.topics))
    ours = label_quality(papers, model)
    renamed = dataclasses.replace(model, topics=tuple(
        dataclasses.replace(t, generated_label=", ".join(theirs[i]), label=", ".join(theirs[i]))
        for i, t in enumerate(model.topics)))
    baseline = label_quality(papers, renamed)
    print(f"\n### {title}: {len(papers):,} papers, {len(model.topics)} topics\n")
    print("| papers | our label | coverage / exclusivity | c-TF-IDF (BERTopic) top terms | "
          "coverage / exclusivity |\n|---|---|---|---|---|")
    for i, topic in enumerate(model.topics):
        size = sum(1 for s in topic.papers if s in by_slug)
        print(f"| {size} | {topic.generated_label} | {ours[topic.slug][0]:.0%} / "
              f"{ours[topic.slug][1]:.0%} | {', '.join(theirs[i])} | "
              f"{baseline[topic.slug][0]:.0%} / {baseline[topic.slug][1]:.0%} |")
    mean = np.mean([ours[t.slug] for t in model.topics], axis=0)
    theirs_mean = np.mean([baseline[t.slug] for t in model.topics], axis=0)
    print(f"| mean | | {mean[0]:.0%} / {mean[1]:.0%} | | {theirs_mean[0]:.0%} / "
          f"{theirs_mean[1]:.0%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site", type=Path, default=None, help="a site folder (its content/)")
    parser.add_argument("--corpus", default="", help="arxiv or 20ng (from ../shared/corpora)")
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.site:
        from generator.config import load_config
        from generator.content import load_content

        config = load_config(args.site)
        papers = list(load_content(args.site, config.content_dir).papers)
        compare(papers, f"site {args.site.name}")
    if args.corpus:
        from tests.bench.bench_topics import DEFAULT_CORPORA, read_corpus, to_papers

        records = read_corpus(DEFAULT_CORPORA[args.corpus])
        records = random.Random(args.seed).sample(records, min(args.size, len(records)))
        compare(to_papers(records), f"{args.corpus}, seed {args.seed}")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
