"""Baselines a reviewer asks for, as score functions for rec_utils.recommend.topk.top_k: popularity over all
time and over the last days, popularity within the customer's country, and buy-again (the customer's own past
products).

Each reads the transactions of the training history (columns CustomerID, StockCode, InvoiceNo, InvoiceDate)
and returns fn(batch of user row indices (b,)) -> scores (b, n_items); the per-user ones refuse ids outside
the users (InvalidIdsError). Ties are broken by all-time popularity through a term in [0, 1) added to integer
counts, so it never overrides a count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from rec_utils.recommend.topk import ScoreFn, check_user_ids


def item_buyers(frame: pd.DataFrame, items: pd.Index) -> np.ndarray:
    """(n_items,) number of distinct customers in `frame` who bought each of `items` (0 when none)."""
    counts = frame.groupby("StockCode", observed=True)["CustomerID"].nunique()
    return counts.reindex(items).fillna(0).to_numpy(float)


def _tie_break(history: pd.DataFrame, items: pd.Index) -> np.ndarray:
    """All-time buyers scaled into [0, 1)."""
    buyers = item_buyers(history, items)
    return buyers / (buyers.max() + 1.0)


def all_time_popularity_scores(history: pd.DataFrame, items: pd.Index) -> ScoreFn:
    """Every customer gets the same scores: distinct buyers of each item over the whole history. Read from the
    transactions, so it also serves customers with no row in the training matrix (cold start)."""
    scores = item_buyers(history, items)
    return lambda batch: np.broadcast_to(scores, (len(batch), scores.size))


def recent_popularity_scores(history: pd.DataFrame, items: pd.Index, reference_date: pd.Timestamp,
                             window_days: int) -> ScoreFn:
    """Every customer gets the same scores: distinct buyers of each item in the `window_days` days before
    `reference_date` (ties: all-time buyers)."""
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    recent = history[history["InvoiceDate"] >= reference_date - pd.Timedelta(days=window_days)]
    scores = item_buyers(recent, items) + _tie_break(history, items)
    return lambda batch: np.broadcast_to(scores, (len(batch), scores.size))


def country_popularity_scores(history: pd.DataFrame, items: pd.Index, countries: np.ndarray) -> ScoreFn:
    """Distinct buyers of each item among customers of the user's country (`countries`: one per user row);
    a country absent from the history scores 0 everywhere and falls back to the all-time tie-break."""
    known = pd.Index(np.sort(history["Country"].astype(str).unique()))
    table = np.zeros((len(known) + 1, len(items)))  # last row: unknown country
    pairs = history[["Country", "StockCode", "CustomerID"]].drop_duplicates()
    counts = pairs.groupby([pairs["Country"].astype(str), "StockCode"], observed=True).size()
    rows = known.get_indexer(counts.index.get_level_values(0))
    cols = items.get_indexer(counts.index.get_level_values(1))
    keep = cols >= 0
    np.add.at(table, (rows[keep], cols[keep]), counts.to_numpy(float)[keep])
    table += _tie_break(history, items)
    codes = known.get_indexer(pd.Index(np.asarray(countries, dtype=str)))
    codes[codes < 0] = len(known)
    return lambda batch: table[codes[check_user_ids(batch, len(codes))]]


def buy_again_scores(history: pd.DataFrame, users: pd.Index, items: pd.Index, reference_date: pd.Timestamp,
                     half_life_days: float | None) -> ScoreFn:
    """Buy-again: a customer's own past products by recency and frequency.

    score(u, j) = sum over the distinct invoices of u containing j of 0.5 ** (age_days / half_life_days)
    (half_life_days None: every invoice weighs 1, pure frequency). Products the customer never bought
    score in [-1, 0), ordered by all-time popularity, so they follow every bought product.
    """
    if half_life_days is not None and half_life_days <= 0:
        raise ValueError(f"half_life_days must be positive or None, got {half_life_days}")
    lines = history[["CustomerID", "StockCode", "InvoiceNo", "InvoiceDate"]]
    invoices = lines.groupby(["CustomerID", "StockCode", "InvoiceNo"], observed=True)["InvoiceDate"].min().reset_index()
    rows, cols = users.get_indexer(invoices["CustomerID"]), items.get_indexer(invoices["StockCode"])
    keep = (rows >= 0) & (cols >= 0)
    if half_life_days is None:
        weights = np.ones(int(keep.sum()))
    else:
        age_days = (reference_date - invoices["InvoiceDate"]).dt.total_seconds().to_numpy()[keep] / 86_400
        weights = 0.5 ** (age_days / half_life_days)
    own = sp.csr_matrix((weights, (rows[keep], cols[keep])), shape=(len(users), len(items)))  # duplicates summed
    fallback = _tie_break(history, items) - 1.0

    def score(batch: np.ndarray) -> np.ndarray:
        mine = own[check_user_ids(batch, len(users))].toarray()
        return np.where(mine > 0, mine, fallback[None, :])

    return score
