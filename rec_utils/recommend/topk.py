"""Top-K items per user in batches: one score matrix per batch, selection through group maxima, no per-user loop."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.lib.stride_tricks import as_strided

from rec_utils.runtime.progress import progress_bar

ScoreFn = Callable[[np.ndarray], np.ndarray]  # user indices (b,) -> dense scores (b, n_items)


def _group_maxima(scores: np.ndarray, n_groups: int) -> np.ndarray:
    """(b, n_groups): maxima of a partition of each row's columns into n_groups groups.

    Group g holds columns g, g + n_groups, g + 2 n_groups, ...: a strided view (no copy) of the
    first n_groups * m columns is reduced over its middle axis, then the leftover columns are folded in.
    """
    scores = np.ascontiguousarray(scores)
    n_rows, n_items = scores.shape
    per_group = n_items // n_groups
    row_stride, col_stride = scores.strides
    view = as_strided(scores, shape=(n_rows, per_group, n_groups),
                      strides=(row_stride, n_groups * col_stride, col_stride),
                      writeable=False)
    maxima = view.max(axis=1)
    leftover = n_items - per_group * n_groups
    if leftover:
        np.maximum(maxima[:, :leftover], scores[:, per_group * n_groups:], out=maxima[:, :leftover])
    return maxima


def top_k_from_scores(scores: np.ndarray, k: int, group_size: int | None = None) -> np.ndarray:
    """Indices (b, k) of the k highest scores per row, best first; ties go to the lower index.

    Selection without sorting or partitioning whole rows: partition each row's items into groups of
    about `group_size` (group g = columns g, g + G, g + 2G, ...) and take t = the k-th largest group
    maximum. At least k groups reach t, so at least k scores are >= t and the top k all lie in the
    groups whose maximum reaches t (usually about k of them). Only those groups' scores are
    gathered and sorted, so each row is read once in full. The default group size, sqrt(n_items / k)
    (within 8-128), balances the two costs: n_items / size group maxima against k * size candidates.
    """
    scores = np.ascontiguousarray(scores)
    n_rows, n_items = scores.shape
    if not 1 <= k <= n_items:
        raise ValueError(f"k must be between 1 and {n_items}, got {k}")
    if group_size is None:
        group_size = int(np.clip(np.sqrt(n_items / k), 8, 128))
    n_groups = max(k, n_items // group_size)
    maxima = _group_maxima(scores, n_groups)
    threshold = np.partition(maxima, n_groups - k, axis=1)[:, n_groups - k]
    group_rows, groups = np.nonzero(maxima >= threshold[:, None])
    members = groups[:, None] + n_groups * np.arange(-(-n_items // n_groups))  # (candidate groups, members)
    valid = members < n_items
    rows = np.broadcast_to(group_rows[:, None], members.shape)[valid]
    cols = members[valid]
    values = np.take(scores.reshape(-1), rows * n_items + cols)
    above = values >= threshold[rows]
    rows, cols, values = rows[above], cols[above], values[above]
    order = np.lexsort((cols, -values, rows))  # by row, then score descending, then index
    rows, cols = rows[order], cols[order]
    rank = np.arange(rows.size) - np.searchsorted(rows, np.arange(n_rows))[rows]
    keep = rank < k
    out = np.empty((n_rows, k), dtype=np.int64)
    out[rows[keep], rank[keep]] = cols[keep]
    return out


def top_k(score_fn: ScoreFn, n_users: int, k: int, *, exclude: sp.spmatrix | None = None,
          users: np.ndarray | None = None, batch_size: int = 2048, show_progress: bool | None = None,
          with_scores: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Top-k item indices for `users` (default all n_users), shape (len(users), k).

    `score_fn(batch)` returns dense scores for a batch of user indices; items that are
    nonzero in `exclude` (e.g. already bought; rows indexed like users) are never recommended.
    With `with_scores`, also returns the recommended items' scores (len(users), k).
    """
    users = np.arange(n_users) if users is None else np.asarray(users)
    exclude = None if exclude is None else sp.csr_matrix(exclude)
    out = np.empty((len(users), k), dtype=np.int64)
    top_scores = np.empty((len(users), k)) if with_scores else None
    starts = range(0, len(users), batch_size)
    if show_progress is None and len(starts) < 20:
        show_progress = False  # a bar only where the work is long
    for start in progress_bar(starts, desc="top-k", unit="batch", enabled=show_progress):
        batch = users[start:start + batch_size]
        scores = np.asarray(score_fn(batch))
        if not scores.flags.writeable or not np.issubdtype(scores.dtype, np.floating):
            scores = scores.astype(np.float64)  # broadcast views are read-only; -inf needs a float
        if exclude is not None:
            banned = exclude[batch].tocoo()
            scores[banned.row, banned.col] = -np.inf
        chosen = top_k_from_scores(scores, k)
        out[start:start + len(batch)] = chosen
        if with_scores:
            top_scores[start:start + len(batch)] = np.take_along_axis(scores, chosen, axis=1)
    return (out, top_scores) if with_scores else out
