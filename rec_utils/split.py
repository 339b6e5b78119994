"""Time-based hold-out of each customer's most recent purchases, and the sparse matrices built from it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp


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


@dataclass
class Interactions:
    """Train/test customer x product matrices over the train part's customers and products.

    train: (n_users, n_items) purchase counts (distinct invoices) from the train part.
    test:  (n_users, n_items) 1 where a held-out purchase is a product the user had not
           bought in train (what a recommender should find); test products unseen in train
           and customers unseen in train are dropped.
    users, items: CustomerID and StockCode for each row / column.
    """

    train: sp.csr_matrix
    test: sp.csr_matrix
    users: pd.Index
    items: pd.Index

    @property
    def test_users(self) -> np.ndarray:
        """Row indices of users with at least one relevant held-out item."""
        return np.flatnonzero(np.diff(self.test.indptr) > 0)


def _matrix(frame: pd.DataFrame, users: pd.Index, items: pd.Index) -> sp.csr_matrix:
    rows = users.get_indexer(frame["CustomerID"])
    cols = items.get_indexer(frame["StockCode"])
    keep = (rows >= 0) & (cols >= 0)
    pairs = pd.DataFrame({"r": rows[keep], "c": cols[keep], "inv": frame["InvoiceNo"].to_numpy()[keep]})
    counts = pairs.drop_duplicates().groupby(["r", "c"]).size()
    idx = counts.index
    return sp.csr_matrix((counts.to_numpy(float), (idx.get_level_values(0), idx.get_level_values(1))),
                         shape=(len(users), len(items)))


def build_interactions(train: pd.DataFrame, test: pd.DataFrame) -> Interactions:
    """Interactions from the output of `last_invoices_split`."""
    users = pd.Index(np.sort(train["CustomerID"].unique()), name="CustomerID")
    items = pd.Index(np.sort(train["StockCode"].unique()), name="StockCode")
    train_m = _matrix(train, users, items)
    test_m = _matrix(test, users, items)
    test_m = (test_m - test_m.multiply(train_m > 0)).tocsr()  # keep only products new to the user
    test_m.eliminate_zeros()
    test_m.data[:] = 1.0
    return Interactions(train_m, test_m, users, items)


def split_groups(groups: np.ndarray, fractions: tuple[float, ...] = (0.6, 0.2, 0.2), seed: int = 0) -> list[np.ndarray]:
    """Boolean row masks, one per fraction, assigning whole groups (e.g. users) at random."""
    if not np.isclose(sum(fractions), 1.0) or min(fractions) <= 0:
        raise ValueError(f"fractions must be positive and sum to 1, got {fractions}")
    unique = np.unique(groups)
    shuffled = np.random.default_rng(seed).permutation(unique)
    bounds = np.round(np.cumsum((0.0,) + tuple(fractions)) * len(unique)).astype(int)
    return [np.isin(groups, shuffled[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
