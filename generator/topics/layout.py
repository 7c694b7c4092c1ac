"""2-D positions for the topic map, from the LSA embedding.

Topic centres come from a PCA of the topic centroids (similar topics sit close); each paper sits
around its centre along the embedding's own two main axes, scaled so topics do not overlap much.
Pure and deterministic (PCA by full SVD, signs fixed). ``fit_layout`` also returns the frame it
drew in, so papers placed later (a followed lock's new papers) join the map with ``place_points``
without moving any paper already on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MARGIN = 0.04
MIN_SPACING = 0.06


@dataclass(frozen=True)
class LayoutFrame:
    """What places a paper on a fitted map: the embedding's mean and two main axes, and per
    topic its centre, its papers' mean offset and its scale; then the map's bounds."""

    mean: np.ndarray  # (dims,)
    axes: np.ndarray  # (2, dims), signs fixed
    centres: np.ndarray  # (k, 2)
    local_means: np.ndarray  # (k, 2)
    scales: np.ndarray  # (k,)
    low: np.ndarray  # (2,)
    span: np.ndarray  # (2,)


def _pca_axes(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, the two main axes with each axis' sign fixed so output is stable)."""
    mean = rows.mean(axis=0)
    centred = rows - mean
    if rows.shape[0] < 2 or not np.any(centred):
        return mean, np.zeros((2, rows.shape[1]))
    # main axes from the small (dims x dims) covariance: an SVD of the (n x dims) rows cost
    # seconds at 10k papers
    values, vectors = np.linalg.eigh(centred.T @ centred)
    axes = vectors[:, np.argsort(-values, kind="stable")[:2]].T
    if axes.shape[0] < 2:
        axes = np.vstack([axes, np.zeros_like(axes)])
    signs = np.sign(axes[np.arange(2), np.argmax(np.abs(axes), axis=1)])
    return mean, axes * signs[:, None]


def _pca_2d(rows: np.ndarray) -> np.ndarray:
    """Rows projected on their two main axes."""
    mean, axes = _pca_axes(rows)
    return (rows - mean) @ axes.T


def layout_points(embedding: np.ndarray, assignment: np.ndarray) -> np.ndarray:
    """(n, 2) array in [0, 1] x [0, 1]."""
    return fit_layout(embedding, assignment)[0]


def fit_layout(embedding: np.ndarray, assignment: np.ndarray) -> tuple[np.ndarray, LayoutFrame]:
    """(n, 2) array in [0, 1] x [0, 1], and the frame to place more papers in."""
    k = int(assignment.max()) + 1
    centroids = np.vstack([embedding[assignment == c].mean(axis=0) for c in range(k)])
    centres = _unit_square(_pca_2d(centroids))[0] if k > 1 else np.full((1, 2), 0.5)
    mean, axes = _pca_axes(embedding)
    offsets = (embedding - mean) @ axes.T
    spacing = _nearest_distance(centres)
    points = np.empty((embedding.shape[0], 2))
    local_means = np.zeros((k, 2))
    scales = np.zeros(k)
    for cluster in range(k):
        members = assignment == cluster
        local_means[cluster] = offsets[members].mean(axis=0)
        local = offsets[members] - local_means[cluster]
        spread = np.percentile(np.linalg.norm(local, axis=1), 90) if members.sum() > 1 else 0.0
        scales[cluster] = 0.45 * spacing[cluster] / spread if spread > 0 else 0.0
        points[members] = centres[cluster] + local * scales[cluster]
    square, low, span = _unit_square(points)
    return square, LayoutFrame(mean, axes, centres, local_means, scales, low, span)


def place_points(frame: LayoutFrame, embedding: np.ndarray, assignment: np.ndarray) -> np.ndarray:
    """Where papers not in the fit go on its map: beside their topic's papers, by the same
    axes and scale; clipped to the map's [0, 1] square."""
    offsets = (embedding - frame.mean) @ frame.axes.T
    points = (frame.centres[assignment]
              + (offsets - frame.local_means[assignment]) * frame.scales[assignment][:, None])
    return np.clip(MARGIN + (1 - 2 * MARGIN) * (points - frame.low) / frame.span, 0.0, 1.0)


def _nearest_distance(centres: np.ndarray) -> np.ndarray:
    if len(centres) < 2:
        return np.full(len(centres), 0.4)
    gaps = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
    np.fill_diagonal(gaps, np.inf)
    # a floor: two topics whose centres (nearly) coincide would otherwise shrink to a point
    return np.clip(gaps.min(axis=1), MIN_SPACING, 0.25)


def _unit_square(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points scaled into the square within MARGIN, and the (low, span) that did it."""
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    return MARGIN + (1 - 2 * MARGIN) * (points - low) / span, low, span
