"""Do a customer's interest tags before a cut predict what they buy after it? (precision of tags)

For a customer with tags T (e.g. features.categories.category_tags before the cut) who buys in the
categories A after the cut: precision = |T ∩ A| / |T|. Baseline: every customer gets the same tags, the
most common categories before the cut. Means over customers with customer-bootstrap intervals, and the
paired difference tags - baseline (same customers).

    tags, bought, table = tag_study(history, window, start, product_category, half_life=90, n_tags=2)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rec_utils.evaluation.resampling import mean_interval, paired_difference
from rec_utils.features.categories import UNCATEGORISED, category_profiles, category_tags


def tag_precision(tags: pd.Series, bought_after: pd.Series) -> np.ndarray:
    """Per customer (rows of `tags`, lists): share of their tags among the categories they bought after
    the cut (`bought_after`: sets, indexed by CustomerID). NaN for customers without tags or without
    purchases after the cut (undefined)."""
    after = bought_after.reindex(tags.index)
    return np.array([len(set(t) & a) / len(t) if len(t) and isinstance(a, (set, frozenset)) else np.nan
                     for t, a in zip(tags, after)])


def categories_bought(transactions: pd.DataFrame, column: str = "category") -> pd.Series:
    """Set of `column` values each customer bought in `transactions`, indexed by CustomerID."""
    return transactions.dropna(subset=[column]).groupby("CustomerID", observed=True)[column].agg(
        lambda values: frozenset(map(str, values)))


def tag_precision_table(tags: pd.Series, bought_after: pd.Series, baseline_tags: Sequence[str], *,
                        n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """Mean precision of the customers' own tags and of `baseline_tags` given to everyone (each customer gets
    as many baseline tags as own tags), with intervals and the paired difference."""
    own = tag_precision(tags, bought_after)
    same = pd.Series([list(baseline_tags)[: len(t)] for t in tags], index=tags.index)
    base = tag_precision(same, bought_after)
    options = {"n_boot": n_boot, "seed": seed}
    rows = {"own tags": mean_interval(own, **options), "most common categories": mean_interval(base, **options)}
    diff = paired_difference(own, base, **options)
    rows["own - most common"] = (diff["difference"], diff["low"], diff["high"])
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "low", "high"])
    table.attrs["n_customers"] = int((~np.isnan(own)).sum())
    return table


def tag_study(history: pd.DataFrame, window: pd.DataFrame, start: pd.Timestamp, product_category: pd.Series, *,
              half_life: float, n_tags: int, n_boot: int = 200, seed: int = 0
              ) -> tuple[pd.Series, pd.Series, pd.DataFrame]:
    """Tags from `history` (lines with a category column, recency-weighted from `start` with `half_life` days)
    against what each customer bought in `window`, uncategorised lines left out: (tags per customer, categories
    bought per customer, tag_precision_table with the history's most common categories as the baseline)."""
    tags = category_tags(category_profiles(history, product_category, half_life_days=half_life,
                                           reference_date=start), n_tags)
    bought = categories_bought(window[window["category"] != UNCATEGORISED])
    common = [c for c in history["category"].value_counts().index if c != UNCATEGORISED]
    return tags, bought, tag_precision_table(tags, bought, common, n_boot=n_boot, seed=seed)
