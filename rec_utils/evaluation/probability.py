"""Classification metrics with bootstrap confidence intervals (for click and propensity models)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, precision_recall_curve, roc_auc_score

from rec_utils.evaluation.grouped_auc import customer_draw_counts
from rec_utils.evaluation.resampling import draws, percentile_interval
from rec_utils.evaluation.weighted_metrics import WEIGHTED_FORMS, binary_log_loss, resampled_metric

Metric = Callable[[np.ndarray, np.ndarray], float]
# Metrics of predicted probabilities (no threshold), by the names the notebooks print.
PROBABILITY_METRICS: dict[str, Metric] = {
    "ROC-AUC": roc_auc_score,
    "PR-AUC": average_precision_score,
    "log-loss": binary_log_loss,
    "Brier": brier_score_loss,
}


def bootstrap_values(y_true: np.ndarray, y_prob: np.ndarray, metric: Metric, *, n_boot: int = 200, seed: int = 0,
                     groups: np.ndarray | None = None) -> np.ndarray:
    """`metric` on `n_boot` resamples of the rows (n_boot,). With `groups` (e.g. user ids) whole
    groups are resampled, so impressions of one user are not treated as independent.

    Unlike rec_utils.evaluation.resampling (statistics of one value per customer), the metric here is computed
    over rows that belong to customers (ROC-AUC of all impressions of the drawn users), so a resample is the
    concatenation of the drawn groups' rows; the groups themselves are drawn by resampling.draws. The metrics of
    weighted_metrics.WEIGHTED_FORMS (those of PROBABILITY_METRICS) are computed for all resamples at once from how
    often each row was drawn: the same draws and the same values, without a call per resample (a resample where
    the metric is undefined goes through the metric itself, which says why)."""
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    if metric in WEIGHTED_FORMS and y_prob.ndim == 1:
        if groups is None:
            codes, counts = None, np.stack([np.bincount(idx, minlength=len(y_true))
                                            for idx in draws(len(y_true), n_boot, seed)]).astype(float)
        else:
            codes, counts = customer_draw_counts(groups, n_boot, seed)
        values = resampled_metric(y_true, y_prob, metric, counts, codes)
        if not np.isnan(values).any():
            return values
    if groups is None:
        samples = draws(len(y_true), n_boot, seed)
    else:
        codes, uniques = pd.factorize(np.asarray(groups))
        members = np.split(np.argsort(codes, kind="stable"), np.cumsum(np.bincount(codes))[:-1])
        samples = (np.concatenate([members[g] for g in idx]) for idx in draws(len(uniques), n_boot, seed))
    return np.array([metric(y_true[idx], y_prob[idx]) for idx in samples])


def bootstrap_ci(y_true: np.ndarray, y_prob: np.ndarray, metric: Metric, *, n_boot: int = 200,
                 level: float = 0.95, seed: int = 0, groups: np.ndarray | None = None) -> tuple[float, float, float]:
    """(point estimate, lower, upper) of `metric` with a percentile bootstrap interval (see bootstrap_values)."""
    values = bootstrap_values(y_true, y_prob, metric, n_boot=n_boot, seed=seed, groups=groups)
    low, high = percentile_interval(values, level)
    return float(metric(np.asarray(y_true), np.asarray(y_prob))), float(low), float(high)


def metrics_table(y_true: np.ndarray, predictions: dict[str, np.ndarray], *,
                  metrics: tuple[str, ...] = ("ROC-AUC", "log-loss"),
                  n_boot: int = 200, seed: int = 0, groups: np.ndarray | None = None) -> pd.DataFrame:
    """One row per model: each of `metrics` (names in PROBABILITY_METRICS) with a bootstrap 95% interval
    (columns '<metric>', '<metric> low', '<metric> high')."""
    rows = {}
    for name, prob in predictions.items():
        row = {}
        for metric_name in metrics:
            metric = PROBABILITY_METRICS[metric_name]
            point, low, high = bootstrap_ci(y_true, prob, metric, n_boot=n_boot, seed=seed, groups=groups)
            row.update({metric_name: point, f"{metric_name} low": low, f"{metric_name} high": high})
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def classification_summary(y_true: np.ndarray, y_prob: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy at `threshold` and every metric of PROBABILITY_METRICS (PR-AUC = average precision)."""
    y_true, y_prob = np.asarray(y_true), np.asarray(y_prob)
    return {"accuracy": float(np.mean((y_prob >= threshold) == y_true)),
            **{name: float(metric(y_true, y_prob)) for name, metric in PROBABILITY_METRICS.items()}}


def best_f1_threshold(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    """The probability threshold with the highest F1 on (validation) data."""
    precision, recall, thresholds = precision_recall_curve(y_true, y_prob)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[np.argmax(f1)])


def _clip(p: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)


def _logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) of clipped probabilities, as one feature column (n, 1)."""
    p = _clip(p)
    return np.log(p / (1 - p))[:, None]


def fit_calibrator(y_val: np.ndarray, p_val: np.ndarray, method: str = "platt") -> Callable[[np.ndarray], np.ndarray]:
    """Map raw probabilities to calibrated ones, fitted on validation data.

    "platt": logistic regression on the logit of p; "isotonic": monotone step function.
    """
    p_val = _clip(p_val)
    if method == "platt":
        model = LogisticRegression(C=1e6).fit(_logit(p_val), y_val)
        return lambda p: model.predict_proba(_logit(p))[:, 1]
    if method == "isotonic":
        model = IsotonicRegression(out_of_bounds="clip", y_min=1e-6, y_max=1 - 1e-6).fit(p_val, y_val)
        return lambda p: model.predict(np.asarray(p, dtype=float))
    raise ValueError(f"method must be 'platt' or 'isotonic', got {method!r}")


def paired_bootstrap(y_true: np.ndarray, p_a: np.ndarray, p_b: np.ndarray, metric: Metric = roc_auc_score, *,
                     groups: np.ndarray | None = None, n_boot: int = 200, seed: int = 0) -> dict[str, float]:
    """metric(a) - metric(b) on the same resamples: estimate, 95% interval and the share of resamples
    in which a is not better than b (a one-sided bootstrap p-value)."""
    y_true = np.asarray(y_true)
    p_a, p_b = np.asarray(p_a), np.asarray(p_b)
    values = (bootstrap_values(y_true, p_a, metric, n_boot=n_boot, seed=seed, groups=groups)
              - bootstrap_values(y_true, p_b, metric, n_boot=n_boot, seed=seed, groups=groups))  # the same draws
    low, high = percentile_interval(values)
    return {"difference": float(metric(y_true, p_a) - metric(y_true, p_b)), "low": float(low), "high": float(high),
            "p_not_better": float(np.mean(values <= 0))}
