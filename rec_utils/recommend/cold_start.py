"""Cold start: customers with no history (popular in their country) and products nobody bought yet
(customers who bought the most similar descriptions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer


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
    vectorizer = TfidfVectorizer(token_pattern=r"(?u)\b[a-zA-Z]{2,}\b")
    catalog_vectors = vectorizer.fit_transform(catalog["Description"].fillna(""))
    similarity = (catalog_vectors @ vectorizer.transform([description]).T).toarray().ravel()
    if not similarity.any():
        raise ValueError(f"no catalogue description shares a word with {description!r}")
    order = np.argsort(-similarity, kind="stable")[:n_similar]
    similar = catalog.iloc[order][["StockCode", "Description"]].assign(similarity=similarity[order].round(3))
    buyers = purchases[purchases["StockCode"].isin(similar["StockCode"])]
    customers = (buyers.groupby("CustomerID")
                 .agg(n_similar_bought=("StockCode", "nunique"), n_invoices=("n_invoices", "sum"))
                 .sort_values(["n_similar_bought", "n_invoices"], ascending=False).head(n_customers).reset_index())
    return similar.reset_index(drop=True), customers
