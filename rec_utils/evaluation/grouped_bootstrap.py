"""ROC-AUC and log-loss of many models on the same customer-bootstrap resamples, with paired differences.

    interval_table(y, {"model a": p_a, ...}, groups=user_ids, reference="model a")

A resample draws whole groups (users) with replacement, exactly as `rec_utils.evaluation.probability.
bootstrap_values` does with the same seed, so the intervals equal `bootstrap_ci` / `paired_bootstrap`; the
difference is speed. Each resample is a vector of row weights (how often the row's group was drawn), and the
AUC of a weighted sample is the Mann-Whitney statistic with ties counted one half (what roc_auc_score gives on
the duplicated rows), computed for all resamples at once after a single sort per model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVEL = 0.95


def resample_weights(groups: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, n) row weights: how many times each row's group is drawn in each resample."""
    codes, uniques = pd.factorize(np.asarray(groups))
    draws = np.random.default_rng(seed).integers(len(uniques), size=(n_boot, len(uniques)))
    counts = np.zeros((n_boot, len(uniques)))
    np.add.at(counts, (np.arange(n_boot)[:, None], draws), 1.0)
    return counts[:, codes]


def weighted_auc(y_true: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC-AUC under row weights: y_true (n,) 0/1, scores (n,), weights (B, n) -> (B,)."""
    y_true = np.asarray(y_true).astype(bool)
    order = np.argsort(scores, kind="stable")
    sorted_scores, positive = np.asarray(scores)[order], y_true[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])  # first row of each tie level
    w = np.atleast_2d(weights)[:, order]
    pos = np.add.reduceat(w * positive, starts, axis=1)  # (B, levels) positive weight per score level
    neg = np.add.reduceat(w * ~positive, starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg  # negative weight strictly below each level
    numerator = (pos * (below + 0.5 * neg)).sum(axis=1)
    return numerator / (pos.sum(axis=1) * neg.sum(axis=1))


def weighted_log_loss(y_true: np.ndarray, probability: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean log-loss under row weights (probabilities clipped to [1e-15, 1 - 1e-15]): (B,)."""
    p = np.clip(np.asarray(probability, dtype=float), 1e-15, 1 - 1e-15)
    losses = -np.where(np.asarray(y_true) == 1, np.log(p), np.log1p(-p))
    w = np.atleast_2d(weights)
    return (w * losses).sum(axis=1) / w.sum(axis=1)


def interval_table(y_true: np.ndarray, predictions: dict[str, np.ndarray], *, groups: np.ndarray,
                   reference: str | None = None, n_boot: int = 200, seed: int = 0) -> pd.DataFrame:
    """One row per model: ROC-AUC and log-loss with 95% percentile intervals over group resamples, and with
    `reference`, the paired AUC difference model − reference: estimate, interval and the share of resamples
    where the model is not better (columns 'ROC-AUC', 'ROC-AUC low', 'ROC-AUC high', 'log-loss', ...,
    'Δ AUC vs reference', 'Δ low', 'Δ high', 'P(not better)')."""
    y_true = np.asarray(y_true)
    weights = resample_weights(groups, n_boot, seed)
    ones = np.ones((1, len(y_true)))
    alpha = (1 - LEVEL) / 2
    aucs = {name: weighted_auc(y_true, p, weights) for name, p in predictions.items()}
    rows = {}
    for name, p in predictions.items():
        losses = weighted_log_loss(y_true, p, weights)
        row = {"ROC-AUC": float(weighted_auc(y_true, p, ones)[0]),
               "ROC-AUC low": float(np.quantile(aucs[name], alpha)),
               "ROC-AUC high": float(np.quantile(aucs[name], 1 - alpha)),
               "log-loss": float(weighted_log_loss(y_true, p, ones)[0]),
               "log-loss low": float(np.quantile(losses, alpha)),
               "log-loss high": float(np.quantile(losses, 1 - alpha))}
        if reference is not None:
            difference = aucs[name] - aucs[reference]
            row.update({"Δ AUC vs reference": row["ROC-AUC"] - float(weighted_auc(y_true, predictions[reference],
                                                                                 ones)[0]),
                        "Δ low": float(np.quantile(difference, alpha)),
                        "Δ high": float(np.quantile(difference, 1 - alpha)),
                        "P(not better)": float(np.mean(difference <= 0))})
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")
