"""Popularity and item-kNN recommenders built from differentially private counts (models.privacy), as score
functions for top_k, next to the same recommenders from exact counts (the non-private line).

    score, info = private_scorer(train, "item_knn", epsilon=4.0, max_items=20)   # (ε, δ)-DP release of BᵀB
    score, info = private_scorer(train, "item_knn", epsilon=None)                 # exact counts, no clipping
    score, info = private_scorer(train, "item_knn", epsilon=None, max_items=20)   # clipped, no noise

Popularity ranks items by their (noisy) number of buyers. Item-kNN takes the (noisy) co-occurrence counts,
zeroes counts below `threshold_sigmas` Gaussian standard deviations (post-processing), turns them into cosine
similarities (models.privacy.similarity_from_counts), keeps each item's `top_n` neighbours and scores a customer's
items by the summed similarity to what they bought. Only the counts are released privately: each customer's
own history, used to score their list, stays with them (the recommendation is computed for them, from their own
data plus the released model), which is the usual setting of DP recommenders (McSherry & Mironov 2009).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rec_utils.models.privacy import (
    clip_items_per_customer,
    item_counts,
    private_item_counts,
    similarity_from_counts,
)
from rec_utils.recommend.scorers import item_knn_scores
from rec_utils.recommend.topk import ScoreFn, top_k_from_scores

PRIVATE_MODELS = {"popularity": "popularity", "item_knn": "cooccurrence"}


def private_scorer(train: sp.spmatrix, model: str, *, epsilon: float | None, max_items: int | None = None,
                   mechanism: str = "gaussian", delta: float = 1e-6, threshold_sigmas: float = 3.0,
                   top_n: int | None = 25, seed: int = 0, noise: str = "seeded") -> tuple[ScoreFn, dict]:
    """Score function of `model` ("popularity" or "item_knn") fitted on train (customers x items, nonzero =
    bought) from counts released with ε-DP (Laplace) or (ε, δ)-DP (Gaussian) for each customer's at most
    `max_items` items (required then), or without noise when `epsilon` is None: from the counts of each
    customer's at most `max_items` items (clipping alone), or from the exact counts when max_items is None too.
    noise: "seeded" (reproducible, not private) or "secure" (models.privacy.noise_generator).
    Returns (score_fn, the release's settings: models.privacy.private_item_counts' info, or {"epsilon": inf,
    "max_items", "kept_share"} without noise)."""
    if model not in PRIVATE_MODELS:
        raise ValueError(f"model must be one of {tuple(PRIVATE_MODELS)}, got {model!r}")
    statistic = PRIVATE_MODELS[model]
    if epsilon is None:
        kept = train if max_items is None else clip_items_per_customer(train, max_items, seed=seed)
        counts = item_counts(kept, statistic)
        info = {"epsilon": float("inf"), "statistic": statistic, "max_items": max_items,
                "kept_share": sp.csr_matrix(kept).nnz / max(sp.csr_matrix(train).nnz, 1)}
    elif max_items is None:
        raise ValueError("a private release needs max_items: clipping bounds each customer's influence")
    else:
        counts, info = private_item_counts(train, statistic, max_items=max_items, mechanism=mechanism,
                                           epsilon=epsilon, delta=delta, seed=seed, noise=noise)
    if model == "popularity":
        return lambda batch: np.broadcast_to(counts, (len(batch), counts.size)), info
    threshold = threshold_sigmas * info.get("gaussian_sigma", 0.0)
    similarity = similarity_from_counts(counts, min_count=threshold)
    if top_n is not None:
        similarity = top_n_per_row(similarity, top_n)
    return item_knn_scores(train, sp.csr_matrix(similarity)), {**info, "threshold": threshold, "top_n": top_n}


def top_n_per_row(similarity: np.ndarray, n: int) -> sp.csr_matrix:
    """Sparse copy of a dense (items, items) matrix keeping the n largest entries of each row (zeros dropped).
    Of several equal values at the boundary the lower column indices stay, on every processor (numpy's
    partition orders ties by its processor-specific SIMD kernels, which made results differ between machines)."""
    n = min(n, similarity.shape[1])
    columns = top_k_from_scores(similarity, n)
    rows = np.repeat(np.arange(similarity.shape[0]), n)
    kept = sp.csr_matrix((np.take_along_axis(similarity, columns, axis=1).ravel(), (rows, columns.ravel())),
                         shape=similarity.shape)
    kept.eliminate_zeros()
    return kept
