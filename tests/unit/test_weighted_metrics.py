"""The row-weighted probability metrics (evaluation.weighted_metrics) equal scikit-learn on rows repeated by their
weights, and probability.bootstrap_values gives the same resampled values through them as through a scikit-learn
call per resample (ties, extreme probabilities and zero weights included)."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from rec_utils.evaluation import weighted_metrics
from rec_utils.evaluation.probability import PROBABILITY_METRICS, bootstrap_values, paired_bootstrap
from rec_utils.evaluation.weighted_metrics import (
    WEIGHTED_FORMS,
    binary_log_loss,
    weighted_average_precision,
    weighted_binary_log_loss,
    weighted_brier,
)


def _rows(seed: int, n: int = 600, n_customers: int = 80):
    rng = np.random.default_rng(seed)
    customers = rng.integers(500, 500 + n_customers, size=n)
    y = (rng.random(n) < 0.3).astype(int)
    probability = np.round(1 / (1 + np.exp(-(2 * y - 1 + rng.normal(0, 1.5, n)))), 2)  # rounded: ties
    probability[:3] = [0.0, 1.0, 1 - 1e-17]  # clipped by log-loss
    return y, probability, customers


@pytest.mark.parametrize(("metric", "weighted"), [(average_precision_score, weighted_average_precision),
                                                  (brier_score_loss, weighted_brier),
                                                  (binary_log_loss, weighted_binary_log_loss)])
def test_each_weighted_form_equals_scikit_learn_on_repeated_rows(metric, weighted):
    y, probability, _ = _rows(1)
    counts = np.random.default_rng(2).integers(0, 3, len(y))  # zeros: rows left out of the resample
    rows = np.repeat(np.arange(len(y)), counts)
    assert weighted(y, probability, counts[None].astype(float))[0] == pytest.approx(
        metric(y[rows], probability[rows]), abs=1e-12)


def test_every_metric_the_notebooks_print_has_a_weighted_form():
    assert set(PROBABILITY_METRICS.values()) <= set(WEIGHTED_FORMS)
    assert roc_auc_score in WEIGHTED_FORMS


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("name", list(PROBABILITY_METRICS))
def test_bootstrap_values_equal_a_metric_call_per_resample(name, grouped):
    y, probability, customers = _rows(3)
    metric = PROBABILITY_METRICS[name]
    groups = customers if grouped else None
    fast = bootstrap_values(y, probability, metric, n_boot=40, seed=5, groups=groups)
    per_resample = bootstrap_values(y, probability, lambda a, b: metric(a, b), n_boot=40, seed=5, groups=groups)
    np.testing.assert_allclose(fast, per_resample, rtol=0, atol=1e-12)


def test_chunks_do_not_change_the_values(monkeypatch):
    y, probability, customers = _rows(4)
    whole = bootstrap_values(y, probability, roc_auc_score, n_boot=30, seed=1, groups=customers)
    monkeypatch.setattr(weighted_metrics, "CHUNK_ENTRIES", len(y) * 7)  # 7 resamples per chunk, the last short
    np.testing.assert_array_equal(bootstrap_values(y, probability, roc_auc_score, n_boot=30, seed=1,
                                                   groups=customers), whole)


def test_an_undefined_resample_is_left_to_the_metric_itself():
    y, probability = np.array([1, 0, 0, 0]), np.array([0.9, 0.2, 0.3, 0.1])
    with pytest.warns(UserWarning, match="one class"):  # scikit-learn's warning, then NaN for that resample
        values = bootstrap_values(y, probability, roc_auc_score, n_boot=50, seed=0)
    positives = bootstrap_values(y, y.astype(float), lambda a, b: float(a.sum()), n_boot=50, seed=0)
    np.testing.assert_array_equal(np.isnan(values), (positives == 0) | (positives == len(y)))  # one class drawn
    assert np.isnan(values).any() and not np.isnan(values).all()


def test_paired_bootstrap_is_the_difference_on_shared_draws():
    y, probability, customers = _rows(6)
    other = np.clip(probability + np.random.default_rng(0).normal(0, 0.1, len(y)), 0, 1)
    paired = paired_bootstrap(y, probability, other, groups=customers, n_boot=60, seed=2)
    values = [roc_auc_score(y[idx], probability[idx]) - roc_auc_score(y[idx], other[idx])
              for idx in _grouped_draws(customers, 60, 2)]
    assert paired["difference"] == pytest.approx(roc_auc_score(y, probability) - roc_auc_score(y, other), abs=1e-15)
    assert paired["low"] == pytest.approx(np.quantile(values, 0.025), abs=1e-12)
    assert paired["p_not_better"] == pytest.approx(np.mean(np.array(values) <= 0))


def _grouped_draws(customers, n_boot, seed):
    import pandas as pd

    from rec_utils.evaluation.resampling import draws
    codes, uniques = pd.factorize(customers)
    for idx in draws(len(uniques), n_boot, seed):
        yield np.concatenate([np.flatnonzero(codes == g) for g in idx])
