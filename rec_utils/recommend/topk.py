"""Top-K items per user in batches: one score matrix per batch, selection through group maxima, no per-user loop."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.lib.stride_tricks import as_strided

from rec_utils.runtime.progress import progress_bar

ScoreFn = Callable[[np.ndarray], np.ndarray]  # user indices (b,) -> dense scores (b, n_items)


class InvalidIdsError(ValueError, IndexError):
    """User ids (row indices) or an exclude matrix that do not fit the data: names the argument and the valid range."""


def check_user_ids(users: object, n_users: int, name: str = "users") -> np.ndarray:
    """`users` as a 1-D int64 array of row indices in [0, n_users); InvalidIdsError naming `name` otherwise
    (negative ids too: numpy would silently read them from the end)."""
    ids = np.asarray(users)
    if ids.ndim != 1:
        raise InvalidIdsError(f"{name} must be a 1-D array of user row indices, got shape {ids.shape}")
    if ids.size == 0:
        return ids.astype(np.int64)
    if ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer):
        raise InvalidIdsError(f"{name} must hold integer user row indices in [0, {n_users}), got dtype {ids.dtype}")
    bad = ids[(ids < 0) | (ids >= n_users)]
    if bad.size:
        raise InvalidIdsError(f"{name} must be user row indices in [0, {n_users}) (n_users = {n_users}); got "
                              f"{bad.size} outside, e.g. {bad[0]}")
    return ids.astype(np.int64, copy=False)


def _check_exclude(exclude: sp.spmatrix | None, n_users: int) -> sp.csr_matrix | None:
    """`exclude` as CSR with one row per user (rows indexed like users); InvalidIdsError naming it otherwise."""
    if exclude is None:
        return None
    exclude = sp.csr_matrix(exclude)
    if exclude.shape[0] != n_users:
        raise InvalidIdsError(f"exclude must have one row per user (n_users = {n_users} rows), "
                              f"got shape {exclude.shape}")
    return exclude


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


def _first_ties(scores: np.ndarray, rows: np.ndarray, threshold: np.ndarray, need: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """For each row in `rows`, the `need` lowest column indices whose score equals that row's threshold.

    Scans the rows in index order in blocks that double in width, so a row full of ties (all zeros) costs
    about `need` columns instead of the whole row. Returns (row indices, column indices) of the ties found.
    """
    n_items = scores.shape[1]
    found_rows, found_cols = [], []
    start, width = 0, max(64, 4 * int(need.max()))
    while rows.size and start < n_items:
        stop = min(n_items, start + width)
        r, c = np.nonzero(scores[rows, start:stop] == threshold[:, None])  # by row, then column
        rank = np.arange(r.size) - np.searchsorted(r, r)  # position of each tie within its row
        keep = rank < need[r]
        found_rows.append(rows[r[keep]])
        found_cols.append(c[keep] + start)
        need = need - np.minimum(np.bincount(r, minlength=rows.size), need)
        pending = need > 0
        rows, threshold, need = rows[pending], threshold[pending], need[pending]
        start, width = stop, 2 * width
    return np.concatenate(found_rows or [np.empty(0, np.int64)]), np.concatenate(found_cols or [np.empty(0, np.int64)])


def top_k_from_scores(scores: np.ndarray, k: int, group_size: int | None = None) -> np.ndarray:
    """Indices (b, k) of the k highest scores per row, best first; ties go to the lower index.

    Selection without sorting or partitioning whole rows: partition each row's items into groups of
    about `group_size` (group g = columns g, g + G, g + 2G, ...) and take t = the k-th largest group
    maximum. At least k groups reach t, so at least k scores are >= t and the top k all lie in the
    groups whose maximum reaches t (usually about k of them). Only those groups' scores are
    gathered and sorted, so each row is read once in full. The default group size, sqrt(n_items / k)
    (within 8-128), balances the two costs: n_items / size group maxima against k * size candidates.

    Heavy ties at t (all-zero rows, as item-kNN gives cold users; a few distinct score levels) would
    make nearly every group a candidate. Rows with many tied groups therefore take the scores above t
    from their (fewer than k) higher groups and the missing ones from the first scores equal to t in
    index order (`_first_ties`), which is the same answer as a stable sort at a cost of about k columns.

    NaN scores are refused (ValueError naming the first row that holds one): a NaN has no rank.
    """
    scores = np.ascontiguousarray(scores)
    n_rows, n_items = scores.shape
    if not 1 <= k <= n_items:
        raise ValueError(f"k must be between 1 and {n_items}, got {k}")
    if group_size is None:
        group_size = int(np.clip(np.sqrt(n_items / k), 8, 128))
    n_groups = max(k, n_items // group_size)
    maxima = _group_maxima(scores, n_groups)  # NaN propagates into its group's maximum
    if np.issubdtype(maxima.dtype, np.floating):
        nan_rows = np.flatnonzero(np.isnan(maxima).any(axis=1))
        if nan_rows.size:
            raise ValueError(f"NaN score in row {nan_rows[0]} ({nan_rows.size} rows hold NaN): NaN cannot be ranked; "
                             "fix the score function or replace NaN (e.g. with -inf to never recommend the item)")
    threshold = np.partition(maxima, n_groups - k, axis=1)[:, n_groups - k]
    n_tied_groups = (maxima == threshold[:, None]).sum(axis=1)
    scan = n_tied_groups.astype(np.int64) ** 2 > k * n_groups  # scanning for k ties is cheaper than gathering
    chosen_groups = np.where(scan[:, None], maxima > threshold[:, None], maxima >= threshold[:, None])
    group_rows, groups = np.nonzero(chosen_groups)
    members = groups[:, None] + n_groups * np.arange(-(-n_items // n_groups))  # (candidate groups, members)
    valid = members < n_items
    rows = np.broadcast_to(group_rows[:, None], members.shape)[valid]
    cols = members[valid]
    values = np.take(scores.reshape(-1), rows * n_items + cols)
    keep = np.where(scan[rows], values > threshold[rows], values >= threshold[rows])
    rows, cols, values = rows[keep], cols[keep], values[keep]
    if scan.any():
        need = np.maximum(k - np.bincount(rows, minlength=n_rows), 0)
        tie_rows = np.flatnonzero(scan & (need > 0))
        extra_rows, extra_cols = _first_ties(scores, tie_rows, threshold[tie_rows], need[tie_rows])
        rows, cols = np.concatenate([rows, extra_rows]), np.concatenate([cols, extra_cols])
        values = np.concatenate([values, threshold[extra_rows]])
    order = np.lexsort((cols, -values, rows))  # by row, then score descending, then index
    rows, cols = rows[order], cols[order]
    rank = np.arange(rows.size) - np.searchsorted(rows, np.arange(n_rows))[rows]
    keep = rank < k
    out = np.full((n_rows, k), -1, dtype=np.int64)
    out[rows[keep], rank[keep]] = cols[keep]
    return out


def top_k(score_fn: ScoreFn, n_users: int, k: int, *, exclude: sp.spmatrix | None = None,
          users: np.ndarray | None = None, batch_size: int = 2048, show_progress: bool | None = None,
          with_scores: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Top-k item indices for `users` (default all n_users), shape (len(users), k), best first.

    `score_fn(batch)` returns dense scores for a batch of user indices; items that are nonzero in
    `exclude` (e.g. already bought; rows indexed like users) are never recommended. An item scored -inf
    is never recommended either: a user with fewer than k recommendable items gets them first and -1
    in the remaining positions (callers must treat -1 as "no item"). With `with_scores`, also returns
    the recommended items' scores (len(users), k), -inf where padded. The array score_fn returns is never
    written to (excluding works on a copy). NaN scores raise ValueError (see top_k_from_scores). `users`
    outside [0, n_users) (negative ones included) and an `exclude` without one row per user and one column per
    item raise InvalidIdsError naming the argument and the valid range.
    """
    if isinstance(n_users, bool) or not isinstance(n_users, (int, np.integer)) or n_users < 0:
        raise InvalidIdsError(f"n_users must be a non-negative integer, got {n_users!r}")
    users = np.arange(n_users) if users is None else check_user_ids(users, n_users)
    exclude = _check_exclude(exclude, n_users)
    out = np.empty((len(users), k), dtype=np.int64)
    top_scores = np.empty((len(users), k)) if with_scores else None
    starts = range(0, len(users), batch_size)
    if show_progress is None and len(starts) < 20:
        show_progress = False  # a bar only where the work is long
    for start in progress_bar(starts, desc="top-k", unit="batch", enabled=show_progress):
        batch = users[start:start + batch_size]
        scores = np.asarray(score_fn(batch))
        if scores.ndim != 2 or scores.shape[0] != len(batch):
            raise ValueError(f"score_fn must return scores of shape ({len(batch)}, n_items) for a batch of "
                             f"{len(batch)} users, got shape {scores.shape}")
        if exclude is not None and exclude.shape[1] != scores.shape[1]:
            raise InvalidIdsError(f"exclude must have one column per item scored ({scores.shape[1]}), "
                                  f"got shape {exclude.shape}")
        if exclude is not None:
            banned = exclude[batch]
            banned.eliminate_zeros()  # "nonzero in exclude": a stored zero excludes nothing
            banned = banned.tocoo()
            scores = np.array(scores, dtype=scores.dtype if np.issubdtype(scores.dtype, np.floating) else np.float64)
            scores[banned.row, banned.col] = -np.inf
        chosen = top_k_from_scores(scores, k)
        chosen_scores = np.take_along_axis(scores, chosen, axis=1)
        chosen[chosen_scores == -np.inf] = -1
        out[start:start + len(batch)] = chosen
        if with_scores:
            top_scores[start:start + len(batch)] = chosen_scores
    return (out, top_scores) if with_scores else out
