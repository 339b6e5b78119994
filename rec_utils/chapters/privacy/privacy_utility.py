"""What privacy costs in accuracy, measured under the evaluation protocol: for each privacy level ε the settings
of the private model are tuned on the validation window, the test window is scored once, and the result is
compared with the non-private model on the same customers by a paired customer-bootstrap interval.

    curve, tuning = count_release_curve(validation, test, "item_knn", [1.0, 4.0, 16.0])     # NDCG@k vs ε
    curve, tuning, models = dp_sgd_curve(fit_val, eval_val, fit_test, eval_test, reference, ...)  # AUC vs ε

A caveat the notebooks state: choosing settings on the validation window uses the same customers' data again,
and that choice is not included in ε (Papernot & Steinke 2022 bound its cost); ε covers the released counts or
the training run with the chosen settings.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from rec_utils.chapters.privacy.stored_sgd import trained_logistic_sgd
from rec_utils.evaluation.comparison import rank_users
from rec_utils.evaluation.grouped_auc import auc_difference, auc_interval
from rec_utils.evaluation.protocol import EvaluationSplit
from rec_utils.evaluation.ranking import ndcg_at_k
from rec_utils.evaluation.resampling import mean_interval, paired_difference
from rec_utils.models.privacy import dp_sgd_epsilon
from rec_utils.models.private_training import predict_logistic
from rec_utils.recommend.private import private_scorer


def split_ndcg(split: EvaluationSplit, score_fn, k: int = 10) -> np.ndarray:
    """Per ranked customer NDCG@k of score_fn's top-k (exclusions of the split's task applied)."""
    return ndcg_at_k(rank_users(split, score_fn, k), split.data.test[split.users], k)


def _grid(space: Mapping[str, Sequence]) -> list[dict]:
    names = list(space)
    return [dict(zip(names, values)) for values in itertools.product(*(space[n] for n in names))]


def count_release_curve(validation: EvaluationSplit, test: EvaluationSplit, model: str, epsilons: Sequence[float],
                        *, mechanism: str = "gaussian", space: Mapping[str, Sequence] | None = None,
                        fixed: Mapping[str, object] | None = None, k: int = 10, n_boot: int = 1000,
                        seed: int = 0, noise: str = "seeded") -> tuple[pd.DataFrame, pd.DataFrame]:
    """NDCG@k of `model` ("popularity" or "item_knn", recommend.private) from counts released with each ε.

    space: the settings searched on validation for every ε (default {"max_items": [10, 20, 50]}); fixed: other
    private_scorer options (e.g. top_n, threshold_sigmas, delta). The first row of the curve is the model on
    exact counts (ε = inf, no clipping); then one row per ε (mechanism `mechanism`), then, for every clipping
    bound chosen for some ε, the model on clipped counts without noise (mechanism "clipped, no noise", ε = inf:
    what clipping alone does). Every row has ndcg, low, high and the paired difference from the exact counts
    (diff, diff_low, diff_high) on the test customers; each private row also has the paired difference from the
    clipped counts of its own setting without noise (diff_clipped, diff_clipped_low, diff_clipped_high; NaN on
    the other rows): what the noise does apart from clipping. Returns (curve, tuning: one row per ε and setting
    with its validation NDCG and whether it was chosen). noise: the private releases' noise source
    (models.privacy.NOISE_SOURCES), recorded in each private row's "noise".
    """
    space = {"max_items": [10, 20, 50]} if space is None else space
    fixed = dict(fixed or {})
    options = {"n_boot": n_boot, "seed": seed}
    noiseless = {key: v for key, v in fixed.items() if key not in ("delta", "threshold_sigmas")}
    reference = split_ndcg(test, private_scorer(test.data.train, model, epsilon=None, **noiseless)[0], k)
    mean, low, high = mean_interval(reference, **options)
    curve = [{"model": model, "mechanism": "none (exact counts)", "epsilon": np.inf, "ndcg": mean, "low": low,
              "high": high, "diff": 0.0, "diff_low": 0.0, "diff_high": 0.0, "n_users": len(reference),
              "kept_share": 1.0}]
    tuning, chosen, private_values = [], [], []
    for epsilon in epsilons:
        tried = []
        for setting in _grid(space):
            score, _ = private_scorer(validation.data.train, model, epsilon=epsilon, mechanism=mechanism,
                                      seed=seed, noise=noise, **{**fixed, **setting})
            tried.append({"epsilon": epsilon, **setting,
                          "validation_ndcg": float(np.nanmean(split_ndcg(validation, score, k)))})
        best = max(range(len(tried)), key=lambda i: tried[i]["validation_ndcg"])
        tuning += [{**row, "chosen": i == best} for i, row in enumerate(tried)]
        setting = {name: tried[best][name] for name in space}
        chosen.append(setting)
        score, info = private_scorer(test.data.train, model, epsilon=epsilon, mechanism=mechanism, seed=seed,
                                     noise=noise, **{**fixed, **setting})
        values = split_ndcg(test, score, k)
        private_values.append(values)
        mean, low, high = mean_interval(values, **options)
        diff = paired_difference(values, reference, **options)
        curve.append({"model": model, "mechanism": mechanism, "noise": noise, "epsilon": epsilon,
                      "delta": info["delta"], **setting, "ndcg": mean, "low": low, "high": high,
                      "diff": diff["difference"], "diff_low": diff["low"],
                      "diff_high": diff["high"], "n_users": len(values), "kept_share": info["kept_share"]})
    clipped_values = {}
    for setting in [dict(s) for s in dict.fromkeys(tuple(sorted(s.items())) for s in chosen)]:
        score, info = private_scorer(test.data.train, model, epsilon=None, seed=seed, **{**noiseless, **setting})
        values = clipped_values[tuple(sorted(setting.items()))] = split_ndcg(test, score, k)
        mean, low, high = mean_interval(values, **options)
        diff = paired_difference(values, reference, **options)
        curve.append({"model": model, "mechanism": "clipped, no noise", "epsilon": np.inf, **setting, "ndcg": mean,
                      "low": low, "high": high, "diff": diff["difference"], "diff_low": diff["low"],
                      "diff_high": diff["high"], "n_users": len(values), "kept_share": info["kept_share"]})
    for row, setting, values in zip(curve[1:], chosen, private_values):  # the private rows, in order
        noise = paired_difference(values, clipped_values[tuple(sorted(setting.items()))], **options)
        row.update(diff_clipped=noise["difference"], diff_clipped_low=noise["low"], diff_clipped_high=noise["high"])
    return pd.DataFrame(curve), pd.DataFrame(tuning)


def dp_sgd_curve(fit_validation: tuple, eval_validation: tuple, fit_test: tuple, eval_test: tuple,
                 reference: np.ndarray, *, noise_multipliers: Sequence[float], learning_rates: Sequence[float],
                 epochs: float = 5, batch_size: int = 64, l2_norm_clip: float = 1.0, delta: float = 1e-5,
                 n_boot: int = 1000, seed: int = 0, noise: str = "seeded") -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """ROC-AUC of the logistic purchase model trained with customer-level DP-SGD at each noise multiplier z.

    fit_*: (X, y, customers) training rows; eval_validation: (X, y); eval_test: (X, y, customers). For every z
    the learning rate is chosen on validation (fit on fit_validation, AUC on eval_validation), the model is
    retrained with it on fit_test and scored once on eval_test: AUC with a customer-bootstrap interval and the
    paired difference from `reference` (the non-private model's test scores). z = 0 means plain SGD (no
    clipping, no noise; ε = inf). ε at `delta` comes from dp-accounting's RDP accountant
    (models.privacy.dp_sgd_epsilon) for the run's sampling rate and steps; noise: "seeded" or "secure"
    (models.private_training.train_logistic_sgd), recorded in each row. Seeded trainings are read from
    data/trained/12_privacy/ when they were trained on the same data and settings (stored_sgd). Returns (curve,
    tuning, {z: trained Keras model}).
    """
    X_test, y_test, customers = eval_test
    options = {"n_boot": n_boot, "seed": seed}

    def setting(z: float, rate: float) -> dict:
        private = {"l2_norm_clip": l2_norm_clip, "noise_multiplier": z} if z > 0 else {}
        return {"epochs": epochs, "batch_size": batch_size, "learning_rate": rate, "seed": seed, "noise": noise,
                **private}

    grid = [(z, rate) for z in noise_multipliers for rate in learning_rates]
    tried = trained_logistic_sgd(*fit_validation, [setting(z, rate) for z, rate in grid], name="dp_sgd-validation")
    validation_auc = {pair: roc_auc_score(eval_validation[1], predict_logistic(model, eval_validation[0]))
                      for pair, (model, _) in zip(grid, tried)}
    chosen = {z: max(learning_rates, key=lambda rate: validation_auc[z, rate]) for z in noise_multipliers}
    tuning = [{"noise_multiplier": z, "learning_rate": rate, "validation_auc": validation_auc[z, rate],
               "chosen": rate == chosen[z]} for z, rate in grid]
    fitted = trained_logistic_sgd(*fit_test, [setting(z, chosen[z]) for z in noise_multipliers], name="dp_sgd-test")
    curve, models = [], {}
    for z, (model, info) in zip(noise_multipliers, fitted):
        predicted = predict_logistic(model, X_test)
        epsilon = dp_sgd_epsilon(info["sampling_probability"], z, info["steps"], delta) if z > 0 else np.inf
        auc, low, high = auc_interval(y_test, predicted, customers, **options)
        diff = auc_difference(y_test, predicted, reference, customers, **options)
        curve.append({"noise_multiplier": z, "noise": noise, "epsilon": epsilon, "delta": delta,
                      "learning_rate": chosen[z], "steps": info["steps"],
                      "sampling_probability": info["sampling_probability"], "auc": auc, "low": low, "high": high,
                      "diff": diff["difference"], "diff_low": diff["low"], "diff_high": diff["high"]})
        models[z] = model
    return pd.DataFrame(curve), pd.DataFrame(tuning), models
