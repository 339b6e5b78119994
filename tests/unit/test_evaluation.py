import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from rec_utils.evaluation.comparison import RankingRun, compare_runs
from rec_utils.evaluation.probability import (
    best_f1_threshold,
    bootstrap_ci,
    bootstrap_values,
    classification_summary,
    fit_calibrator,
    paired_bootstrap,
)
from rec_utils.evaluation.resampling import (
    bootstrap_means,
    draws,
    mean_interval,
    paired_difference,
    paired_differences,
    paired_verdict,
    percentile_interval,
    resampled,
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


def test_every_customer_bootstrap_draws_the_same_customers_for_the_same_seed():
    values = rng.random((300, 2))
    boot = bootstrap_means(values, n_boot=40, seed=3)
    by_rows = np.array([values[idx].mean(axis=0) for idx in draws(300, 40, seed=3)])
    np.testing.assert_allclose(boot, by_rows, rtol=1e-12)
    np.testing.assert_allclose(resampled(values[:, 0], np.mean, n_boot=40, seed=3), boot[:, 0], rtol=1e-12)
    # probability's group bootstrap draws the same customers: one row per customer gives the same means
    metric_boot = bootstrap_values(np.zeros(300), values[:, 0], lambda y, p: p.mean(), n_boot=40, seed=3,
                                   groups=np.arange(300) + 1000)
    np.testing.assert_allclose(metric_boot, boot[:, 0], rtol=1e-12)
    # compare_recommenders' intervals are the engine's: a run's interval is mean_interval of its values
    runs = {name: RankingRun(pd.DataFrame({"ndcg@10": values[:, i]}), np.zeros((300, 10), dtype=int))
            for i, name in enumerate(("a", "b"))}
    row = compare_runs(runs, ["a"], n_boot=40, seed=3).set_index("model").loc["b"]
    assert (row["mean"], row["low"], row["high"]) == pytest.approx(mean_interval(values[:, 1], n_boot=40, seed=3))
    diff = paired_difference(values[:, 1], values[:, 0], n_boot=40, seed=3)
    assert (row["diff_low"], row["diff_high"]) == pytest.approx((diff["low"], diff["high"]))
    with pytest.raises(ValueError, match="no customers"):
        bootstrap_means(np.zeros((0, 1)))


def test_percentile_interval_leaves_out_undefined_resamples():
    low, high = percentile_interval(np.r_[np.arange(101.0), np.nan], level=0.9)
    assert (low, high) == pytest.approx((5.0, 95.0))
    lows, highs = percentile_interval(np.column_stack([np.arange(101.0), -np.arange(101.0)]), level=0.5)
    np.testing.assert_allclose(lows, [25, -75]) and np.testing.assert_allclose(highs, [75, -25])
    with pytest.raises(ValueError, match="one value per customer"):
        paired_difference(np.zeros(3), np.zeros(4))


def test_paired_verdict_names_a_direction_only_when_the_interval_excludes_zero():
    values = {"A + x": np.ones(50), "B": np.zeros(50), "C": np.r_[np.ones(25), -np.ones(25)]}
    paired = paired_differences(values, [("A + x", "B"), ("B", "A + x"), ("C", "B")], n_boot=50)
    assert paired_verdict(paired, "A + x - B", metric="ndcg@10").endswith("excludes 0: A + x is higher")
    assert paired_verdict(paired, "B - A + x", metric="ndcg@10").endswith("excludes 0: B is lower")
    assert paired_verdict(paired, "C - B", metric="lift", digits=2).startswith("lift, C minus B: +0.00 [")
    assert paired_verdict(paired, "C - B", metric="lift").endswith("includes 0: no difference shown")
