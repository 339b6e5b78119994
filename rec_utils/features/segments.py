"""Customer segments from transactions before a cut: RFM scores and named segments, and the groups that
fairness is measured over (country, activity level, tenure).

RFM scores (1 = worst, 5 = best) are quintiles over customers: recency by days since the last purchase
(fewer days = higher score), frequency by distinct invoices, monetary by revenue. Score = 1 + floor(5 (r - 1) / n)
with r the value's minimum rank (pandas rank(method="min")) among n customers: tied values share a score
(all one-invoice customers get F = 1), so quintiles hold a fifth of the customers only when values are distinct.
Segments, first rule that matches wins (after the usual RFM grid of marketing texts, simplified to R and F):

    champions         R >= 4 and F >= 4        bought recently and often
    loyal             F >= 4                   buy often, not lately
    new               R >= 4 and F == 1        first purchases only, recently
    promising         R >= 4                   recent, still infrequent
    at risk           R <= 2 and F >= 3        used to buy often, not lately
    hibernating       R <= 2                   long gone, infrequent
    needs attention   everything else (R == 3 and F <= 3)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEGMENT_RULES = (
    ("champions", lambda r, f: (r >= 4) & (f >= 4)),
    ("loyal", lambda r, f: f >= 4),
    ("new", lambda r, f: (r >= 4) & (f == 1)),
    ("promising", lambda r, f: r >= 4),
    ("at risk", lambda r, f: (r <= 2) & (f >= 3)),
    ("hibernating", lambda r, f: r <= 2),
)
OTHER_SEGMENT = "needs attention"


def _quantile_score(values: pd.Series, n: int = 5) -> pd.Series:
    """Scores 1..n by n-quantile of the minimum rank (ties share a score)."""
    ranks = values.rank(method="min").to_numpy()
    return pd.Series(1 + np.floor(n * (ranks - 1) / len(values)).astype(int), index=values.index)


def rfm_segments(history: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    """Per CustomerID (index) with purchases before `cut`: recency_days, frequency, monetary, the R, F, M
    scores (1-5) and the segment (see the module docstring). history: clean transactions (only lines
    before `cut` are used)."""
    before = history[history["InvoiceDate"] < cut]
    if before.empty:
        raise ValueError(f"no transactions before {cut}")
    table = before.groupby("CustomerID", observed=True).agg(
        last=("InvoiceDate", "max"), frequency=("InvoiceNo", "nunique"), monetary=("Revenue", "sum"))
    table.insert(0, "recency_days", (cut - table.pop("last")).dt.total_seconds() / 86_400)
    table["R"] = _quantile_score(-table["recency_days"])
    table["F"] = _quantile_score(table["frequency"])
    table["M"] = _quantile_score(table["monetary"])
    segment = pd.Series(OTHER_SEGMENT, index=table.index)
    unassigned = pd.Series(True, index=table.index)
    for name, rule in SEGMENT_RULES:
        hit = unassigned & rule(table["R"], table["F"])
        segment[hit] = name
        unassigned &= ~hit
    table["segment"] = segment
    return table


def customer_groups(history: pd.DataFrame, cut: pd.Timestamp, *, n_countries: int = 3,
                    tenure_days: tuple[int, ...] = (90, 180)) -> pd.DataFrame:
    """Fairness groups per CustomerID (index) with purchases before `cut`.

    country:  the customer's most frequent country if among the `n_countries` with most customers, else "other"
    activity: "low" / "medium" / "high" by tertile of distinct invoices before the cut (as the RFM scores: ties
              share a group, so the groups are unequal)
    tenure:   days from the first purchase to the cut, in bands at `tenure_days` (e.g. "<90", "90-180", ">=180")
    """
    before = history[history["InvoiceDate"] < cut]
    if before.empty:
        raise ValueError(f"no transactions before {cut}")
    counts = before.groupby(["CustomerID", "Country"], observed=True).size().rename("n").reset_index()
    country = counts.sort_values(["CustomerID", "n", "Country"], ascending=[True, False, True]).drop_duplicates(
        "CustomerID").set_index("CustomerID")["Country"].astype(str)
    top = country.value_counts().sort_index().sort_values(ascending=False, kind="stable").index[:n_countries]
    per_customer = before.groupby("CustomerID", observed=True).agg(
        first=("InvoiceDate", "min"), invoices=("InvoiceNo", "nunique"))
    tertile = _quantile_score(per_customer["invoices"], 3)
    days = (cut - per_customer["first"]).dt.total_seconds() / 86_400
    edges = [0, *tenure_days, np.inf]
    labels = [f"<{tenure_days[0]}"] + [f"{a}-{b}" for a, b in zip(tenure_days[:-1], tenure_days[1:])] + \
             [f">={tenure_days[-1]}"]
    return pd.DataFrame({
        "country": country.where(country.isin(top), "other").reindex(per_customer.index),
        "activity": tertile.map({1: "low", 2: "medium", 3: "high"}),
        "tenure": pd.cut(days, edges, right=False, labels=labels).astype(str),
    }, index=per_customer.index)
