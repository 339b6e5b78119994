"""The field's group-fairness criteria of a yes/no decision, with intervals over customers.

    rates = group_rates(y_true, decision, groups)                          # selection rate, TPR, FPR per group
    table = group_criteria(y_true, decision, groups, customers, n_boot=1000, seed=42)

For groups G of customers and a decision ŷ (e.g. "predict a purchase" where the model's probability is at least
a threshold), with selection rate s_G = P(ŷ = 1 | G), true-positive rate TPR_G = P(ŷ = 1 | y = 1, G) and
false-positive rate FPR_G = P(ŷ = 1 | y = 0, G):

    demographic-parity difference  max_G s_G - min_G s_G          ratio  min_G s_G / max_G s_G
    equalized-odds difference      max(TPR spread, FPR spread)    ratio  min(TPR ratio, FPR ratio)

(0 and 1 mean equal treatment; Hardt et al. 2016). The values equal fairlearn's functions of the same names
(CRITERIA; tests/unit/test_group_criteria.py and notebook 13 check it) but are computed from per-customer counts,
so that the intervals, which resample whole customers (every row of a customer together; each customer belongs to
one group), cost a matrix product instead of 1,000 calls of fairlearn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)

from rec_utils.evaluation.resampling import percentile_interval

CRITERIA = {  # name -> fairlearn's function of (y_true, y_pred, sensitive_features)
    "demographic-parity difference": demographic_parity_difference,
    "demographic-parity ratio": demographic_parity_ratio,
    "equalized-odds difference": equalized_odds_difference,
    "equalized-odds ratio": equalized_odds_ratio,
}


def group_rates(y_true: np.ndarray, decision: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Per group (rows, sorted): n_rows, selection rate, true-positive rate and false-positive rate of a 0/1
    decision (fairlearn's MetricFrame). y_true, decision, groups: (n,)."""
    frame = MetricFrame(metrics={"selection rate": selection_rate, "true-positive rate": true_positive_rate,
                                 "false-positive rate": false_positive_rate},
                        y_true=np.asarray(y_true), y_pred=np.asarray(decision), sensitive_features=np.asarray(groups))
    table = frame.by_group
    table.insert(0, "n_rows", pd.Series(np.asarray(groups)).value_counts().reindex(table.index).to_numpy())
    return table


def _criteria_from_counts(counts: np.ndarray) -> np.ndarray:
    """The four CRITERIA from per-group counts (..., n_groups, 4) of [rows, decisions, positives, true positives]:
    (..., 4) in CRITERIA's order."""
    rows, chosen, positives, true_pos = np.moveaxis(counts, -1, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.stack([chosen / rows, true_pos / positives, (chosen - true_pos) / (rows - positives)])
        spread = rates.max(axis=-1) - rates.min(axis=-1)
        ratio = rates.min(axis=-1) / rates.max(axis=-1)
    return np.stack([spread[0], ratio[0], np.maximum(spread[1], spread[2]), np.minimum(ratio[1], ratio[2])], axis=-1)


def group_criteria(y_true: np.ndarray, decision: np.ndarray, groups: np.ndarray, customers: np.ndarray, *,
                   n_boot: int = 1000, level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """The CRITERIA of a 0/1 decision across groups, with customer-bootstrap intervals.

    y_true, decision: (n,) 0/1; groups: (n,) each customer's group (constant within a customer); customers: (n,)
    ids. Rows: the four criteria (CRITERIA's order); columns value, low, high. A resample draws customers with
    replacement from all customers (group sizes vary as they would in another sample)."""
    y_true, decision, groups, customers = map(np.asarray, (y_true, decision, groups, customers))
    if not (len(y_true) == len(decision) == len(groups) == len(customers)):
        raise ValueError("y_true, decision, groups and customers must have one entry per row")
    if not np.isin(np.unique(decision), [0, 1]).all():
        raise ValueError("decision must be 0/1 (threshold the scores first)")
    y_true, decision = y_true.astype(int), decision.astype(int)
    customer_ids, customer_of = np.unique(customers, return_inverse=True)
    group_names, group_of_row = np.unique(groups, return_inverse=True)
    group_of = np.zeros(len(customer_ids), int)
    group_of[customer_of] = group_of_row
    if (group_of[customer_of] != group_of_row).any():
        raise ValueError("every row of a customer must carry the customer's one group")
    per_customer = np.stack([np.bincount(customer_of, weights=w, minlength=len(customer_ids)) for w in
                             (np.ones(len(y_true)), decision, y_true, decision * y_true)], axis=1)  # (customers, 4)
    membership = np.eye(len(group_names))[group_of]  # (customers, groups)
    by_group = (membership[:, :, None] * per_customer[:, None, :]).reshape(len(customer_ids), -1)  # (customers, 4 g)
    picks = np.random.default_rng(seed).integers(0, len(customer_ids), (n_boot, len(customer_ids)))
    offsets = (picks + len(customer_ids) * np.arange(n_boot)[:, None]).ravel()
    weights = np.bincount(offsets, minlength=n_boot * len(customer_ids)).reshape(n_boot, -1)  # times drawn
    counts = (weights @ by_group).reshape(n_boot, len(group_names), 4)  # (n_boot, groups, 4)
    draws = _criteria_from_counts(counts)
    point = _criteria_from_counts(membership.T @ per_customer)  # from the (groups, 4) counts of all customers
    low, high = percentile_interval(draws, level)
    return pd.DataFrame({"value": point, "low": low, "high": high}, index=list(CRITERIA))
