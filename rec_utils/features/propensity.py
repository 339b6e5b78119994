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

from rec_utils.data.split import time_window_split

NUMERIC_FEATURES = ["log_price", "log_popularity", "recency_days", "log_frequency", "log_monetary",
                    "token_affinity", "bought_before"]
CATEGORICAL_FEATURES = ["country"]


def label_cutoff(transactions: pd.DataFrame, label_days: int) -> pd.Timestamp:
    """Start of the label window: midnight `label_days` days before the day after the last invoice."""
    return transactions["InvoiceDate"].max().normalize() + pd.Timedelta(days=1 - label_days)


def _sample_negatives(positives: pd.DataFrame, products: pd.Index, ratio: int,
                      rng: np.random.Generator) -> pd.DataFrame:
    """`ratio` random catalogue products per positive, not bought by that customer in the window."""
    draws = np.repeat(positives["CustomerID"].to_numpy(), ratio)
    sampled = products[rng.integers(len(products), size=draws.size)]
    candidates = pd.DataFrame({"CustomerID": draws, "StockCode": sampled})
    candidates = candidates.drop_duplicates()
    bought = candidates.merge(positives, on=["CustomerID", "StockCode"], how="left", indicator=True)["_merge"] == "both"
    return candidates[~bought.to_numpy()]


def description_tokens(descriptions: pd.Series) -> sp.csr_matrix:
    """Binary products x words matrix of descriptions (words of 3+ letters)."""
    vectorizer = CountVectorizer(binary=True, token_pattern=r"(?u)\b[a-zA-Z]{3,}\b")
    return vectorizer.fit_transform(descriptions.fillna("")).tocsr()


def purchase_profiles(history: pd.DataFrame, customers: pd.Index, products: pd.Index,
                       descriptions: pd.Series) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """What each customer bought, in products and in description words.

    Returns bought (customers x products, 1 = bought in `history`), tokens (products x words,
    binary, from `descriptions` aligned with `products`) and share (customers x words: the share
    of the customer's bought products whose description holds the word, in [0, 1]).
    """
    tokens = description_tokens(descriptions).astype(float)
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
    _, tokens, share = purchase_profiles(history, customers, products, catalog["Description"])
    u = customers.get_indexer(pairs["CustomerID"])
    p = products.get_indexer(pairs["StockCode"])
    known = u >= 0
    result = np.zeros(len(pairs))
    product_tokens = tokens[p[known]]
    overlap = np.asarray(share[u[known]].multiply(product_tokens).sum(axis=1)).ravel()
    result[known] = overlap / np.maximum(np.asarray(product_tokens.sum(axis=1)).ravel(), 1)
    return result


def customer_table(history: pd.DataFrame) -> pd.DataFrame:
    """Per CustomerID (index): last purchase time, frequency (invoices), monetary (revenue), country."""
    return history.groupby("CustomerID", observed=True).agg(
        last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"), monetary=("Revenue", "sum"),
        country=("Country", "first"))


def product_table(history: pd.DataFrame) -> pd.DataFrame:
    """Per StockCode (index): median_price, n_customers (popularity) and a Description."""
    return history.groupby("StockCode", observed=True).agg(
        median_price=("UnitPrice", "median"), n_customers=("CustomerID", "nunique"),
        Description=("Description", "first"))


def pair_features(history: pd.DataFrame, pairs: pd.DataFrame, cutoff: pd.Timestamp, *,
                  product_history: pd.DataFrame | None = None) -> pd.DataFrame:
    """NUMERIC_FEATURES and CATEGORICAL_FEATURES for (CustomerID, StockCode) `pairs`, from `history`
    (transactions before `cutoff`); customers must appear in the history.

    The product features (price, popularity) come from `product_history` (default: `history`), for instance the
    purchases of a public panel of customers: a product it never bought gets popularity 0 and the median of its
    products' log prices. Without `product_history`, products must appear in the history."""
    customers, catalogue = customer_table(history), product_table(history)
    products = catalogue if product_history is None else product_table(product_history)
    c = customers.reindex(pairs["CustomerID"])
    p = products.reindex(pairs["StockCode"])
    log_price = np.log(p["median_price"].to_numpy(float))
    log_price[np.isnan(log_price)] = np.median(np.log(products["median_price"].to_numpy(float)))
    past = pd.MultiIndex.from_frame(history[["CustomerID", "StockCode"]].drop_duplicates())
    return pd.DataFrame({
        "log_price": log_price,
        "log_popularity": np.log1p(p["n_customers"].fillna(0).to_numpy(float)),
        "recency_days": (cutoff - c["last"]).dt.days.to_numpy(float),
        "log_frequency": np.log(c["frequency"].to_numpy(float)),
        "log_monetary": np.log1p(c["monetary"].clip(lower=0).to_numpy(float)),
        "token_affinity": token_affinity(history, catalogue.reset_index(), pairs),
        "bought_before": pd.MultiIndex.from_frame(pairs[["CustomerID", "StockCode"]]).isin(past).astype(float),
        "country": c["country"].astype(str).to_numpy(),
    }, index=pairs.index)


def propensity_dataset(transactions: pd.DataFrame, *, label_days: int = 28, negatives_per_positive: int = 4,
                       seed: int = 0, product_customers: pd.Index | None = None) -> pd.DataFrame:
    """Labelled (customer, product) pairs with pre-window features.

    Customers: those with purchases both before and inside the label window. Products: those
    sold before the window (so a price and popularity are known); with `product_customers` (a public panel),
    those that these customers bought before the window, and the product features come from their purchases
    only (pair_features' product_history). Returns one row per pair with CustomerID, StockCode, label
    (1 bought in window, 0 sampled negative), NUMERIC_FEATURES and CATEGORICAL_FEATURES.
    """
    if label_days < 1 or negatives_per_positive < 1:
        raise ValueError("label_days and negatives_per_positive must be at least 1")
    cutoff = label_cutoff(transactions, label_days)
    try:
        history, window = time_window_split(transactions, cutoff, label_days)  # the window ends with the data
    except ValueError as error:
        raise ValueError(f"label window of {label_days} days leaves no history: {error}") from error
    product_history = None if product_customers is None else history[history["CustomerID"].isin(product_customers)]
    if product_history is not None and product_history.empty:
        raise ValueError("the product customers bought nothing before the label window")
    products = pd.Index((history if product_history is None else product_history)["StockCode"].unique()).sort_values()
    positives = window[["CustomerID", "StockCode"]].drop_duplicates()
    positives = positives[positives["CustomerID"].isin(history["CustomerID"]) & positives["StockCode"].isin(products)]
    negatives = _sample_negatives(positives, products, negatives_per_positive, np.random.default_rng(seed))
    pairs = pd.concat([positives.assign(label=1), negatives.assign(label=0)], ignore_index=True)
    pairs = pairs.sort_values(["CustomerID", "StockCode"], ignore_index=True)
    return pd.concat([pairs, pair_features(history, pairs, cutoff, product_history=product_history)], axis=1)
