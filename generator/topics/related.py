"""Related papers: each paper's most similar others by cosine on TF-IDF rows (L2-normalised, so
a dot product), best first, ties by slug. Every list keeps its scores, so papers added later
(a followed lock's new papers) join the lists of the papers they beat without scoring the whole
site again: an old paper's list changes only where a new paper ranks among it. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

RELATED_BLOCK = 512  # rows scored at a time
RELATED_BLOCKS_PER_WORKER = 16  # below this, forking costs more than it saves


@dataclass(frozen=True)
class Related:
    """Row i's best others as positions into the same rows (``index``, -1 pads a short list)
    and their ``score`` (-inf pads), best first."""

    index: np.ndarray  # (n, count) int32
    score: np.ndarray  # (n, count) float64

    def slugs(self, slugs: Sequence[str]) -> dict[str, tuple[str, ...]]:
        return {slug: tuple(slugs[j] for j in row if j >= 0)
                for slug, row in zip(slugs, self.index.tolist(), strict=True)}


def empty_related(n: int, count: int) -> Related:
    return Related(np.full((n, count), -1, dtype=np.int32), np.full((n, count), -np.inf))


def related_within(matrix: sparse.csr_matrix, groups: Sequence[np.ndarray], count: int,
                   jobs: int | None = None) -> Related:
    """Each row's best ``count`` others within its group (groups partition the rows; each
    lists row positions in ascending order, which is slug order). Blocks of rows go to up to
    ``jobs`` forked workers; each block's result does not depend on where it ran."""
    from generator.workers import map_forked

    n = matrix.shape[0]
    result = empty_related(n, count)
    if count == 0 or n < 2:
        return result
    parts = [(matrix[members], members) for members in groups]
    spans = [(group, start) for group, (rows, _) in enumerate(parts)
             for start in range(0, rows.shape[0], RELATED_BLOCK)]
    found = map_forked(lambda span: _block(*parts[span[0]], span[1], count), spans, jobs=jobs,
                       min_per_worker=RELATED_BLOCKS_PER_WORKER)
    for (group, start), (index, score) in zip(spans, found, strict=True):
        members = parts[group][1]
        rows = members[start:start + index.shape[0]]
        result.index[rows], result.score[rows] = index, score
    return result


def _block(rows: sparse.csr_matrix, members: np.ndarray, start: int,
           count: int) -> tuple[np.ndarray, np.ndarray]:
    """Best ``count`` for rows ``start`` .. ``start + RELATED_BLOCK - 1`` of a group, as row
    positions of the whole matrix, ties by position; each row's candidates come from the same
    argpartition as the row alone would get."""
    stop = min(start + RELATED_BLOCK, len(members))
    scores = np.asarray((rows[start:stop] @ rows.T).todense(), dtype=np.float64)
    here = np.arange(scores.shape[0])
    scores[here, start + here] = -np.inf
    return best_of(scores, members, count)


def best_of(scores: np.ndarray, columns: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``scores`` (a column per entry of ``columns``, which is ascending), the best
    ``count`` as (columns' values, scores), padded with -1 / -inf; ties by column."""
    index = np.full((scores.shape[0], count), -1, dtype=np.int32)
    best = np.full((scores.shape[0], count), -np.inf)
    take = min(count, scores.shape[1])
    if take <= 0:
        return index, best
    width = min(take * 4, scores.shape[1])
    candidates = np.argpartition(-scores, take - 1, axis=1)[:, :width]
    values = np.take_along_axis(scores, candidates, axis=1)
    order = np.lexsort((candidates, -values), axis=1)[:, :take]
    chosen = np.take_along_axis(candidates, order, axis=1)
    kept = np.take_along_axis(values, order, axis=1)
    index[:, :take] = np.where(kept > -np.inf, columns[chosen], -1)
    best[:, :take] = kept
    return index, best


def extend_related(base: Related, base_rows: sparse.csr_matrix, new_rows: sparse.csr_matrix,
                   base_groups: Sequence[np.ndarray], new_groups: Sequence[np.ndarray],
                   rank: np.ndarray) -> Related:
    """Lists for base + new rows (new rows follow the base's, positions nb ..), where the base
    rows' lists are ``base``: a new row gets its best among its group's base and new rows; a
    base row's list takes in the new rows of its group that beat its entries, and is otherwise
    kept. ``rank``: each position's place in slug order (ties go to the lower rank)."""
    nb, count = base.index.shape
    m = new_rows.shape[0]
    index = np.vstack([base.index, np.full((m, count), -1, dtype=np.int32)])
    score = np.vstack([base.score, np.full((m, count), -np.inf)])
    if count == 0 or m == 0:
        return Related(index, score)
    everything = sparse.vstack([base_rows, new_rows], format="csr")
    for old, new in zip(base_groups, new_groups, strict=True):
        if len(new) == 0:
            continue
        members = np.concatenate([old, nb + new])
        members = members[np.argsort(rank[members], kind="stable")]  # slug order
        scores = np.asarray((everything[nb + new] @ everything[members].T).todense(),
                            dtype=np.float64)
        scores[np.arange(len(new)), np.searchsorted(rank[members], rank[nb + new])] = -np.inf
        found, best = best_of(scores, np.arange(len(members)), count)
        index[nb + new] = np.where(found >= 0, members[np.maximum(found, 0)], -1)
        score[nb + new] = best
        _take_in_new(index, score, scores, members, nb + new, rank)
    return Related(index, score)


def _take_in_new(index: np.ndarray, score: np.ndarray, scores: np.ndarray, members: np.ndarray,
                 new: np.ndarray, rank: np.ndarray) -> None:
    """Merge the new rows into the lists of the group's base rows they rank among."""
    base_columns = np.flatnonzero(members < int(new.min()))  # new rows follow the base's
    if len(base_columns) == 0:
        return
    against = scores[:, base_columns]  # (new, base members of the group)
    rows = members[base_columns]
    last = score[rows, -1]
    last_rank = np.where(index[rows, -1] >= 0, rank[np.maximum(index[rows, -1], 0)], -1)
    best_new = against.max(axis=0)
    for column in np.flatnonzero(best_new >= last).tolist():
        row = int(rows[column])
        entries = [(float(s), int(rank[j]), int(j)) for j, s in zip(
            index[row].tolist(), score[row].tolist(), strict=True) if j >= 0]
        entries += [(float(s), int(rank[j]), int(j)) for j, s in zip(
            new.tolist(), against[:, column].tolist(), strict=True)
            if s > last[column] or (s == last[column] and (last_rank[column] < 0
                                                           or rank[j] < last_rank[column]))]
        entries.sort(key=lambda e: (-e[0], e[1]))
        entries = entries[:index.shape[1]]
        index[row] = [j for _, _, j in entries] + [-1] * (index.shape[1] - len(entries))
        score[row] = [s for s, _, _ in entries] + [-np.inf] * (index.shape[1] - len(entries))
