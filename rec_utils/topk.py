"""Top-K items per user in batches: one score matrix per batch, argpartition, no per-user loop."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from rec_utils.progress import progress_bar

ScoreFn = Callable[[np.ndarray], np.ndarray]  # user indices (b,) -> dense scores (b, n_items)


def top_k_from_scores(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices (b, k) of the k highest scores per row, best first (-inf never beats a finite score)."""
    if not 1 <= k <= scores.shape[1]:
        raise ValueError(f"k must be between 1 and {scores.shape[1]}, got {k}")
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def top_k(score_fn: ScoreFn, n_users: int, k: int, *, exclude: sp.spmatrix | None = None,
          users: np.ndarray | None = None, batch_size: int = 2048, show_progress: bool | None = None) -> np.ndarray:
    """Top-k item indices for `users` (default all n_users), shape (len(users), k).

    `score_fn(batch)` returns dense scores for a batch of user indices; items that are
    nonzero in `exclude` (e.g. already bought; rows indexed like users) are never recommended.
    """
    users = np.arange(n_users) if users is None else np.asarray(users)
    exclude = None if exclude is None else sp.csr_matrix(exclude)
    out = np.empty((len(users), k), dtype=np.int64)
    starts = range(0, len(users), batch_size)
    if show_progress is None and len(starts) < 20:
        show_progress = False  # a bar only where the work is long
    for start in progress_bar(starts, desc="top-k", unit="batch", enabled=show_progress):
        batch = users[start:start + batch_size]
        scores = np.array(score_fn(batch), dtype=np.float64, copy=True)
        if exclude is not None:
            banned = exclude[batch].tocoo()
            scores[banned.row, banned.col] = -np.inf
        out[start:start + len(batch)] = top_k_from_scores(scores, k)
    return out


def factor_scores(user_factors: np.ndarray, item_factors: np.ndarray) -> ScoreFn:
    """Score function U[batch] @ Vᵀ for factor models (U: users x f, V: items x f)."""
    return lambda batch: user_factors[batch] @ item_factors.T
