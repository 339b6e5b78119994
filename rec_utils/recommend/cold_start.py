"""Cold start: customers with no history (popular in their country) and products nobody bought yet
(customers who bought the most similar descriptions, by TF-IDF or by sentence embeddings)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.features.text_vectors import Vectorizer, Vectors, cosine_similarity, tfidf_vectorizer


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
                              n_similar: int = 5, n_customers: int = 10,
                              vectorize: Vectorizer | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cold start for a product nobody bought: its most similar catalogue products by description
    (cosine of TF-IDF fitted on the catalogue, stop words kept, or with `vectorize`, e.g.
    text_vectorizer("minilm"), the cosine of its vectors),
    and the customers who bought most of those products (ties: more invoices).
    Returns (similar products: StockCode, Description, similarity; customers: CustomerID, n_similar_bought, n_invoices).
    """
    if vectorize is None:
        vectorize = tfidf_vectorizer(catalog["Description"], stop_words=False)
    similarity = cosine_similarity(vectorize(catalog["Description"].fillna("")), vectorize([description])).ravel()
    if not (similarity > 0).any():
        raise ValueError(f"no catalogue description shares a word with {description!r}")
    order = np.argsort(-similarity, kind="stable")[:n_similar]
    similar = catalog.iloc[order][["StockCode", "Description"]].assign(similarity=similarity[order].round(3))
    buyers = purchases[purchases["StockCode"].isin(similar["StockCode"])]
    customers = (buyers.groupby("CustomerID")
                 .agg(n_similar_bought=("StockCode", "nunique"), n_invoices=("n_invoices", "sum"))
                 .sort_values(["n_similar_bought", "n_invoices"], ascending=False).head(n_customers).reset_index())
    return similar.reset_index(drop=True), customers


def new_item_scores(bought: sp.spmatrix, old_vectors: Vectors, new_vectors: Vectors, *,
                    n_neighbours: int = 20) -> np.ndarray:
    """Content scores (n_customers, n_new) of products nobody bought yet:

        score(u, i) = Σ_{j ∈ N(i)} max(cos(v_i, v_j), 0) · [u bought j]

    N(i): the n_neighbours already-sold products most similar to new product i. bought: (n_customers,
    n_old) purchases of the old products; old_vectors (n_old, d), new_vectors (n_new, d): description vectors.
    """
    similarity = np.maximum(cosine_similarity(new_vectors, old_vectors), 0.0)  # (n_new, n_old)
    n_neighbours = min(n_neighbours, similarity.shape[1])
    if n_neighbours < similarity.shape[1]:
        threshold = np.partition(similarity, -n_neighbours, axis=1)[:, -n_neighbours][:, None]
        similarity = np.where(similarity >= threshold, similarity, 0.0)
    return np.asarray((sp.csr_matrix(bought) > 0).astype(np.float64) @ similarity.T)
