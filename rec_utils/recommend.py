"""Score functions for the recommenders compared in the notebooks (feed them to rec_utils.topk.top_k)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from rec_utils.topk import ScoreFn


def popularity_scores(train: sp.spmatrix) -> ScoreFn:
    """Every user gets the same scores: the number of users who bought each item."""
    popularity = np.asarray((sp.csr_matrix(train) > 0).sum(axis=0), dtype=float).ravel()
    return lambda batch: np.broadcast_to(popularity, (len(batch), popularity.size))


def item_knn_scores(train: sp.spmatrix, item_similarity: sp.spmatrix) -> ScoreFn:
    """Item-kNN: a user's score for item j = sum over bought items i of sim(i, j)."""
    bought = (sp.csr_matrix(train) > 0).astype(float)
    similarity = sp.csr_matrix(item_similarity)
    return lambda batch: (bought[batch] @ similarity).toarray()
