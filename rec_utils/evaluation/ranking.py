"""Ranking metrics at k, vectorised over users.

Inputs everywhere:
    recommended  int array (n_users, K): item indices in [0, n_items), best first (K >= k); -1 = no item
                 (the padding rec_utils.recommend.topk.top_k gives users with fewer than K recommendable
                 items). An item listed twice for one user is refused (it would count twice).
    relevant     scipy.sparse matrix (n_users, n_items): a stored nonzero = relevant held-out item; stored
                 zeros are not relevant and duplicate entries count once. It is never modified.

Per-user functions return float arrays of length n_users, with NaN for users that have no
relevant item (the metric is undefined for them); `ranking_report` averages over the
users that have at least one. Recall divides by the user's number of relevant items;
NDCG and MAP normalise by the best possible ranking, min(n_relevant, k) hits on top (so AP@k is 1
for a perfect list even when a user has more than k relevant items; libraries that divide AP by
n_relevant give lower values). Novelty uses the share of *users* who bought an item, not its share
of interactions.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rec_utils.data.interactions import Interactions
from rec_utils.recommend.topk import ScoreFn, top_k


def _relevance(relevant: sp.spmatrix) -> sp.csr_matrix:
    """Canonical 0/1 copy of `relevant`: duplicates summed once, stored zeros dropped (the input is untouched)."""
    canonical = sp.csr_matrix(relevant, dtype=np.float64, copy=True)
    canonical.sum_duplicates()
    canonical.eliminate_zeros()
    canonical.data[:] = 1.0
    return canonical


def _check_k(k: object, list_length: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= list_length:
        raise ValueError(f"k must be between 1 and {list_length}, got {k!r}")


def _check_items(recommended: np.ndarray, n_items: int) -> None:
    """ValueError unless every id is in [0, n_items) or -1, and no user lists an item twice."""
    if not np.issubdtype(recommended.dtype, np.integer):
        raise ValueError(f"recommended must hold integer item ids, got dtype {recommended.dtype}")
    bad = (recommended < -1) | (recommended >= n_items)
    if bad.any():
        user, position = np.argwhere(bad)[0]
        raise ValueError(f"item ids must be in [0, {n_items}) (or -1 for no item); user {user} has "
                         f"{recommended[user, position]} at position {position}")
    ordered = np.sort(recommended, axis=1)
    repeated = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
    if repeated.any():
        user = np.flatnonzero(repeated.any(axis=1))[0]
        item = ordered[user, 1:][repeated[user]][0]
        raise ValueError(f"the list of user {user} holds item {item} more than once (it would count twice); "
                         "deduplicate the lists")


def _check(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> tuple[np.ndarray, sp.csr_matrix]:
    """(the first k columns of recommended, canonical relevance), after checking shapes, k and item ids."""
    recommended = np.asarray(recommended)
    if recommended.ndim != 2:
        raise ValueError(f"recommended must be 2-D (users, K), got shape {recommended.shape}")
    _check_k(k, recommended.shape[1])
    relevant = _relevance(relevant)
    if relevant.shape[0] != recommended.shape[0]:
        raise ValueError(f"{recommended.shape[0]} users recommended but relevant has {relevant.shape[0]} rows")
    _check_items(recommended[:, :k], relevant.shape[1])
    return recommended[:, :k], relevant


def hits_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """Boolean (n_users, k): whether each recommended item is relevant for its user (-1 never is)."""
    recommended, relevant = _check(recommended, relevant, k)
    return _hits(recommended, relevant)


def _hits(recommended: np.ndarray, relevant: sp.csr_matrix) -> np.ndarray:
    """hits_at_k on checked input (canonical relevance)."""
    n_items = relevant.shape[1]
    rel_rows = np.repeat(np.arange(relevant.shape[0], dtype=np.int64), np.diff(relevant.indptr))
    rel_keys = rel_rows * n_items + relevant.indices.astype(np.int64)  # sorted: rows, then sorted indices
    rel_keys.sort()
    rec_keys = np.arange(recommended.shape[0], dtype=np.int64)[:, None] * n_items + recommended.astype(np.int64)
    if rel_keys.size == 0:
        return np.zeros(recommended.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(rel_keys, rec_keys), rel_keys.size - 1)
    return (rel_keys[pos] == rec_keys) & (recommended >= 0)


def _n_relevant(relevant: sp.csr_matrix) -> np.ndarray:
    """Relevant items per user of a canonical relevance matrix."""
    return np.diff(relevant.indptr).astype(float)


# Each metric from hits (n_users, k) and the number of relevant items per user (n_users,).
def _precision(hits: np.ndarray, n_rel: np.ndarray) -> np.ndarray:
    return hits.sum(axis=1) / hits.shape[1]


def _recall(hits: np.ndarray, n_rel: np.ndarray) -> np.ndarray:
    return hits.sum(axis=1) / n_rel


def _hit_rate(hits: np.ndarray, n_rel: np.ndarray) -> np.ndarray:
    return hits.any(axis=1).astype(float)


def _ndcg(hits: np.ndarray, n_rel: np.ndarray) -> np.ndarray:
    k = hits.shape[1]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.concatenate([[0.0], np.cumsum(discounts)])[np.minimum(n_rel, k).astype(int)]
    return (hits @ discounts) / ideal


def _average_precision(hits: np.ndarray, n_rel: np.ndarray) -> np.ndarray:
    k = hits.shape[1]
    precision_at_each = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    return (precision_at_each * hits).sum(axis=1) / np.minimum(n_rel, k)


def _per_user(metric, hits: np.ndarray, n_rel: np.ndarray) -> np.ndarray:
    """A metric per user, NaN where the user has no relevant item."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n_rel > 0, metric(hits, n_rel), np.nan)


