"""Purchase-propensity pairs whose negatives are drawn by popularity, beside the uniform draw of
rec_utils.features.propensity (which stays as it is).

With uniform negatives most negatives are obscure products nobody buys, so "is the product popular?"
already separates them from purchases; drawing negatives in proportion to popularity (the number of
customers who bought the product before the label window) removes that shortcut: the harder setting, and
closer to ranking a catalogue where every candidate is plausible.

    propensity_dataset_by_popularity(transactions) -> the same columns as propensity_dataset
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rec_utils.features.propensity import label_cutoff, pair_features, propensity_dataset


def popularity_negatives(positives: pd.DataFrame, popularity: pd.Series, ratio: int,
                         rng: np.random.Generator) -> pd.DataFrame:
    """`ratio` products per positive (CustomerID, StockCode), drawn with probability ∝ popularity (a Series
    indexed by StockCode), dropping draws the customer bought in the window and duplicates."""
    draws = np.repeat(positives["CustomerID"].to_numpy(), ratio)
    weights = popularity.to_numpy(dtype=float)
    sampled = popularity.index[rng.choice(len(popularity), size=draws.size, p=weights / weights.sum())]
    candidates = pd.DataFrame({"CustomerID": draws, "StockCode": sampled}).drop_duplicates()
    bought = candidates.merge(positives, on=["CustomerID", "StockCode"], how="left", indicator=True)["_merge"] == "both"
    return candidates[~bought.to_numpy()]


def propensity_dataset_by_popularity(transactions: pd.DataFrame, *, label_days: int = 28,
                                     negatives_per_positive: int = 4, seed: int = 0) -> pd.DataFrame:
    """Like rec_utils.features.propensity.propensity_dataset (the same positives, customers, products and
    features), with negatives drawn in proportion to each product's pre-window popularity."""
    uniform = propensity_dataset(transactions, label_days=label_days,
                                 negatives_per_positive=negatives_per_positive, seed=seed)
    cutoff = label_cutoff(transactions, label_days)
    history = transactions[transactions["InvoiceDate"] < cutoff]
    popularity = history.groupby("StockCode", observed=True)["CustomerID"].nunique()
    positives = uniform.loc[uniform["label"] == 1, ["CustomerID", "StockCode"]]
    negatives = popularity_negatives(positives, popularity, negatives_per_positive, np.random.default_rng(seed))
    pairs = pd.concat([positives.assign(label=1), negatives.assign(label=0)], ignore_index=True)
    pairs = pairs.sort_values(["CustomerID", "StockCode"], ignore_index=True)
    return pd.concat([pairs, pair_features(history, pairs, cutoff)], axis=1)
