"""Probability metrics under row weights, many resamples at once: a bootstrap resample that draws row (or customer)
i c_i times is the row-weighted metric with weights c, so one sort of the scores serves every resample instead of a
scikit-learn call per resample. Each function takes y_true (n,) 0/1, one score or probability per row (n,) and
weights (B, n), and returns (B,), equal to the scikit-learn metric on the rows repeated by their weights (to
floating-point round-off; NaN where that metric is undefined).

    weighted_average_precision   average_precision_score (PR-AUC)
    weighted_brier               brier_score_loss
    weighted_binary_log_loss     log_loss(y, p, labels=[0, 1]), clipped as scikit-learn clips
    resampled_metric(y, p, metric, draws_counts)   any metric of WEIGHTED_FORMS on every resample, in chunks

ROC-AUC under weights is rec_utils.evaluation.grouped_auc.weighted_auc.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from rec_utils.evaluation.grouped_auc import weighted_auc

WeightedMetric = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
CHUNK_ENTRIES = 4_000_000  # resamples x rows held at once (about 32 MB of float64 weights)


def weighted_average_precision(y_true: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Average precision Σ_k (R_k − R_{k−1}) P_k over the distinct score thresholds, highest first, with weighted
    true and false positives: (B,). NaN where a resample has no positive weight."""
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    sorted_scores, positive = np.asarray(scores)[order], np.asarray(y_true)[order] == 1
    ends = np.flatnonzero(np.r_[sorted_scores[1:] != sorted_scores[:-1], True])  # last row of each threshold
    w = np.atleast_2d(weights)[:, order]
    true_pos = np.cumsum(w * positive, axis=1)[:, ends]
    false_pos = np.cumsum(w * ~positive, axis=1)[:, ends]
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(true_pos + false_pos > 0, true_pos / (true_pos + false_pos), 0.0)
        recall_gain = np.diff(true_pos, axis=1, prepend=0.0) / true_pos[:, -1:]
        return (recall_gain * precision).sum(axis=1)


def weighted_brier(y_true: np.ndarray, probability: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of (p − y)²: (B,)."""
    w = np.atleast_2d(weights)
    squared = (np.asarray(probability, dtype=float) - np.asarray(y_true)) ** 2
    return (w * squared).sum(axis=1) / w.sum(axis=1)


def binary_log_loss(y_true: np.ndarray, probability: np.ndarray) -> float:
    """scikit-learn's log_loss with both labels declared, so a resample holding one class is still scored."""
    return log_loss(y_true, probability, labels=[0, 1])


def weighted_binary_log_loss(y_true: np.ndarray, probability: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of −log p(true label), each probability clipped to [eps, 1 − eps] (eps of float64) after
    1 − p is formed, as scikit-learn's log_loss does: (B,)."""
    p = np.asarray(probability, dtype=float)
    eps = np.finfo(p.dtype).eps
    chosen = np.where(np.asarray(y_true) == 1, p, 1 - p)
    losses = -np.log(np.clip(chosen, eps, 1 - eps))
    w = np.atleast_2d(weights)
    return (w * losses).sum(axis=1) / w.sum(axis=1)


# The scikit-learn metric -> its weighted form. rec_utils.evaluation.probability bootstraps a metric found here
# with one sort for all resamples; any other metric is called once per resample.
WEIGHTED_FORMS: dict[Callable, WeightedMetric] = {
    roc_auc_score: weighted_auc,
    average_precision_score: weighted_average_precision,
    brier_score_loss: weighted_brier,
    binary_log_loss: weighted_binary_log_loss,
}


def resampled_metric(y_true: np.ndarray, y_prob: np.ndarray, metric: Callable,
                     counts: np.ndarray, codes: np.ndarray | None = None) -> np.ndarray:
    """`metric` (a key of WEIGHTED_FORMS) on every resample: counts (B, m) how often each of m units was drawn,
    codes (n,) the unit of each row (None: the units are the rows). Weights are built CHUNK_ENTRIES at a time."""
    weighted = WEIGHTED_FORMS[metric]
    n_rows = len(y_true)
    step = max(1, CHUNK_ENTRIES // max(n_rows, 1))
    parts = []
    for start in range(0, len(counts), step):
        block = counts[start:start + step]
        parts.append(weighted(y_true, y_prob, block if codes is None else block[:, codes]))
    return np.concatenate(parts)
