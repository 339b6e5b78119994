"""New-product launch targeting measured after a cut: for products first sold after the cut, the share of
their actual first buyers (existing customers who bought within `window_days` of the first sale) that a
targeting method placed in its top-N audience, with intervals that resample customers.

Per customer c: trials_c = number of new products c was a first buyer of, hits_c(method) = how many of those
had c in the method's audience; share reached = Σ hits / Σ trials (evaluation.resampling.ratio_interval), so
every first purchase counts once. A random audience reaches N / n_customers in expectation.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from rec_utils.evaluation.resampling import paired_difference, ratio_interval
from rec_utils.recommend.launch import (
    Embedder,
    activity_audiences,
    content_audiences,
    customer_profiles,
    random_audiences,
)


def new_products(transactions: pd.DataFrame, cut: pd.Timestamp, *, window_days: int = 30) -> pd.DataFrame:
    """Products never sold before `cut` and sold after it: per StockCode (index) its Description (most
    frequent), launch (first sale), and buyers (sorted list of CustomerIDs buying within `window_days`)."""
    sold_before = set(transactions.loc[transactions["InvoiceDate"] < cut, "StockCode"])
    after = transactions[(transactions["InvoiceDate"] >= cut) & ~transactions["StockCode"].isin(sold_before)]
    launch = after.groupby("StockCode", observed=True)["InvoiceDate"].min().rename("launch")
    early = after[after["InvoiceDate"] < after["StockCode"].map(launch) + pd.Timedelta(days=window_days)]
    description = (after.groupby(["StockCode", "Description"], observed=True).size().rename("n").reset_index()
                   .sort_values(["StockCode", "n", "Description"], ascending=[True, False, True])
                   .drop_duplicates("StockCode").set_index("StockCode")["Description"])
    buyers = early.groupby("StockCode", observed=True)["CustomerID"].agg(lambda c: sorted(set(c))).rename("buyers")
    return pd.concat([description, launch, buyers], axis=1).sort_index()


def audience_hits(audiences: np.ndarray, buyer_rows: list[np.ndarray], n_customers: int) -> np.ndarray:
    """Per customer, how many of the products they were a first buyer of had them in the audience (n_customers,).
    audiences: (n_products, N) customer rows; buyer_rows: per product, its first buyers' rows."""
    hits = np.zeros(n_customers)
    for audience, buyers in zip(audiences, buyer_rows):
        hits[buyers[np.isin(buyers, audience)]] += 1
    return hits


def launch_targeting(history: pd.DataFrame, launches: pd.DataFrame, embed: Embedder | Mapping[str, Embedder], *,
                     top_n: int = 100, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Share of first buyers reached by content (embed), activity (most active customers) and random
    targeting of `top_n` existing customers, with customer-bootstrap intervals and paired differences.

    history: transactions before the cut (defines the existing customers and their profiles);
    launches: new_products(...); embed: one Embedder (rows "content", "content - activity", "content - random")
    or {name: Embedder} (rows "content (name)" and their differences). Products whose first buyers include no
    existing customer are left out. attrs: n_products, n_first_purchases, n_customers, random_expected and
    top_n. Which baseline is the yardstick is the caller's choice, made before the test window (no launch
    window is held out for validation).
    """
    embedders = {"content": embed} if callable(embed) else {f"content ({name})": e for name, e in embed.items()}
    customers = pd.Index(np.sort(history["CustomerID"].unique()))
    catalogue = history.groupby("StockCode", observed=True)["Description"].first()
    buyer_rows = [rows[rows >= 0] for rows in (customers.get_indexer(b) for b in launches["buyers"])]
    keep = np.array([len(rows) > 0 for rows in buyer_rows])
    launches, buyer_rows = launches[keep], [rows for rows, k in zip(buyer_rows, keep) if k]
    if not len(launches):
        raise ValueError("no new product has an existing customer among its first buyers")
    audiences = {}
    for name, vectors in embedders.items():
        profiles = customer_profiles(history, vectors(catalogue.astype(str).tolist()), catalogue.index, customers)
        audiences[name] = content_audiences(profiles, vectors(launches["Description"].astype(str).tolist()), top_n)
    audiences["activity"] = activity_audiences(history, customers, len(launches), top_n)
    audiences["random"] = random_audiences(len(customers), len(launches), top_n, seed=seed)
    trials = np.zeros(len(customers))
    for rows in buyer_rows:
        trials[rows] += 1
    involved = trials > 0
    hits = {name: audience_hits(a, buyer_rows, len(customers))[involved] for name, a in audiences.items()}
    options = {"n_boot": n_boot, "seed": seed}
    rows = {name: dict(zip(("value", "low", "high"), ratio_interval(h, trials[involved], **options)))
            for name, h in hits.items()}
    for name in embedders:
        for other in ("activity", "random"):
            diff = paired_difference(hits[name], hits[other], denominator=trials[involved], **options)
            rows[f"{name} - {other}"] = {"value": diff["difference"], "low": diff["low"], "high": diff["high"]}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.attrs.update(n_products=len(launches), n_first_purchases=int(trials.sum()), n_customers=len(customers),
                       random_expected=min(top_n, len(customers)) / len(customers), top_n=top_n)
    return table
