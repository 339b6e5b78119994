"""Zero-shot interest tags (article 3.3.1): readable interest labels, fixed in advance, assigned to products by
sentence-embedding similarity and to customers through their recency-weighted purchases.

    product i's label  = argmax_l cos(v_i, e_l)          v: description embedding, e: label embedding
    customer u's tags  = the n_tags labels with the largest Σ_lines 0.5^(age / half-life) · [label(i) = l]

No label is learned from purchases, so the list can be read (and changed) by a person; the customer side
is rec_utils.recommend.interest.interest_tags with the labels in place of TF-IDF words.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.features.text_vectors import Vectors, cosine_similarity
from rec_utils.recommend.interest import interest_tags

# Readable interests of a gift and home-ware wholesaler's customers (Online Retail), fixed before looking at results.
INTEREST_LABELS = (
    "christmas decorations", "kitchen & baking", "party supplies", "tea & coffee", "home decor",
    "candles & lights", "garden & outdoor", "children's toys & games", "bags", "stationery & cards",
    "jewellery & accessories", "gift wrap & ribbons", "storage & organisation", "bathroom", "clocks",
    "photo frames", "lunch boxes & picnic", "easter", "cushions & textiles", "signs & plaques",
)


def label_products(item_vectors: Vectors, label_vectors: Vectors) -> tuple[np.ndarray, np.ndarray]:
    """Each product's best label: (label index (n_items,) int, its cosine similarity (n_items,))."""
    similarity = cosine_similarity(item_vectors, label_vectors)
    best = similarity.argmax(axis=1)
    return best, similarity[np.arange(len(best)), best]


def label_matrix(item_vectors: Vectors, label_vectors: Vectors) -> sp.csr_matrix:
    """One-hot (n_items, n_labels): 1 at each product's best label."""
    best, _ = label_products(item_vectors, label_vectors)
    n_items, n_labels = len(best), label_vectors.shape[0]
    return sp.csr_matrix((np.ones(n_items), (np.arange(n_items), best)), shape=(n_items, n_labels))


def zero_shot_tags(transactions: pd.DataFrame, catalog: pd.DataFrame, item_vectors: Vectors, label_vectors: Vectors,
                   labels: tuple[str, ...] = INTEREST_LABELS, *, n_tags: int = 3, half_life_days: float = 90.0,
                   reference_date: pd.Timestamp | None = None) -> pd.DataFrame:
    """Each customer's top `n_tags` labels: CustomerID (index), tags (list of str, strongest first) and scores
    (recency-weighted purchase lines per label). item_vectors: rows aligned with catalog; label_vectors:
    (len(labels), d), e.g. encode_texts(labels)."""
    if label_vectors.shape[0] != len(labels):
        raise ValueError(f"{label_vectors.shape[0]} label vectors for {len(labels)} labels")
    if item_vectors.shape[0] != len(catalog):
        raise ValueError(f"{item_vectors.shape[0]} item vectors for {len(catalog)} catalogue rows")
    return interest_tags(transactions, catalog, n_tags=n_tags, half_life_days=half_life_days,
                         reference_date=reference_date,
                         terms=(label_matrix(item_vectors, label_vectors), np.asarray(labels)))
