"""Splits of transactions and of labelled rows: by one global time cut (a window of days), by time per customer
(each customer's last invoices) and by group (whole users)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupShuffleSplit


def time_window_split(transactions: pd.DataFrame, start: pd.Timestamp | str,
                      days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split clean transactions at one global moment `start`.

    Returns (history, window): history = every line before `start` (all customers), window = the
    lines with start <= InvoiceDate < start + `days` days. Nothing after the window is returned, so
    no model fitted on `history` can see the future of any customer.
    Raises ValueError when `days` < 1, when the history is empty, or when the window runs past the
    day after the last invoice (a silently shortened window would change what is measured).
    """
    start = pd.Timestamp(start)
    if days < 1:
        raise ValueError(f"a window needs at least one day, got {days}")
    end = start + pd.Timedelta(days=days)
    dates = transactions["InvoiceDate"]
    data_end = dates.max().normalize() + pd.Timedelta(days=1)
    if end > data_end:
        raise ValueError(f"the window {start:%Y-%m-%d} + {days} days ends after the data "
                         f"(last invoice day {data_end - pd.Timedelta(days=1):%Y-%m-%d})")
    history = transactions[dates < start]
    if history.empty:
        raise ValueError(f"no transaction before {start:%Y-%m-%d}: nothing to train on")
    return history, transactions[(dates >= start) & (dates < end)]


def last_invoices_split(transactions: pd.DataFrame, holdout_fraction: float = 0.2,
                        min_invoices: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split clean transactions per customer by time.

    For each customer with at least `min_invoices` invoices, the most recent
    ceil(holdout_fraction * n_invoices) invoices (at least one) form the test part;
    all other lines (and every line of customers with fewer invoices) form the train part.
    Returns (train, test) transaction frames.
    """
    if not 0 < holdout_fraction < 1:
        raise ValueError(f"holdout_fraction must be in (0, 1), got {holdout_fraction}")
    invoices = (transactions.groupby(["CustomerID", "InvoiceNo"], observed=True)["InvoiceDate"].min()
                .reset_index().sort_values(["CustomerID", "InvoiceDate", "InvoiceNo"]))
    grouped = invoices.groupby("CustomerID", observed=True)
    n_invoices = grouped["InvoiceNo"].transform("size")
    recency_rank = grouped.cumcount(ascending=False)  # 0 = most recent invoice
    n_test = np.maximum(1, np.ceil(holdout_fraction * n_invoices)).astype(int)
    invoices["is_test"] = (n_invoices >= min_invoices) & (recency_rank < n_test)
    is_test = transactions.merge(invoices[["CustomerID", "InvoiceNo", "is_test"]],
                                 on=["CustomerID", "InvoiceNo"], how="left")["is_test"].to_numpy(bool)
    return transactions[~is_test], transactions[is_test]


def split_groups(groups: np.ndarray, fractions: tuple[float, ...] = (0.6, 0.2, 0.2), seed: int = 0) -> list[np.ndarray]:
    """Boolean row masks, one per fraction, assigning whole groups (e.g. users) at random."""
    if not np.isclose(sum(fractions), 1.0) or min(fractions) <= 0:
        raise ValueError(f"fractions must be positive and sum to 1, got {fractions}")
    unique = np.unique(groups)
    shuffled = np.random.default_rng(seed).permutation(unique)
    bounds = np.round(np.cumsum((0.0,) + tuple(fractions)) * len(unique)).astype(int)
    return [np.isin(groups, shuffled[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]


def split_by_customer(pairs: pd.DataFrame, test_fraction: float = 0.25,
                      seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out a random `test_fraction` of customers with all their rows: (train, test)."""
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_fraction, random_state=seed)
    train_idx, test_idx = next(splitter.split(pairs, groups=pairs["CustomerID"]))
    return pairs.iloc[train_idx], pairs.iloc[test_idx]
