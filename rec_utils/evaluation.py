"""Classification metrics with bootstrap confidence intervals (for click and propensity models)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score

Metric = Callable[[np.ndarray, np.ndarray], float]
CLASSIFICATION_METRICS: dict[str, Metric] = {"AUC": roc_auc_score, "log-loss": lambda y, p: log_loss(y, p, labels=[0, 1])}


def bootstrap_ci(y_true: np.ndarray, y_prob: np.ndarray, metric: Metric, *, n_boot: int = 200,
                 level: float = 0.95, seed: int = 0, groups: np.ndarray | None = None) -> tuple[float, float, float]:
    """(point estimate, lower, upper) of `metric` with a percentile bootstrap interval.

    With `groups` (e.g. user ids) whole groups are resampled, so the interval reflects that
    impressions of one user are not independent.
    """
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    rng = np.random.default_rng(seed)
    if groups is None:
        samples = (rng.integers(len(y_true), size=len(y_true)) for _ in range(n_boot))
    else:
        codes, uniques = pd.factorize(np.asarray(groups))
        members = np.split(np.argsort(codes, kind="stable"), np.cumsum(np.bincount(codes))[:-1])
        samples = (np.concatenate([members[g] for g in rng.integers(len(uniques), size=len(uniques))])
                   for _ in range(n_boot))
    values = np.array([metric(y_true[idx], y_prob[idx]) for idx in samples])
    alpha = (1 - level) / 2
    return float(metric(y_true, y_prob)), float(np.quantile(values, alpha)), float(np.quantile(values, 1 - alpha))


def metrics_table(y_true: np.ndarray, predictions: dict[str, np.ndarray], *, n_boot: int = 200, seed: int = 0,
                  groups: np.ndarray | None = None) -> pd.DataFrame:
    """One row per model: AUC and log-loss with bootstrap 95% intervals (columns '<metric>', '... low', '... high')."""
    rows = {}
    for name, prob in predictions.items():
        row = {}
        for metric_name, metric in CLASSIFICATION_METRICS.items():
            point, low, high = bootstrap_ci(y_true, prob, metric, n_boot=n_boot, seed=seed, groups=groups)
            row.update({metric_name: point, f"{metric_name} low": low, f"{metric_name} high": high})
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")