def _metric(metric, recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    recommended, relevant = _check(recommended, relevant, k)
    return _per_user(metric, _hits(recommended, relevant), _n_relevant(relevant))


def precision_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """Share of the top k that is relevant."""
    return _metric(_precision, recommended, relevant, k)


def recall_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """Share of the user's relevant items found in the top k."""
    return _metric(_recall, recommended, relevant, k)


def hit_rate_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """1 when at least one of the top k is relevant, else 0."""
    return _metric(_hit_rate, recommended, relevant, k)


def ndcg_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """DCG of the top k (binary gains, discount 1/log2(rank+1)) over the ideal DCG."""
    return _metric(_ndcg, recommended, relevant, k)


def average_precision_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """AP@k: sum of precision@i at each hit position i, divided by min(n_relevant, k) (not by n_relevant)."""
    return _metric(_average_precision, recommended, relevant, k)


_FROM_HITS = {"precision": _precision, "recall": _recall, "ndcg": _ndcg, "map": _average_precision,
              "hit_rate": _hit_rate}
RANKING_METRICS = tuple(_FROM_HITS)


def ranking_report(recommended: np.ndarray, relevant: sp.spmatrix, ks: int | tuple[int, ...],
                   metrics: tuple[str, ...] = ("precision", "recall", "ndcg", "hit_rate")) -> dict[str, float]:
    """Mean of each metric at each k over users with at least one relevant item: {'ndcg@10': ...}.

    The hits are found once for the largest k; every metric and k is computed from them. Every k is checked.
    """
    ks = (ks,) if isinstance(ks, (int, np.integer)) else tuple(ks)
    if not ks:
        raise ValueError("ks must hold at least one k")
    unknown = [m for m in metrics if m not in _FROM_HITS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {RANKING_METRICS}")
    for k in ks:
        _check_k(k, np.shape(recommended)[1])
    checked, relevant = _check(recommended, relevant, max(ks))
    hits, n_rel = _hits(checked, relevant), _n_relevant(relevant)
    return {f"{name}@{k}": float(np.nanmean(_per_user(_FROM_HITS[name], hits[:, :k], n_rel)))
            for k in ks for name in metrics}


def catalogue_coverage(recommended: np.ndarray, n_items: int) -> float:
    """Share of the catalogue that appears in at least one user's list (-1 padding aside)."""
    recommended = np.asarray(recommended)
    _check_items(recommended, n_items)
    return float(np.unique(recommended[recommended >= 0]).size / n_items)


def novelty(recommended: np.ndarray, item_buyers: np.ndarray, n_users: int) -> float:
    """Mean self-information -log2(p_i) of recommended items (-1 padding aside), p_i = share of the
    n_users who bought item i (share of users, not of interactions; an item nobody bought counts as
    bought by one). Higher = less obvious recommendations. n_users must be a positive integer (ValueError)."""
    if isinstance(n_users, bool) or not isinstance(n_users, (int, np.integer)) or n_users < 1:
        raise ValueError(f"n_users must be a positive integer (the users the shares are taken of), got {n_users!r}")
    recommended = np.asarray(recommended)
    share = np.maximum(np.asarray(item_buyers, dtype=float), 1.0) / n_users
    _check_items(recommended, share.size)
    return float(np.mean(-np.log2(share[recommended[recommended >= 0]])))


def intra_list_diversity(recommended: np.ndarray, item_similarity: np.ndarray) -> float:
    """Mean over users of the mean pairwise dissimilarity (1 - similarity) inside each list.

    item_similarity: dense (n_items, n_items) with values in [0, 1] (e.g. description cosine).
    -1 padding is left out; users with fewer than 2 items in their list are not averaged.
    """
    recommended = np.asarray(recommended)
    if recommended.shape[1] < 2:
        raise ValueError("intra-list diversity needs lists of at least 2 items")
    _check_items(recommended, item_similarity.shape[0])
    valid = recommended >= 0
    items = np.where(valid, recommended, 0)
    pairs = valid[:, :, None] & valid[:, None, :] & ~np.eye(recommended.shape[1], dtype=bool)
    pair_sim = item_similarity[items[:, :, None], items[:, None, :]]  # (users, k, k)
    n_pairs = pairs.sum(axis=(1, 2))
    users = n_pairs > 0
    mean_sim = (pair_sim * pairs).sum(axis=(1, 2))[users] / n_pairs[users]
    return float(np.mean(1.0 - mean_sim))


def evaluate_ranking(score_fn: ScoreFn, data: Interactions, ks: int | tuple[int, ...] = 10,
                     metrics: tuple[str, ...] = ("precision", "recall", "ndcg", "hit_rate")
                     ) -> tuple[dict[str, float], np.ndarray]:
    """Rank for every user with held-out items, excluding their training purchases, and score the lists.

    Returns (ranking_report over `ks` and `metrics`, the recommended item indices (users, max k)).
    """
    ks = (ks,) if isinstance(ks, int) else tuple(ks)
    users = data.test_users
    recommended = top_k(score_fn, data.train.shape[0], max(ks), exclude=data.train, users=users)
    return ranking_report(recommended, data.test[users], ks, metrics), recommended
