"""2-D positions for the topic map, from the LSA embedding.

Topic centres come from a PCA of the topic centroids (similar topics sit close); each paper sits
around its centre along the embedding's own two main axes, scaled so topics do not overlap much.
Pure and deterministic (PCA by full SVD, signs fixed).
"""

from __future__ import annotations

import numpy as np

MARGIN = 0.04
MIN_SPACING = 0.06


def _pca_2d(rows: np.ndarray) -> np.ndarray:
    """Rows projected on their two main axes, each axis' sign fixed so output is stable."""
    centred = rows - rows.mean(axis=0)
    if rows.shape[0] < 2 or not np.any(centred):
        return np.zeros((rows.shape[0], 2))
    # main axes from the small (dims x dims) covariance: an SVD of the (n x dims) rows cost
    # seconds at 10k papers
    values, vectors = np.linalg.eigh(centred.T @ centred)
    axes = vectors[:, np.argsort(-values, kind="stable")[:2]].T
    if axes.shape[0] < 2:
        axes = np.vstack([axes, np.zeros_like(axes)])
    signs = np.sign(axes[np.arange(2), np.argmax(np.abs(axes), axis=1)])
    return centred @ (axes * signs[:, None]).T


def layout_points(embedding: np.ndarray, assignment: np.ndarray) -> np.ndarray:
    """(n, 2) array in [0, 1] x [0, 1]."""
    k = int(assignment.max()) + 1
    centroids = np.vstack([embedding[assignment == c].mean(axis=0) for c in range(k)])
    centres = _unit_square(_pca_2d(centroids)) if k > 1 else np.full((1, 2), 0.5)
    offsets = _pca_2d(embedding)
    spacing = _nearest_distance(centres)
    points = np.empty((embedding.shape[0], 2))
    for cluster in range(k):
        members = assignment == cluster
        local = offsets[members] - offsets[members].mean(axis=0)
        spread = np.percentile(np.linalg.norm(local, axis=1), 90) if members.sum() > 1 else 0.0
        scale = 0.45 * spacing[cluster] / spread if spread > 0 else 0.0
        points[members] = centres[cluster] + local * scale
    return _unit_square(points)


def _nearest_distance(centres: np.ndarray) -> np.ndarray:
    if len(centres) < 2:
        return np.full(len(centres), 0.4)
    gaps = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
    np.fill_diagonal(gaps, np.inf)
    # a floor: two topics whose centres (nearly) coincide would otherwise shrink to a point
    return np.clip(gaps.min(axis=1), MIN_SPACING, 0.25)


def _unit_square(points: np.ndarray) -> np.ndarray:
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    return MARGIN + (1 - 2 * MARGIN) * (points - low) / span
