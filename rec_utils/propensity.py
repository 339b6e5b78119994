"""The purchase-propensity task: will a customer buy a product in the final weeks of the data?

Positives are (customer, product) pairs bought in the label window; negatives are products
the same customer did not buy then, sampled uniformly from the catalogue. Every feature is
computed from transactions *before* the window only, so nothing leaks from the label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

NUMERIC_FEATURES = ["log_price", "log_popularity", "recency_days", "log_frequency", "log_monetary",
                    "token_affinity", "bought_before"]
CATEGORICAL_FEATURES = ["country"]


def label_cutoff(transactions: pd.DataFrame, label_days: int) -> pd.Timestamp:
    """Start of the label window: midnight `label_days` days before the day after the last invoice."""
    return transactions["InvoiceDate"].max().normalize() + pd.Timedelta(days=1 - label_days)


def _sample_negatives(positives: pd.DataFrame, products: pd.Index, ratio: int, rng: np.random.Generator) -> pd.DataFrame:
    """`ratio` random catalogue products per positive, not bought by that customer in the window."""
    draws = np.repeat(positives["CustomerID"].to_numpy(), ratio)
    candidates = pd.DataFrame({"CustomerID": draws, "StockCode": products[rng.integers(len(products), size=draws.size)]})
    candidates = candidates.drop_duplicates()
    bought = candidates.merge(positives, on=["CustomerID", "StockCode"], how="left", indicator=True)["_merge"] == "both"
    return candidates[~bought.to_numpy()]


def _description_tokens(descriptions: pd.Series) -> sp.csr_matrix:
    """Binary products x words matrix of descriptions (words of 3+ letters)."""
    vectorizer = CountVectorizer(binary=True, token_pattern=r"(?u)\b[a-zA-Z]{3,}\b")
    return vectorizer.fit_transform(descriptions.fillna("")).tocsr()


def _purchase_profiles(history: pd.DataFrame, customers: pd.Index, products: pd.Index,
                       descriptions: pd.Series) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """What each customer bought, in products and in description words.

    Returns bought (customers x products, 1 = bought in `history`), tokens (products x words,
    binary, from `descriptions` aligned with `products`) and share (customers x words: the share
    of the customer's bought products whose description holds the word, in [0, 1]).
    """
    tokens = _description_tokens(descriptions).astype(float)
    past = history[["CustomerID", "StockCode"]].drop_duplicates()
    rows, cols = customers.get_indexer(past["CustomerID"]), products.get_indexer(past["StockCode"])
    known = (rows >= 0) & (cols >= 0)
    bought = sp.csr_matrix((np.ones(known.sum()), (rows[known], cols[known])), shape=(len(customers), len(products)))
    n_bought = np.maximum(np.asarray(bought.sum(axis=1)).ravel(), 1)
    return bought, tokens, (sp.diags(1 / n_bought) @ (bought @ tokens)).tocsr()


def token_affinity(history: pd.DataFrame, catalog: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """Per pair: mean over the product's description tokens of the share of the customer's past
    products whose description contains that token (0 for a customer with no history)."""
    products = pd.Index(catalog["StockCode"])
    customers = pd.Index(np.sort(history["CustomerID"].unique()))
    _, tokens, share = _purchase_profiles(history, customers, products, catalog["Description"])
    u = customers.get_indexer(pairs["CustomerID"])
    p = products.get_indexer(pairs["StockCode"])
    known = u >= 0
    result = np.zeros(len(pairs))
    product_tokens = tokens[p[known]]
    overlap = np.asarray(share[u[known]].multiply(product_tokens).sum(axis=1)).ravel()
    result[known] = overlap / np.maximum(np.asarray(product_tokens.sum(axis=1)).ravel(), 1)
    return result


def _customer_table(history: pd.DataFrame) -> pd.DataFrame:
    return history.groupby("CustomerID", observed=True).agg(
        last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"), monetary=("Revenue", "sum"),
        country=("Country", "first"))


def _product_table(history: pd.DataFrame) -> pd.DataFrame:
    return history.groupby("StockCode", observed=True).agg(
        median_price=("UnitPrice", "median"), n_customers=("CustomerID", "nunique"),
        Description=("Description", "first"))


def pair_features(history: pd.DataFrame, pairs: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """NUMERIC_FEATURES and CATEGORICAL_FEATURES for (CustomerID, StockCode) `pairs`, from `history`
    (transactions before `cutoff`); customers and products must appear in the history."""
    customers, products = _customer_table(history), _product_table(history)
    c = customers.reindex(pairs["CustomerID"])
    p = products.reindex(pairs["StockCode"])
    past = pd.MultiIndex.from_frame(history[["CustomerID", "StockCode"]].drop_duplicates())
    return pd.DataFrame({
        "log_price": np.log(p["median_price"].to_numpy(float)),
        "log_popularity": np.log1p(p["n_customers"].to_numpy(float)),
        "recency_days": (cutoff - c["last"]).dt.days.to_numpy(float),
        "log_frequency": np.log(c["frequency"].to_numpy(float)),
        "log_monetary": np.log1p(c["monetary"].clip(lower=0).to_numpy(float)),
        "token_affinity": token_affinity(history, products.reset_index(), pairs),
        "bought_before": pd.MultiIndex.from_frame(pairs[["CustomerID", "StockCode"]]).isin(past).astype(float),
        "country": c["country"].astype(str).to_numpy(),
    }, index=pairs.index)


def propensity_dataset(transactions: pd.DataFrame, *, label_days: int = 28, negatives_per_positive: int = 4,
                       seed: int = 0) -> pd.DataFrame:
    """Labelled (customer, product) pairs with pre-window features.

    Customers: those with purchases both before and inside the label window. Products: those
    sold before the window (so a price and popularity are known). Returns one row per pair with
    CustomerID, StockCode, label (1 bought in window, 0 sampled negative), NUMERIC_FEATURES
    and CATEGORICAL_FEATURES.
    """
    if label_days < 1 or negatives_per_positive < 1:
        raise ValueError("label_days and negatives_per_positive must be at least 1")
    cutoff = label_cutoff(transactions, label_days)
    history = transactions[transactions["InvoiceDate"] < cutoff]
    window = transactions[transactions["InvoiceDate"] >= cutoff]
    if history.empty or window.empty:
        raise ValueError(f"label window of {label_days} days leaves no history or no labels")
    products = pd.Index(history["StockCode"].unique()).sort_values()
    positives = window[["CustomerID", "StockCode"]].drop_duplicates()
    positives = positives[positives["CustomerID"].isin(history["CustomerID"]) & positives["StockCode"].isin(products)]
    negatives = _sample_negatives(positives, products, negatives_per_positive, np.random.default_rng(seed))
    pairs = pd.concat([positives.assign(label=1), negatives.assign(label=0)], ignore_index=True)
    pairs = pairs.sort_values(["CustomerID", "StockCode"], ignore_index=True)
    return pd.concat([pairs, pair_features(history, pairs, cutoff)], axis=1)


def logistic_pipeline(C: float = 1.0, max_countries: int = 6) -> "Pipeline":
    """Standardised numeric features + one-hot country (rare ones pooled) -> logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    preprocess = ColumnTransformer([
        ("num", StandardScaler(), NUMERIC_FEATURES),
        ("cat", OneHotEncoder(max_categories=max_countries, handle_unknown="infrequent_if_exist",
                              sparse_output=False), CATEGORICAL_FEATURES),
    ])
    return Pipeline([("preprocess", preprocess), ("logistic", LogisticRegression(C=C, max_iter=2000))])


def split_by_customer(pairs: pd.DataFrame, test_fraction: float = 0.25, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out a random `test_fraction` of customers with all their pairs: (train, test)."""
    from sklearn.model_selection import GroupShuffleSplit

    splitter = GroupShuffleSplit(n_splits=1, test_size=test_fraction, random_state=seed)
    train_idx, test_idx = next(splitter.split(pairs, groups=pairs["CustomerID"]))
    return pairs.iloc[train_idx], pairs.iloc[test_idx]


def propensity_ranker(history: pd.DataFrame, model: "Pipeline", users: pd.Index, items: pd.Index):
    """Score function (for rec_utils.topk.top_k) ranking every item for every user by a fitted
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
    per_user = _customer_table(history).reindex(users)
    country_part = encoder.transform(per_user[["country"]].fillna("").astype(str)) @ coef[len(NUMERIC_FEATURES):]
    user_part = (constant + country_part
                 + weight["recency_days"] * (cutoff - per_user["last"]).dt.days.to_numpy(float)
                 + weight["log_frequency"] * np.log(per_user["frequency"].to_numpy(float))
                 + weight["log_monetary"] * np.log1p(per_user["monetary"].clip(lower=0).to_numpy(float)))
    per_item = _product_table(history).reindex(items)
    item_part = (weight["log_price"] * np.log(per_item["median_price"].to_numpy(float))
                 + weight["log_popularity"] * np.log1p(per_item["n_customers"].to_numpy(float)))

    bought, tokens, share = _purchase_profiles(history, users, items, per_item["Description"])
    per_token = sp.diags(1 / np.maximum(np.asarray(tokens.sum(axis=1)).ravel(), 1)) @ tokens  # rows sum to 1

    def score(batch: np.ndarray) -> np.ndarray:
        affinity = (share[batch] @ per_token.T).toarray()
        return (user_part[batch, None] + item_part[None, :] + weight["token_affinity"] * affinity
                + weight["bought_before"] * bought[batch].toarray())

    return score
