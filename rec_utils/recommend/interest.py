"""Interest tags (article 3.3.1) and the reasons attached to recommendations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

# Words that describe form or packaging rather than an interest.
GENERIC_WORDS = frozenset({"set", "pack", "small", "large", "mini", "jumbo", "assorted", "design", "colour",
                           "colours", "vintage", "retro", "retrospot", "large", "medium"})


def description_terms(descriptions: pd.Series) -> tuple[sp.csr_matrix, np.ndarray]:
    """TF-IDF (products x terms, rows L2-normalised) of descriptions without stop or generic words,
    and the term names."""
    vectorizer = TfidfVectorizer(stop_words=list(ENGLISH_STOP_WORDS | GENERIC_WORDS),
                                 token_pattern=r"(?u)\b[a-zA-Z]{3,}\b")
    return vectorizer.fit_transform(descriptions.fillna("")).tocsr(), vectorizer.get_feature_names_out()


def interest_tags(transactions: pd.DataFrame, catalog: pd.DataFrame, *, n_tags: int = 3, half_life_days: float = 90.0,
                  reference_date: pd.Timestamp | None = None,
                  terms: tuple[sp.spmatrix, np.ndarray] | None = None) -> pd.DataFrame:
    """Each customer's top `n_tags` description terms, weighting each purchase line by recency.

    A line bought d days before `reference_date` (default: the day after the last invoice) weighs
    0.5 ** (d / half_life_days). Term score = sum over lines of weight x the product's TF-IDF vector.
    `terms`: another (products x tags matrix aligned with catalog rows, tag names), e.g. the zero-shot
    labels of rec_utils.recommend.zero_shot_tags; default description_terms of the catalogue.
    Returns CustomerID (index), tags (list of str, strongest first) and scores (list of float): each tag's
    score as a share of the customer's whole profile (the sum of their term scores), so 0.05 means the tag
    carries 5% of what the customer's weighted purchases say, whether they bought 3 lines or 3,000.
    """
    if reference_date is None:
        reference_date = transactions["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)
    products = pd.Index(catalog["StockCode"])
    terms, names = description_terms(catalog["Description"]) if terms is None else terms
    customers = pd.Index(np.sort(transactions["CustomerID"].unique()), name="CustomerID")
    age_days = (reference_date - transactions["InvoiceDate"]).dt.total_seconds().to_numpy() / 86_400
    weights = sp.csr_matrix((0.5 ** (age_days / half_life_days),
                             (customers.get_indexer(transactions["CustomerID"]),
                              products.get_indexer(transactions["StockCode"]))),
                            shape=(len(customers), len(products)))
    scores = (weights @ terms).toarray()  # customers x terms
    top = np.argsort(-scores, axis=1, kind="stable")[:, :n_tags]
    totals = scores.sum(axis=1, keepdims=True)
    top_scores = np.take_along_axis(scores, top, axis=1) / np.where(totals > 0, totals, 1.0)
    tags = [[names[t] for t, s in zip(row, row_scores) if s > 0] for row, row_scores in zip(top, top_scores)]
    return pd.DataFrame({"tags": tags, "scores": [list(np.round(r[r > 0], 4)) for r in top_scores]}, index=customers)


def recommendation_reasons(recommended: np.ndarray, bought: sp.spmatrix, item_similarity: np.ndarray,
                           item_names: pd.Series, user_tags: list[list[str]],
                           item_descriptions: pd.Series) -> list[list[str]]:
    """A short reason for each recommendation (rows of `recommended`, item indices).

    "matches your interest: <tag>" when the product's description contains one of the user's tags,
    otherwise "because you bought <X>", X = the user's bought item most similar to it (dense
    item_similarity), or "popular with customers like you" when nothing bought is similar.
    """
    bought = sp.csr_matrix(bought)
    anchor = np.empty(recommended.shape, dtype=np.int64)
    has_anchor = np.empty(recommended.shape, dtype=bool)
    for start in range(0, len(recommended), 256):  # (batch, k, n_items) similarities, bounded memory
        rows = slice(start, start + 256)
        sims = item_similarity[recommended[rows]] * (bought[rows].toarray()[:, None, :] > 0)
        anchor[rows], has_anchor[rows] = sims.argmax(axis=2), sims.max(axis=2) > 0
    words = item_descriptions.fillna("").str.lower().str.split()
    reasons = []
    for u, row in enumerate(recommended):
        user_reasons = []
        for j, item in enumerate(row):
            tag = next((t for t in user_tags[u] if t in words.iloc[item]), None)
            if tag:
                user_reasons.append(f"matches your interest: {tag}")
            elif has_anchor[u, j]:
                user_reasons.append(f"because you bought {item_names.iloc[anchor[u, j]]}")
            else:
                user_reasons.append("popular with customers like you")
        reasons.append(user_reasons)
    return reasons
