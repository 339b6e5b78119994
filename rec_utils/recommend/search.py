"""Search (article 5.4, "search for smartphones"): a free-text query -> products by text similarity, optionally
personalised with the customer's interest profile.

    score(u, q, i) = cos(q, v_i) + w · cos(p_u, v_i),   p_u = Σ_j n_uj v_j / ‖Σ_j n_uj v_j‖

    vectorize = text_vectorizer("minilm", catalog["Description"]); items = vectorize(catalog["Description"])
    search_products("cake tins", catalog, items, vectorize,
                    profile=purchase_profile(purchases, catalog, 12347, items), interest_weight=0.25)

v_i: the product's description vector (TF-IDF or MiniLM, rec_utils.features.text_vectors), n_uj: how often
customer u bought product j, w: interest_weight (0 = the same results for everybody). Ties are broken by
popularity (a term far below any real score difference).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.features.text_vectors import Vectorizer, Vectors, cosine_similarity
from rec_utils.recommend.topk import top_k_from_scores

TIE_BREAK = 1e-6  # weight of the popularity term that orders otherwise equal scores


def customer_profiles(bought: sp.spmatrix, item_vectors: Vectors) -> Vectors:
    """Interest profiles (n_customers, d): each customer's purchase-weighted sum of item vectors, L2-normalised
    (zero rows for customers without purchases). bought: (n_customers, n_items) counts or weights."""
    profiles = sp.csr_matrix(bought) @ item_vectors
    if sp.issparse(profiles):
        norms = np.sqrt(np.asarray(profiles.multiply(profiles).sum(axis=1))).ravel()
        return sp.diags(1.0 / np.maximum(norms, 1e-12)) @ profiles
    profiles = np.asarray(profiles, dtype=np.float32)
    return profiles / np.maximum(np.linalg.norm(profiles, axis=1, keepdims=True), 1e-12)


def purchase_profile(purchases: pd.DataFrame, catalog: pd.DataFrame, customer: float,
                     item_vectors: Vectors) -> Vectors:
    """One customer's interest profile (1, d) from the purchases table (CustomerID, StockCode, n_invoices);
    item_vectors rows aligned with catalog. KeyError when the customer bought nothing in the catalogue."""
    mine = purchases[(purchases["CustomerID"] == customer) & purchases["StockCode"].isin(catalog["StockCode"])]
    if mine.empty:
        raise KeyError(f"customer {customer} has no purchases of catalogue products")
    columns = pd.Index(catalog["StockCode"]).get_indexer(mine["StockCode"])
    bought = sp.csr_matrix((mine["n_invoices"].to_numpy(float), (np.zeros(len(mine), dtype=int), columns)),
                           shape=(1, len(catalog)))
    return customer_profiles(bought, item_vectors)


def search_scores(query_vectors: Vectors, item_vectors: Vectors, *, profiles: Vectors | None = None,
                  interest_weight: float = 0.0, popularity: np.ndarray | None = None) -> np.ndarray:
    """Scores (n_queries, n_items): cos(q, v_i) + interest_weight · cos(p_u, v_i) (+ a popularity tie-break).

    profiles: one row per query (the customer who typed it), needed when interest_weight != 0.
    popularity: (n_items,) e.g. number of buyers; only orders items whose scores are otherwise equal.
    """
    match = cosine_similarity(query_vectors, item_vectors)
    interest = None
    if interest_weight:
        if profiles is None or profiles.shape[0] != match.shape[0]:
            raise ValueError("personalised search needs one profile row per query")
        interest = cosine_similarity(profiles, item_vectors)
    return combine_scores(match, interest, interest_weight, popularity)


def combine_scores(match: np.ndarray, interest: np.ndarray | None, interest_weight: float,
                   popularity: np.ndarray | None = None) -> np.ndarray:
    """match + interest_weight · interest (+ TIE_BREAK x the popularity rank / n_items), all (n_queries, n_items);
    for trying several weights on the same similarities."""
    scores = match if interest is None or not interest_weight else match + interest_weight * interest
    if popularity is not None:
        scores = scores + TIE_BREAK * np.argsort(np.argsort(popularity, kind="stable")) / len(popularity)
    return scores


def search_products(query: str, catalog: pd.DataFrame, item_vectors: Vectors, vectorize: Vectorizer, *, k: int = 10,
                    profile: Vectors | None = None, interest_weight: float = 0.0) -> pd.DataFrame:
    """The k best products for one query (the query box): StockCode, Description, match = cos(q, v_i),
    interest = cos(p_u, v_i) (0 without a profile) and score, best first.

    catalog: the products, rows aligned with item_vectors (n_items, d); popularity ties use n_customers
    when the catalogue has that column. profile: the customer's row of customer_profiles (1, d).
    """
    if not query.strip():
        raise ValueError("the query is empty")
    query_vector = vectorize([query])
    match = cosine_similarity(query_vector, item_vectors)[0]
    interest = cosine_similarity(profile, item_vectors)[0] if profile is not None else np.zeros_like(match)
    popularity = catalog["n_customers"].to_numpy() if "n_customers" in catalog else None
    scores = search_scores(query_vector, item_vectors, profiles=profile, interest_weight=interest_weight,
                           popularity=popularity)
    best = top_k_from_scores(scores, min(k, scores.shape[1]))[0]
    return pd.DataFrame({"StockCode": catalog["StockCode"].to_numpy()[best],
                         "Description": catalog["Description"].to_numpy()[best],
                         "match": match[best].round(3), "interest": interest[best].round(3),
                         "score": (match + interest_weight * interest)[best].round(3)})
