"""New-product launch: which existing customers to target for a product nobody has bought yet.

Content targeting: each customer's profile is the mean of the (L2-normalised) description vectors of the
products they bought, normalised again; a new product's audience is the customers whose profile is most
similar (cosine) to its description vector. The vectors come from a pluggable `embed(texts) -> (n, dim)`
(dense or sparse rows): `tfidf_embedder` by default, a pretrained text encoder when one is available.
Baselines: the most active customers (distinct invoices), and customers drawn at random.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from rec_utils.features.text_vectors import tfidf_vectorizer

Embedder = Callable[[Sequence[str]], np.ndarray | sp.spmatrix]


def tfidf_embedder(corpus: Sequence[str]) -> Embedder:
    """embed(texts) -> TF-IDF rows (sparse, L2-normalised) with a vocabulary and IDF fitted on `corpus`
    (e.g. every description known at launch time, the new products' included); stop words kept."""
    return tfidf_vectorizer(corpus, stop_words=False)


def customer_profiles(history: pd.DataFrame, product_vectors: np.ndarray | sp.spmatrix, products: pd.Index,
                      customers: pd.Index) -> np.ndarray:
    """(n_customers, dim) dense, L2-normalised mean vector of the distinct products each customer bought in
    `history` (rows of `product_vectors` aligned with `products`; unknown products are skipped)."""
    pairs = history[["CustomerID", "StockCode"]].drop_duplicates()
    rows, cols = customers.get_indexer(pairs["CustomerID"]), products.get_indexer(pairs["StockCode"])
    keep = (rows >= 0) & (cols >= 0)
    bought = sp.csr_matrix((np.ones(keep.sum()), (rows[keep], cols[keep])), shape=(len(customers), len(products)))
    vectors = normalize(sp.csr_matrix(product_vectors) if sp.issparse(product_vectors) else
                        np.asarray(product_vectors, dtype=float))
    profile = bought @ vectors
    return normalize(profile.toarray() if sp.issparse(profile) else np.asarray(profile))


def content_audiences(profiles: np.ndarray, new_vectors: np.ndarray | sp.spmatrix, top_n: int) -> np.ndarray:
    """(n_new_products, top_n) customer row indices, most similar first (ties: lower index first)."""
    new = normalize(sp.csr_matrix(new_vectors) if sp.issparse(new_vectors) else np.asarray(new_vectors, float))
    similarity = np.asarray(new @ profiles.T)  # (n_new, n_customers)
    top_n = min(top_n, similarity.shape[1])
    return np.argsort(-similarity, axis=1, kind="stable")[:, :top_n]


def activity_audiences(history: pd.DataFrame, customers: pd.Index, n_products: int, top_n: int) -> np.ndarray:
    """Popularity targeting: the same `top_n` most active customers (distinct invoices in `history`; ties:
    lower row first) for every product, (n_products, top_n)."""
    invoices = history.groupby("CustomerID", observed=True)["InvoiceNo"].nunique().reindex(customers, fill_value=0)
    order = np.argsort(-invoices.to_numpy(), kind="stable")[:top_n]
    return np.broadcast_to(order, (n_products, len(order))).copy()


def random_audiences(n_customers: int, n_products: int, top_n: int, seed: int = 0) -> np.ndarray:
    """`top_n` customers drawn without replacement for each product (seeded), (n_products, top_n)."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.choice(n_customers, size=min(top_n, n_customers), replace=False)
                     for _ in range(n_products)])
