"""Recommenders: score functions for rec_utils.topk.top_k, model fitting by name, and cold-start paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.split import Interactions
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


RECOMMENDERS = ("popularity", "item_knn", "truncated_svd", "implicit_als")


def fit_recommender(name: str, train: sp.spmatrix, *, n_factors: int = 32, seed: int = 0, **options) -> ScoreFn:
    """Fit one of RECOMMENDERS on a (users, items) purchase-count matrix; return its score function.

    options go to the model (e.g. alpha, regularization, n_iterations for implicit_als; top_n for item_knn).
    """
    from rec_utils.mf import implicit_als, truncated_svd_factors
    from rec_utils.similarity import item_cosine_similarity
    from rec_utils.topk import factor_scores

    if name == "popularity":
        return popularity_scores(train)
    if name == "item_knn":
        return item_knn_scores(train, item_cosine_similarity(train, top_n=options.get("top_n")))
    if name == "truncated_svd":
        return factor_scores(*truncated_svd_factors((sp.csr_matrix(train) > 0).astype(float), n_factors, seed=seed))
    if name == "implicit_als":
        return factor_scores(*implicit_als(train, n_factors, seed=seed, **options))
    raise ValueError(f"unknown recommender {name!r}; choose one of {', '.join(RECOMMENDERS)}")


def evaluate_ranking(score_fn: ScoreFn, data: Interactions, ks: int | tuple[int, ...] = 10,
                     metrics: tuple[str, ...] = ("precision", "recall", "ndcg", "hit_rate")) -> tuple[dict[str, float], np.ndarray]:
    """Rank for every user with held-out items, excluding their training purchases, and score the lists.

    Returns (ranking_report over `ks` and `metrics`, the recommended item indices (users, max k)).
    """
    from rec_utils.metrics import ranking_report
    from rec_utils.topk import top_k

    ks = (ks,) if isinstance(ks, int) else tuple(ks)
    users = data.test_users
    recommended = top_k(score_fn, data.train.shape[0], max(ks), exclude=data.train, users=users)
    return ranking_report(recommended, data.test[users], ks, metrics), recommended


def popular_in_country(transactions: pd.DataFrame, country: str, k: int = 10) -> pd.DataFrame:
    """Cold start for a customer with no history: the k products most customers in `country` bought
    (all countries when the country has no customers). Columns StockCode, Description, n_customers."""
    local = transactions[transactions["Country"] == country]
    if local.empty:
        local = transactions
    counts = local.groupby("StockCode", observed=True).agg(
        Description=("Description", "first"), n_customers=("CustomerID", "nunique"))
    return counts.sort_values(["n_customers", "StockCode"], ascending=[False, True]).head(k).reset_index()


def customers_for_new_product(description: str, catalog: pd.DataFrame, purchases: pd.DataFrame, *,
                              n_similar: int = 5, n_customers: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cold start for a product nobody bought: its most similar catalogue products by description
    (TF-IDF cosine), and the customers who bought most of those products (ties: more invoices).
    Returns (similar products: StockCode, Description, similarity; customers: CustomerID, n_similar_bought, n_invoices).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(token_pattern=r"(?u)\b[a-zA-Z]{2,}\b")
    catalog_vectors = vectorizer.fit_transform(catalog["Description"].fillna(""))
    similarity = (catalog_vectors @ vectorizer.transform([description]).T).toarray().ravel()
    if not similarity.any():
        raise ValueError(f"no catalogue description shares a word with {description!r}")
    order = np.argsort(-similarity, kind="stable")[:n_similar]
    similar = catalog.iloc[order][["StockCode", "Description"]].assign(similarity=similarity[order].round(3))
    buyers = purchases[purchases["StockCode"].isin(similar["StockCode"])]
    customers = (buyers.groupby("CustomerID").agg(n_similar_bought=("StockCode", "nunique"), n_invoices=("n_invoices", "sum"))
                 .sort_values(["n_similar_bought", "n_invoices"], ascending=False).head(n_customers).reset_index())
    return similar.reset_index(drop=True), customers
