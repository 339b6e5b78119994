"""DP-SGD with nothing about a private customer assumed public: the product tables come from a public panel.

The purchase model's product features (popularity, median price) and the products its negatives are drawn from
are counts over every customer's purchases, so DP-SGD's ε covers a customer only if those tables are public. Here a
random share of the customers forms a public panel (customers who agreed to be public, or a bought panel): the
product tables and the negative pool come from the panel's purchases only, the feature scaler is fitted on the
panel's pairs, and DP-SGD trains on the other customers. What remains of a private customer in the model is then
his own pairs, which per-customer clipping and noise cover.

    panel = public_panel(customers, 0.2, seed=42)
    fit_panel, fit_private, eval_private = panel_pairs(protocol, transactions, eval_pairs, panel, seed=42)
    scores, info = dp_sgd_runs(X, y, groups, X_eval, runs=10, seed=42, noise_multiplier=8.0, ...)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rec_utils.chapters.privacy.stored_sgd import trained_logistic_sgd
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.purchase_pairs import protocol_pairs, refeature
from rec_utils.models.privacy import dp_sgd_epsilon
from rec_utils.models.private_training import predict_logistic


def public_panel(customers: pd.Series | np.ndarray, share: float, *, seed: int) -> pd.Index:
    """A random `share` of the distinct `customers` (drawn with `seed`), sorted: the public panel."""
    if not 0 < share < 1:
        raise ValueError(f"share must lie strictly between 0 and 1, got {share}")
    distinct = np.sort(pd.unique(np.asarray(customers)))
    size = int(round(share * len(distinct)))
    if size == 0 or size == len(distinct):
        raise ValueError(f"a share of {share} of {len(distinct)} customers leaves the panel or the rest empty")
    return pd.Index(np.sort(np.random.default_rng(seed).choice(distinct, size=size, replace=False)))


def panel_pairs(protocol: Protocol, transactions: pd.DataFrame, eval_pairs: pd.DataFrame, panel: pd.Index, *,
                seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(the panel's fit pairs, the other customers' fit pairs, the other customers' rows of `eval_pairs`) of the
    test stage, every product feature and the negatives' products from the panel's purchases only.

    eval_pairs: the test-stage evaluation pairs of protocol_pairs; its rows of non-panel customers keep their
    labels and products (so models fitted with either kind of product table are scored on the same pairs) and
    get their features again from the panel's product tables."""
    fit, _ = protocol_pairs(protocol, transactions, "test", seed=seed, product_customers=panel)
    in_panel = fit["CustomerID"].isin(panel)
    private_eval = eval_pairs[~eval_pairs["CustomerID"].isin(panel)]
    start, _ = protocol.window("test")
    return fit[in_panel], fit[~in_panel], refeature(private_eval, transactions, start, panel)


def dp_sgd_runs(X: np.ndarray, y: np.ndarray, groups: np.ndarray, X_eval: np.ndarray, *, runs: int, seed: int,
                delta: float, **training) -> tuple[np.ndarray, dict]:
    """Scores (len(X_eval), runs) of `runs` DP-SGD trainings (seeds seed, seed + 1, ...; `training`: the options of
    models.private_training.train_logistic_sgd, l2_norm_clip and noise_multiplier among them) and the first run's
    settings with "epsilon" at `delta` added (every run has the same sampling rate and steps, so the same ε). Seeded
    runs are read from data/trained/12_privacy/ when they were trained on the same data and settings (stored_sgd)."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    fitted = trained_logistic_sgd(X, y, groups, [{**training, "seed": seed + run} for run in range(runs)],
                                  name="dp_sgd-runs")
    columns, info = [predict_logistic(model, X_eval) for model, _ in fitted], fitted[0][1]
    epsilon = dp_sgd_epsilon(info["sampling_probability"], info["noise_multiplier"], info["steps"], delta)
    return np.column_stack(columns), {**info, "epsilon": epsilon}
