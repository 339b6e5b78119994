"""Sparse customer x product matrices built from a split of the transactions (the input of every ranker).

Two questions can be asked of the purchases in a window after the training history:
`new_items_only=True` (which products will the customer buy *for the first time*: discovering interest) and
`new_items_only=False` (which products will they buy, repeats included: the next basket).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp


@dataclass
class Interactions:
    """Train/test customer x product matrices over the history's customers and products.

    train: (n_users, n_items) purchase counts (distinct invoices) in the history.
    test:  (n_users, n_items) 1 where the customer bought the product in the evaluation window
           (only products new to the customer when built with new_items_only); products unseen in
           the history are dropped.
    users, items: CustomerID and StockCode for each row / column.
    history: the transactions behind `train` (baselines that need dates or countries read it), or None.
    start: the first moment of the evaluation window (what "now" is for recency), or None.
    countries: (n_users,) each customer's country (of their latest invoice known at `start`), or None.
    """

    train: sp.csr_matrix
    test: sp.csr_matrix
    users: pd.Index
    items: pd.Index
    history: pd.DataFrame | None = None
    start: pd.Timestamp | None = None
    countries: np.ndarray | None = None

    @property
    def test_users(self) -> np.ndarray:
        """Row indices of users with at least one relevant held-out item."""
        return np.flatnonzero(np.diff(self.test.indptr) > 0)

    @property
    def reference_date(self) -> pd.Timestamp:
        """`start`, or the day after the history's last invoice when no window start was given."""
        if self.start is not None:
            return self.start
        if self.history is None or self.history.empty:
            raise ValueError("these interactions carry neither a window start nor a history")
        return self.history["InvoiceDate"].max().normalize() + pd.Timedelta(days=1)


def _matrix(frame: pd.DataFrame, users: pd.Index, items: pd.Index) -> sp.csr_matrix:
    rows = users.get_indexer(frame["CustomerID"])
    cols = items.get_indexer(frame["StockCode"])
    keep = (rows >= 0) & (cols >= 0)
    pairs = pd.DataFrame({"r": rows[keep], "c": cols[keep], "inv": frame["InvoiceNo"].to_numpy()[keep]})
    counts = pairs.drop_duplicates().groupby(["r", "c"]).size()
    idx = counts.index
    return sp.csr_matrix((counts.to_numpy(float), (idx.get_level_values(0), idx.get_level_values(1))),
                         shape=(len(users), len(items)))


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix)
    matrix.eliminate_zeros()
    matrix.data[:] = 1.0
    return matrix


def _countries(frame: pd.DataFrame, customers: pd.Index, *, latest: bool) -> np.ndarray:
    """Country of each customer's latest (or first) invoice line in `frame`, aligned with `customers`."""
    ordered = frame.sort_values(["InvoiceDate", "InvoiceNo"], kind="stable")
    per_customer = ordered.drop_duplicates("CustomerID", keep="last" if latest else "first")
    return per_customer.set_index("CustomerID")["Country"].reindex(customers).astype(str).to_numpy()


def window_interactions(history: pd.DataFrame, window: pd.DataFrame, *, new_items_only: bool = True,
                        start: pd.Timestamp | None = None) -> Interactions:
    """Interactions of the history's customers: train from `history`, test from `window`.

    Customers who buy in the window but are absent from the history (cold start) get no row here:
    see `cold_start_interactions`. `start` is recorded as the window's first moment.
    """
    users = pd.Index(np.sort(history["CustomerID"].unique()), name="CustomerID")
    items = pd.Index(np.sort(history["StockCode"].unique()), name="StockCode")
    train = _matrix(history, users, items)
    test = _matrix(window, users, items)
    if new_items_only:
        test = (test - test.multiply(train > 0)).tocsr()  # keep only products new to the user
    return Interactions(train, _binary(test), users, items, history=history, start=start,
                        countries=_countries(history, users, latest=True))


def cold_start_interactions(history: pd.DataFrame, window: pd.DataFrame, *,
                            start: pd.Timestamp | None = None) -> Interactions:
    """Customers who first appear in `window` (no line in `history`): an all-zero train matrix over the
    history's products, test = the history's products they bought in the window, countries from their
    first invoice in the window (known when they arrive)."""
    items = pd.Index(np.sort(history["StockCode"].unique()), name="StockCode")
    new = window[~window["CustomerID"].isin(history["CustomerID"])]
    users = pd.Index(np.sort(new["CustomerID"].unique()), name="CustomerID")
    train = sp.csr_matrix((len(users), len(items)))
    return Interactions(train, _binary(_matrix(new, users, items)), users, items, history=history, start=start,
                        countries=_countries(new, users, latest=False))


def build_interactions(train: pd.DataFrame, test: pd.DataFrame) -> Interactions:
    """Interactions from the output of `last_invoices_split` (held-out products new to the customer)."""
    return window_interactions(train, test, new_items_only=True)
