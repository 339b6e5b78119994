"""Ranking metrics at k, vectorised over users.

Inputs everywhere:
    recommended  int array (n_users, K): item indices, best first (K >= k)
    relevant     scipy.sparse matrix (n_users, n_items): nonzero = relevant held-out item

Per-user functions return float arrays of length n_users, with NaN for users that have no
relevant item (the metric is undefined for them); `ranking_report` averages over the
users that have at least one. Recall divides by the user's number of relevant items;
NDCG and MAP normalise by the best possible ranking, min(n_relevant, k) hits on top.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rec_utils.data.interactions import Interactions
from rec_utils.recommend.topk import ScoreFn, top_k


def _check(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> tuple[np.ndarray, sp.csr_matrix]:
    recommended = np.asarray(recommended)
    if recommended.ndim != 2:
        raise ValueError(f"recommended must be 2-D (users, K), got shape {recommended.shape}")
    if not 1 <= k <= recommended.shape[1]:
        raise ValueError(f"k must be between 1 and {recommended.shape[1]}, got {k}")
    relevant = sp.csr_matrix(relevant)
    if relevant.shape[0] != recommended.shape[0]:
        raise ValueError(f"{recommended.shape[0]} users recommended but relevant has {relevant.shape[0]} rows")
    return recommended[:, :k], relevant


def hits_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """Boolean (n_users, k): whether each recommended item is relevant for its user."""
    recommended, relevant = _check(recommended, relevant, k)
    relevant.sum_duplicates()
    n_items = relevant.shape[1]
    rel_rows = np.repeat(np.arange(relevant.shape[0], dtype=np.int64), np.diff(relevant.indptr))
    rel_keys = rel_rows * n_items + relevant.indices.astype(np.int64)  # sorted: rows, then sorted indices
    rel_keys.sort()
    rec_keys = np.arange(recommended.shape[0], dtype=np.int64)[:, None] * n_items + recommended.astype(np.int64)
    if rel_keys.size == 0:
        return np.zeros(recommended.shape, dtype=bool)
    pos = np.minimum(np.searchsorted(rel_keys, rec_keys), rel_keys.size - 1)
    return rel_keys[pos] == rec_keys


def _n_relevant(relevant: sp.spmatrix) -> np.ndarray:
    return np.diff(sp.csr_matrix(relevant).indptr).astype(float)


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


def precision_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """Share of the top k that is relevant."""
    return _per_user(_precision, hits_at_k(recommended, relevant, k), _n_relevant(relevant))


def recall_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """Share of the user's relevant items found in the top k."""
    return _per_user(_recall, hits_at_k(recommended, relevant, k), _n_relevant(relevant))


def hit_rate_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """1 when at least one of the top k is relevant, else 0."""
    return _per_user(_hit_rate, hits_at_k(recommended, relevant, k), _n_relevant(relevant))


def ndcg_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """DCG of the top k (binary gains, discount 1/log2(rank+1)) over the ideal DCG."""
    return _per_user(_ndcg, hits_at_k(recommended, relevant, k), _n_relevant(relevant))


def average_precision_at_k(recommended: np.ndarray, relevant: sp.spmatrix, k: int) -> np.ndarray:
    """AP@k: mean of precision@i at each hit position i, over min(n_relevant, k)."""
    return _per_user(_average_precision, hits_at_k(recommended, relevant, k), _n_relevant(relevant))


_FROM_HITS = {"precision": _precision, "recall": _recall, "ndcg": _ndcg, "map": _average_precision,
              "hit_rate": _hit_rate}
RANKING_METRICS = tuple(_FROM_HITS)


def ranking_report(recommended: np.ndarray, relevant: sp.spmatrix, ks: int | tuple[int, ...],
                   metrics: tuple[str, ...] = ("precision", "recall", "ndcg", "hit_rate")) -> dict[str, float]:
    """Mean of each metric at each k over users with at least one relevant item: {'ndcg@10': ...}.

    The hits are found once for the largest k; every metric and k is computed from them.
    """
    ks = (ks,) if isinstance(ks, int) else tuple(ks)
    unknown = [m for m in metrics if m not in _FROM_HITS]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {RANKING_METRICS}")
    hits, n_rel = hits_at_k(recommended, relevant, max(ks)), _n_relevant(relevant)
    return {f"{name}@{k}": float(np.nanmean(_per_user(_FROM_HITS[name], hits[:, :k], n_rel)))
            for k in ks for name in metrics}


def catalogue_coverage(recommended: np.ndarray, n_items: int) -> float:
    """Share of the catalogue that appears in at least one user's list."""
    return float(np.unique(recommended).size / n_items)


def novelty(recommended: np.ndarray, item_buyers: np.ndarray, n_users: int) -> float:
    """Mean self-information -log2(p_i) of recommended items, p_i = share of the n_users who bought
    item i (an item nobody bought counts as bought by one). Higher = less obvious recommendations."""
    share = np.maximum(np.asarray(item_buyers, dtype=float), 1.0) / n_users
    return float(np.mean(-np.log2(share[recommended])))


def intra_list_diversity(recommended: np.ndarray, item_similarity: np.ndarray) -> float:
    """Mean over users of the mean pairwise dissimilarity (1 - similarity) inside each list.

    item_similarity: dense (n_items, n_items) with values in [0, 1] (e.g. description cosine).
    """
    k = recommended.shape[1]
    if k < 2:
        raise ValueError("intra-list diversity needs lists of at least 2 items")
    pair_sim = item_similarity[recommended[:, :, None], recommended[:, None, :]]  # (users, k, k)
    off_diagonal = (pair_sim.sum(axis=(1, 2)) - np.trace(pair_sim, axis1=1, axis2=2)) / (k * (k - 1))
    return float(np.mean(1.0 - off_diagonal))


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
