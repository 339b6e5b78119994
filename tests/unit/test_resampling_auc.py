"""The fast customer-bootstrap ROC-AUC and log-loss (evaluation.resampling: group_draw_counts, weighted_auc,
auc_draws, auc_log_loss_table) are those of the drawn customers' rows: checked against scikit-learn on explicitly
repeated rows and against the generic bootstrap (probability.bootstrap_ci / metrics_table), ties included."""

import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from rec_utils.evaluation.grouped_auc import (
    _pair_wins,
    auc_difference,
    auc_draws,
    auc_interval,
    auc_log_loss_table,
    group_draw_counts,
    weighted_auc,
    weighted_log_loss,
)
from rec_utils.evaluation.probability import bootstrap_ci, metrics_table, paired_bootstrap


def _rows(seed: int, n: int = 900, n_customers: int = 120):
    rng = np.random.default_rng(seed)
    customers = rng.integers(1000, 1000 + n_customers, size=n)  # ids need not be 0..n-1
    y = (rng.random(n) < 0.3).astype(int)
    score = np.round(y + rng.normal(0, 1.5, n), 1)  # rounded: many ties, some across classes
    return y, score, customers


def test_weighted_auc_and_log_loss_equal_scikit_learn_on_repeated_rows():
    y, score, _ = _rows(4)
    probability = 1 / (1 + np.exp(-score))
    counts = np.random.default_rng(0).integers(0, 3, len(y))
    rows = np.repeat(np.arange(len(y)), counts)
    weights = counts[None].astype(float)
    assert weighted_auc(y, score, weights)[0] == pytest.approx(roc_auc_score(y[rows], score[rows]), abs=1e-12)
    assert weighted_log_loss(y, probability, weights)[0] == pytest.approx(log_loss(y[rows], probability[rows]),
                                                                          abs=1e-12)
    assert np.isnan(weighted_auc(y, score, (y == 1)[None].astype(float))[0])  # no negative drawn: undefined


def test_each_resample_is_the_auc_of_the_drawn_customers_rows():
    y, score, customers = _rows(0)
    points, draws = auc_draws(y, score, customers, n_boot=6, seed=3)
    assert points[0] == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    weights = group_draw_counts(customers, 6, 3)
    for b in range(6):
        rows = np.repeat(np.arange(len(y)), weights[b].astype(int))  # customer drawn r times: rows r times
        assert draws[b, 0] == pytest.approx(roc_auc_score(y[rows], score[rows]), abs=1e-12)


@pytest.mark.parametrize("chunk", [1, 7, 64, 10_000])
def test_pair_wins_do_not_depend_on_the_chunking(chunk):
    y, score, customers = _rows(1, n=300, n_customers=20)
    codes = np.unique(customers, return_inverse=True)[1]
    wins = _pair_wins(y, score, codes, 20, chunk=chunk)
    # by hand: for every customer pair, positives of c beating negatives of d, ties one half
    expected = np.zeros((20, 20))
    for c in range(20):
        for d in range(20):
            pos, neg = score[(codes == c) & (y == 1)], score[(codes == d) & (y == 0)]
            expected[c, d] = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    np.testing.assert_allclose(wins, expected)


def test_group_draws_are_whole_customers():
    weights = group_draw_counts(np.array([5, 5, 9, 7, 9]), n_boot=4, seed=0)
    assert weights.shape == (4, 5)
    np.testing.assert_array_equal(weights[:, 0], weights[:, 1])  # rows of one customer share their weight
    np.testing.assert_array_equal(weights[:, 2], weights[:, 4])
    np.testing.assert_array_equal(weights[:, [0, 2, 3]].sum(axis=1), 3)  # three customers drawn per resample


