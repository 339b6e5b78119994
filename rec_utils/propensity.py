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


def token_affinity(history: pd.DataFrame, catalog: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """Per pair: mean over the product's description tokens of the share of the customer's past
    products whose description contains that token (0 for a customer with no history)."""
    vectorizer = CountVectorizer(binary=True, token_pattern=r"(?u)\b[a-zA-Z]{3,}\b")
    tokens = vectorizer.fit_transform(catalog["Description"].fillna("")).tocsr()  # products x tokens
    products = pd.Index(catalog["StockCode"])
    customers = pd.Index(np.sort(history["CustomerID"].unique()))
    past = history[["CustomerID", "StockCode"]].drop_duplicates()
    bought = sp.csr_matrix((np.ones(len(past)), (customers.get_indexer(past["CustomerID"]),
                                                 products.get_indexer(past["StockCode"]))),
                           shape=(len(customers), len(products)))
    n_bought = np.maximum(np.asarray(bought.sum(axis=1)).ravel(), 1)
    share = sp.diags(1 / n_bought) @ (bought @ tokens)  # customers x tokens, in [0, 1]
    u = customers.get_indexer(pairs["CustomerID"])
    p = products.get_indexer(pairs["StockCode"])
    known = u >= 0
    result = np.zeros(len(pairs))
    product_tokens = tokens[p[known]]
    overlap = np.asarray(share[u[known]].multiply(product_tokens).sum(axis=1)).ravel()
    result[known] = overlap / np.maximum(np.asarray(product_tokens.sum(axis=1)).ravel(), 1)
    return result


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
    catalog = history.groupby("StockCode", observed=True).agg(
        median_price=("UnitPrice", "median"), n_customers=("CustomerID", "nunique"),
        Description=("Description", "first")).reset_index()
    customers = history.groupby("CustomerID", observed=True).agg(
        last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"), monetary=("Revenue", "sum"),
        country=("Country", "first")).reset_index()
    positives = window[["CustomerID", "StockCode"]].drop_duplicates()
    positives = positives[positives["CustomerID"].isin(customers["CustomerID"])
                          & positives["StockCode"].isin(catalog["StockCode"])]
    rng = np.random.default_rng(seed)
    negatives = _sample_negatives(positives, pd.Index(catalog["StockCode"]), negatives_per_positive, rng)
    pairs = pd.concat([positives.assign(label=1), negatives.assign(label=0)], ignore_index=True)
    pairs = pairs.merge(catalog, on="StockCode").merge(customers, on="CustomerID")
    past_pairs = history[["CustomerID", "StockCode"]].drop_duplicates().assign(bought_before=1.0)
    pairs = pairs.merge(past_pairs, on=["CustomerID", "StockCode"], how="left")
    features = pd.DataFrame({
        "CustomerID": pairs["CustomerID"],
        "StockCode": pairs["StockCode"],
        "label": pairs["label"].astype(int),
        "log_price": np.log(pairs["median_price"]),
        "log_popularity": np.log1p(pairs["n_customers"]),
        "recency_days": (cutoff - pairs["last"]).dt.days.astype(float),
        "log_frequency": np.log(pairs["frequency"]),
        "log_monetary": np.log1p(pairs["monetary"].clip(lower=0)),
        "token_affinity": token_affinity(history, catalog, pairs),
        "bought_before": pairs["bought_before"].fillna(0.0),
        "country": pairs["country"].astype(str),
    })
    return features.sort_values(["CustomerID", "StockCode"], ignore_index=True)


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
