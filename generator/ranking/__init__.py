"""The files behind the reader's "For you" page: each paper's compact TF-IDF vector
(generator/topics/compact.py), split by month, which the browser trains a small linear model
on (themes/default/static/readers.js)."""

from generator.ranking.vectors import RANKING_DIR, render_ranking_files

__all__ = ["RANKING_DIR", "render_ranking_files"]
