"""Score functions for rec_utils.recommend.topk.top_k: popularity, item-kNN, factor models, the logistic
propensity model, and fitting a recommender by name.

A score function maps a batch of user row indices (b,) to dense scores (b, n_items); those that look users up
refuse ids outside [0, n_users) (negative ones included) with InvalidIdsError."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.pipeline import Pipeline

from rec_utils.features.propensity import NUMERIC_FEATURES, customer_table, product_table, purchase_profiles
from rec_utils.models.factorization import implicit_als, truncated_svd_factors
from rec_utils.models.similarity import item_cosine_similarity
from rec_utils.recommend.topk import ScoreFn, check_user_ids


def popularity_scores(train: sp.spmatrix) -> ScoreFn:
    """Every user gets the same scores: the number of users who bought each item."""
    popularity = np.asarray((sp.csr_matrix(train) > 0).sum(axis=0), dtype=float).ravel()
    return lambda batch: np.broadcast_to(popularity, (len(batch), popularity.size))


def item_knn_scores(train: sp.spmatrix, item_similarity: sp.spmatrix) -> ScoreFn:
    """Item-kNN: a user's score for item j = sum over bought items i of sim(i, j).

    A similarity with more than 5% nonzero entries (every neighbour kept) is held dense: a sparse x dense
    product is then several times faster than a sparse x sparse one whose result is dense anyway.
    """
    bought = (sp.csr_matrix(train) > 0).astype(float)
    similarity = sp.csr_matrix(item_similarity)
    n_users = bought.shape[0]
    if similarity.nnz > 0.05 * similarity.shape[0] * similarity.shape[1]:
        dense = similarity.toarray()
        return lambda batch: bought[check_user_ids(batch, n_users)] @ dense
    return lambda batch: (bought[check_user_ids(batch, n_users)] @ similarity).toarray()


RECOMMENDERS = ("popularity", "item_knn", "truncated_svd", "implicit_als")


def fit_recommender(name: str, train: sp.spmatrix, *, n_factors: int = 32, seed: int = 0, **options) -> ScoreFn:
    """Fit one of RECOMMENDERS on a (users, items) purchase-count matrix; return its score function.

    options go to the model (e.g. alpha, regularization, n_iterations for implicit_als; top_n for item_knn).
    """
    if name == "popularity":
        return popularity_scores(train)
    if name == "item_knn":
        return item_knn_scores(train, item_cosine_similarity(train, top_n=options.get("top_n")))
    if name == "truncated_svd":
        return factor_scores(*truncated_svd_factors((sp.csr_matrix(train) > 0).astype(float), n_factors, seed=seed))
    if name == "implicit_als":
        return factor_scores(*implicit_als(train, n_factors, seed=seed, **options))
    raise ValueError(f"unknown recommender {name!r}; choose one of {', '.join(RECOMMENDERS)}")


def factor_scores(user_factors: np.ndarray, item_factors: np.ndarray) -> ScoreFn:
    """Score function U[batch] @ Vᵀ for factor models (U: users x f, V: items x f)."""
    n_users = len(user_factors)
    return lambda batch: user_factors[check_user_ids(batch, n_users)] @ item_factors.T


def propensity_ranker(history: pd.DataFrame, model: Pipeline, users: pd.Index, items: pd.Index):
    """Score function (for rec_utils.recommend.topk.top_k) ranking every item for every user by a fitted
    `logistic_pipeline`'s logit, with features computed from `history` as of the day after its
    last invoice. The logit is linear, so it splits into a user part, an item part and the two pair
    features (token affinity, bought before): no (user, item) feature table is ever built.
    Returns fn(batch of user row indices) -> logits (batch, len(items)).
    """
    preprocess, classifier = model[:-1][0], model[-1]
    scaler, encoder = preprocess.named_transformers_["num"], preprocess.named_transformers_["cat"]
    coef = classifier.coef_.ravel()
    weight = dict(zip(NUMERIC_FEATURES, coef[: len(NUMERIC_FEATURES)] / scaler.scale_))
    constant = classifier.intercept_[0] - sum(weight[f] * m for f, m in zip(NUMERIC_FEATURES, scaler.mean_))

    cutoff = history["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    per_user = customer_table(history).reindex(users)
    country_part = encoder.transform(per_user[["country"]].fillna("").astype(str)) @ coef[len(NUMERIC_FEATURES):]
    user_part = (constant + country_part
                 + weight["recency_days"] * (cutoff - per_user["last"]).dt.days.to_numpy(float)
                 + weight["log_frequency"] * np.log(per_user["frequency"].to_numpy(float))
                 + weight["log_monetary"] * np.log1p(per_user["monetary"].clip(lower=0).to_numpy(float)))
    per_item = product_table(history).reindex(items)
    item_part = (weight["log_price"] * np.log(per_item["median_price"].to_numpy(float))
                 + weight["log_popularity"] * np.log1p(per_item["n_customers"].to_numpy(float)))

    bought, tokens, share = purchase_profiles(history, users, items, per_item["Description"])
    per_token = sp.diags(1 / np.maximum(np.asarray(tokens.sum(axis=1)).ravel(), 1)) @ tokens  # rows sum to 1

    def score(batch: np.ndarray) -> np.ndarray:
        batch = check_user_ids(batch, len(users))
        affinity = (share[batch] @ per_token.T).toarray()
        return (user_part[batch, None] + item_part[None, :] + weight["token_affinity"] * affinity
                + weight["bought_before"] * bought[batch].toarray())

    return score