def test_same_numbers_as_the_generic_grouped_bootstrap():
    y, score, customers = _rows(2, n=2000, n_customers=300)
    assert auc_interval(y, score, customers, n_boot=100, seed=5) == pytest.approx(
        bootstrap_ci(y, score, roc_auc_score, n_boot=100, seed=5, groups=customers), abs=1e-12)
    weights = group_draw_counts(customers, 100, 5)  # the row-weight path draws the same customers
    np.testing.assert_allclose(auc_draws(y, score, customers, n_boot=100, seed=5)[1][:, 0],
                               weighted_auc(y, score, weights), atol=1e-12)
    probability_a = 1 / (1 + np.exp(-score))
    probability_b = np.clip(0.3 + 0.1 * np.random.default_rng(1).random(len(y)), 0.01, 0.99)
    models = {"a": probability_a, "b": probability_b}
    fast = auc_log_loss_table(y, models, groups=customers, reference="b", n_boot=60, seed=5)
    slow = metrics_table(y, models, n_boot=60, seed=5, groups=customers)
    for column in slow.columns:
        np.testing.assert_allclose(fast[column], slow[column], atol=1e-12)
    paired = paired_bootstrap(y, probability_a, probability_b, groups=customers, n_boot=60, seed=5)
    for fast_column, key in [("Δ AUC vs reference", "difference"), ("Δ low", "low"), ("Δ high", "high"),
                             ("P(not better)", "p_not_better")]:
        assert fast.loc["a", fast_column] == pytest.approx(paired[key], abs=1e-12)


def test_paired_difference_shares_the_draws():
    y, score, customers = _rows(3)
    same = auc_difference(y, score, score, customers, n_boot=50)
    assert same["difference"] == same["low"] == same["high"] == 0.0 and same["p_not_better"] == 1.0
    better = auc_difference(y, score + 3 * y, score, customers, n_boot=50)
    assert better["low"] > 0 and better["p_not_better"] == 0.0
    assert better["difference"] == pytest.approx(roc_auc_score(y, score + 3 * y) - roc_auc_score(y, score))


def test_named_errors():
    with pytest.raises(ValueError, match="both present"):
        auc_draws(np.zeros(4), np.arange(4.0), np.arange(4))
    with pytest.raises(ValueError, match="one entry per row"):
        auc_draws(np.array([0, 1]), np.arange(3.0), np.arange(2))


def test_over_runs_reduces_to_the_customer_bootstrap_when_the_runs_agree_and_widens_when_they_do_not():
    """S identical runs give paired_difference's numbers (the run draws change nothing); runs that differ from each
    other widen the interval, because each resample draws the runs too."""
    from rec_utils.evaluation.grouped_auc import auc_difference_over_runs
    from rec_utils.evaluation.resampling import paired_difference, paired_difference_over_runs

    rng = np.random.default_rng(0)
    a, b = rng.normal(0.3, 1.0, 500), rng.normal(0.0, 1.0, 500)
    same = paired_difference_over_runs(np.tile(a, (5, 1)), b, n_boot=300, seed=1)
    single = paired_difference(a, b, n_boot=300, seed=1)
    assert [same[key] for key in ("difference", "low", "high")] == pytest.approx(
        [single[key] for key in ("difference", "low", "high")])
    assert same["runs"] == 5 and same["run_sd"] == 0
    spread = paired_difference_over_runs(a + np.linspace(-0.5, 0.5, 5)[:, None], b, n_boot=300, seed=1)
    assert spread["difference"] == pytest.approx(single["difference"])
    assert spread["high"] - spread["low"] > 1.5 * (single["high"] - single["low"])
    assert spread["run_min"] == pytest.approx(single["difference"] - 0.5)

    customers = np.repeat(np.arange(100), 6)
    y = rng.integers(0, 2, customers.size)
    score, reference = y + rng.normal(0, 1.5, y.size), y + rng.normal(0, 2.0, y.size)
    runs = auc_difference_over_runs(y, np.column_stack([score] * 3), reference, customers, n_boot=200, seed=2)
    one = auc_difference(y, score, reference, customers, n_boot=200, seed=2)
    assert [runs[key] for key in ("difference", "low", "high")] == pytest.approx(
        [one[key] for key in ("difference", "low", "high")])
