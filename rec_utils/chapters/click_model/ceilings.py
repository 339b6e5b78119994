"""Notebook 06's ceilings, each named by exactly what it conditions on (rec_utils.simulation.ceilings computes them
from the simulator's own generative model):

    ORACLE         p itself: it sees each user's hidden taste and each session's hidden target class, which no model
                   sees, so it is a line no model reaches, not an achievable optimum
    CEILING_FULL   E[p | query, item, every earlier impression (searches, shown items, clicks and non-clicks)]: the
                   best any model reading the full behaviour history can do; importance sampling, with its Monte
                   Carlo standard error
    CEILING_NONE   E[p | query, item]: the best without history; quadrature (error about 1e-8)

The ceiling of a model that reads only the clicked ids lies between the two: it conditions on less than the full
history and on more than none, and the best AUC reachable from less information is never higher. It is not
computed (the likelihood of a clicks-only log sums over every unseen result page); the notebook states it as that
bound.

The ceilings take about half a minute (the importance sampler loops over the test users), so they are kept in
data/trained/06_click_model/ by rec_utils.runtime.trained, keyed by the log's settings, the sample count and this
code, and computed anew whenever one of them changes.
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.metrics import roc_auc_score

from rec_utils.chapters.click_model.data import ClickData
from rec_utils.chapters.click_model.deep import STORE_FOLDER
from rec_utils.runtime.threads import single_threaded
from rec_utils.runtime.trained import train_once
from rec_utils.simulation.ceilings import achievable_probability, history_probability, monte_carlo_achievable

ORACLE = "oracle: true p (sees the hidden taste)"
CEILING_FULL = "ceiling with the full history: E[p | query, item, earlier impressions]"
CEILING_NONE = "ceiling without history: E[p | query, item]"
CEILINGS = (ORACLE, CEILING_FULL, CEILING_NONE)
CEILING_OF = {"none": CEILING_NONE, "clicked": CEILING_FULL, "full": CEILING_FULL}  # the line above each model
DIAGNOSTICS = ("quadrature_vs_monte_carlo_max_abs_z", "quadrature_vs_monte_carlo_mean_abs_diff", "monte_carlo_rows",
               "history_mean_se", "history_median_ess", "history_check_users", "history_test_auc_seed_a",
               "history_test_auc_seed_b")
COUNTS = ("monte_carlo_rows", "history_check_users")  # diagnostics that are whole numbers


def ceiling_predictions(data: ClickData, *, check_share: float = 0.25
                        ) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, float]]:
    """The three ceilings on the validation and test impressions, and diagnostics of their Monte Carlo error.

    The full-history ceiling is estimated for the test users (its validation entries are NaN: no choice is made
    with it). Diagnostics: quadrature against forward Monte Carlo on a sample of test impressions (largest |z|,
    mean |difference|), the importance sampler's mean standard error and median effective sample size, and the
    test AUC of the full-history ceiling on `check_share` of the test users recomputed with an independent seed.
    Read from data/trained/ when this code computed them for the same log and sample count.
    """
    settings = {**data.fingerprint(), "is_samples": data.config.is_samples, "check_share": check_share}
    stored = train_once(STORE_FOLDER, "ceilings", settings, (sys.modules[__name__],),
                        lambda: (_computed_ceilings(data, check_share), None))
    arrays, masks = stored.arrays, data.masks
    oracle = data.impressions["p_click"].to_numpy()
    diagnostics = {name: (int if name in COUNTS else float)(arrays[name]) for name in DIAGNOSTICS}
    return ({ORACLE: {s: oracle[masks[s]] for s in ("validation", "test")},
             CEILING_FULL: {s: arrays["full"][masks[s]] for s in ("validation", "test")},
             CEILING_NONE: {s: arrays[f"none_{s}"] for s in ("validation", "test")}}, diagnostics)


def _computed_ceilings(data: ClickData, check_share: float) -> dict[str, np.ndarray]:
    """What ceiling_predictions keeps: none_validation, none_test (E[p | q, i] per impression of the split), full
    (E[p | q, i, history] for every impression, NaN outside the test users) and each diagnostic as a 0-d array."""
    with single_threaded():  # repeatable last digits (BLAS in the Monte Carlo matrix products)
        return _ceilings_now(data, check_share)


def _ceilings_now(data: ClickData, check_share: float) -> dict[str, np.ndarray]:
    simulation, config, masks = data.simulation, data.config, data.masks
    test_rows = np.flatnonzero(masks["test"])
    none = {split: achievable_probability(simulation, rows=masks[split]) for split in ("validation", "test")}
    sample = test_rows[::100]
    forward, error = monte_carlo_achievable(simulation, sample, n_samples=40_000, seed=config.seed)
    test_users = np.unique(data.impressions.loc[masks["test"], "user_id"])
    estimate = history_probability(simulation, test_users, n_samples=config.is_samples, seed=config.seed)
    full = np.full(len(data.y), np.nan)
    full[estimate.rows] = estimate.probability
    checked = test_users[:max(1, int(check_share * len(test_users)))]
    repeat = history_probability(simulation, checked, n_samples=config.is_samples, seed=config.seed + 1)
    diagnostics = {
        "quadrature_vs_monte_carlo_max_abs_z": float(np.max(np.abs(none["test"][::100] - forward) / error)),
        "quadrature_vs_monte_carlo_mean_abs_diff": float(np.mean(np.abs(none["test"][::100] - forward))),
        "monte_carlo_rows": int(len(sample)),
        "history_mean_se": float(estimate.standard_error.mean()),
        "history_median_ess": float(np.median(estimate.effective_samples)),
        "history_check_users": int(len(checked)),
        "history_test_auc_seed_a": float(roc_auc_score(data.y[repeat.rows], full[repeat.rows])),
        "history_test_auc_seed_b": float(roc_auc_score(data.y[repeat.rows], repeat.probability)),
    }
    return {"none_validation": none["validation"], "none_test": none["test"], "full": full,
            **{name: np.asarray(value) for name, value in diagnostics.items()}}
