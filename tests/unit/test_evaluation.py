import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from rec_utils.evaluation.probability import (
    best_f1_threshold,
    bootstrap_ci,
    classification_summary,
    fit_calibrator,
    paired_bootstrap,
)

rng = np.random.default_rng(0)
Y = rng.integers(0, 2, 2000)
GOOD = np.clip(0.25 + 0.5 * Y + rng.normal(0, 0.2, 2000), 0.01, 0.99)
NOISE = rng.uniform(0.01, 0.99, 2000)


def test_summary_matches_scikit_learn_and_the_constant_predictor():
    s = classification_summary(Y, GOOD)
    assert s["ROC-AUC"] == pytest.approx(roc_auc_score(Y, GOOD)) and s["log-loss"] == pytest.approx(log_loss(Y, GOOD))
    constant = classification_summary(Y, np.full(len(Y), 0.3))
    assert constant["accuracy"] == pytest.approx(1 - Y.mean()) and constant["ROC-AUC"] == 0.5


def test_threshold_and_calibration():
    assert 0.2 < best_f1_threshold(Y, GOOD) < 0.8
    overconfident = np.clip(GOOD ** 3, 1e-3, 1 - 1e-3)
    for method in ("platt", "isotonic"):
        calibrated = fit_calibrator(Y, overconfident, method)(overconfident)
        assert log_loss(Y, calibrated) < log_loss(Y, overconfident)
    with pytest.raises(ValueError):
        fit_calibrator(Y, GOOD, "magic")


def test_paired_bootstrap_detects_a_real_difference_and_not_a_fake_one():
    real = paired_bootstrap(Y, GOOD, NOISE, n_boot=100)
    assert real["low"] > 0 and real["p_not_better"] == 0
    same = paired_bootstrap(Y, GOOD, GOOD, n_boot=20)
    assert same["difference"] == 0 and same["p_not_better"] == 1
    point, low, high = bootstrap_ci(Y, GOOD, roc_auc_score, n_boot=50, groups=np.arange(2000) // 10)
    assert low < point < high
