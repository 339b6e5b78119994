"""The purchase-propensity task (features.propensity) laid on the evaluation protocol's windows, so a logistic
purchase model is fitted, tuned and tested like the recommenders of notebook 07.

    fit, evaluate = protocol_pairs(protocol, transactions, "test")

Stage "test": the model is fitted on pairs labelled in the validation window [cut - validation_days, cut)
(features from before that window) and scored on pairs labelled in the test window [cut, cut + test_days)
(features from before the cut). Stage "validation": the same one window earlier: fitted on pairs labelled in
the validation_days before the validation window, scored on pairs labelled in the validation window. So
validation never sees the cut's test window, and the test window is scored once.

With `product_customers` (a public panel), the product features and the products negatives are drawn from come
from the panel's purchases only; `refeature` gives existing pairs those features, so that models fitted either way
are scored on the same pairs.
"""

from __future__ import annotations

import pandas as pd

from rec_utils.evaluation.protocol import Protocol
from rec_utils.features.propensity import CATEGORICAL_FEATURES, NUMERIC_FEATURES, pair_features, propensity_dataset


def window_pairs(transactions: pd.DataFrame, start: pd.Timestamp, days: int, *, negatives_per_positive: int = 4,
                 seed: int = 0, product_customers: pd.Index | None = None) -> pd.DataFrame:
    """propensity_dataset with labels from the window [start, start + days) and features from before `start`:
    positives are the (customer, product) pairs bought in the window by customers with earlier purchases,
    negatives are sampled products they did not buy then. Lines after the window are never read."""
    start = pd.Timestamp(start)
    lines = transactions[transactions["InvoiceDate"] < start + pd.Timedelta(days=days)]
    if not (lines["InvoiceDate"] >= start).any():
        raise ValueError(f"no purchases in the window starting {start:%Y-%m-%d} ({days} days)")
    label_days = (lines["InvoiceDate"].max().normalize() + pd.Timedelta(days=1) - start).days  # window to its last day
    return propensity_dataset(lines, label_days=label_days, negatives_per_positive=negatives_per_positive, seed=seed,
                              product_customers=product_customers)


def protocol_pairs(protocol: Protocol, transactions: pd.DataFrame, stage: str, *, negatives_per_positive: int = 4,
                   seed: int = 0, product_customers: pd.Index | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fit pairs, evaluation pairs) of `stage` ("validation" or "test"; see the module docstring)."""
    start, days = protocol.window(stage)
    fit_start = start - pd.Timedelta(days=protocol.validation_days)
    options = {"negatives_per_positive": negatives_per_positive, "seed": seed, "product_customers": product_customers}
    return (window_pairs(transactions, fit_start, protocol.validation_days, **options),
            window_pairs(transactions, start, days, **options))


def refeature(pairs: pd.DataFrame, transactions: pd.DataFrame, start: pd.Timestamp,
              product_customers: pd.Index) -> pd.DataFrame:
    """`pairs` (CustomerID, StockCode, label, ...) of a window starting at `start`, with every feature computed
    again from the purchases before `start` and the product features from `product_customers`' purchases only.
    Same rows, index and labels."""
    history = transactions[transactions["InvoiceDate"] < pd.Timestamp(start)]
    panel = history[history["CustomerID"].isin(product_customers)]
    if panel.empty:
        raise ValueError("the product customers bought nothing before the window")
    features = pair_features(history, pairs[["CustomerID", "StockCode"]], pd.Timestamp(start), product_history=panel)
    return pairs.drop(columns=NUMERIC_FEATURES + CATEGORICAL_FEATURES).join(features)
