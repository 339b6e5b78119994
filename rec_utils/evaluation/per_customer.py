"""Intervals for metrics that have one value per customer (NDCG of that customer's list, tag overlap, ...):
the mean with a customer-bootstrap 95% interval, and paired differences on the same resamples.

    mean_table(values)                    values: {method: (n_customers,) array} -> method x mean, low, high
    paired_differences(values, pairs)     [(a, b), ...] -> mean(a) - mean(b), low, high, p_not_better
    Comparison                            both tables, the per-customer values and the protocol, together

Customers are the resampled unit (rec_utils.evaluation.probability.bootstrap_values); customers with a NaN
value (metric undefined for them) are left out, in a paired difference when either value is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rec_utils.evaluation.probability import bootstrap_ci, paired_bootstrap


def _mean(_: np.ndarray, values: np.ndarray) -> float:
    return float(np.mean(values))


def mean_table(values: dict[str, np.ndarray], *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per method: mean, low, high (percentile bootstrap over customers) and n (customers with a value)."""
    rows = {}
    for name, v in values.items():
        v = np.asarray(v, dtype=float)
        v = v[~np.isnan(v)]
        point, low, high = bootstrap_ci(np.zeros(len(v)), v, _mean, n_boot=n_boot, seed=seed)
        rows[name] = {"mean": point, "low": low, "high": high, "n": len(v)}
    return pd.DataFrame.from_dict(rows, orient="index")


def paired_differences(values: dict[str, np.ndarray], pairs: list[tuple[str, str]], *, n_boot: int = 1000,
                       seed: int = 0) -> pd.DataFrame:
    """One row per (a, b): difference = mean(a) - mean(b) over the same customers (those with both values),
    its 95% interval and the share of resamples where a is not better (a one-sided bootstrap p-value).
    Rows are named 'a - b'."""
    rows = {}
    for a, b in pairs:
        va, vb = np.asarray(values[a], dtype=float), np.asarray(values[b], dtype=float)
        if va.shape != vb.shape:
            raise ValueError(f"{a} and {b} must have one value per customer each, got {va.shape} and {vb.shape}")
        keep = ~(np.isnan(va) | np.isnan(vb))
        rows[f"{a} - {b}"] = paired_bootstrap(np.zeros(keep.sum()), va[keep], vb[keep], _mean, n_boot=n_boot,
                                              seed=seed)
    return pd.DataFrame.from_dict(rows, orient="index")


@dataclass
class Comparison:
    """A comparison of methods on one protocol: table (method -> mean and 95% interval), paired (differences
    with intervals), per_customer (the values behind both), chosen (what validation chose), protocol (in words)."""

    table: pd.DataFrame
    paired: pd.DataFrame
    per_customer: pd.DataFrame
    chosen: dict = field(default_factory=dict)
    protocol: str = ""
