"""Sparse customer x product matrices built from a split of the transactions (the input of every ranker)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp


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
