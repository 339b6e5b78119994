"""The fast customer-bootstrap ROC-AUC (evaluation.resampling.auc_draws) is the AUC of the drawn customers' rows:
checked against scikit-learn on explicitly concatenated resamples, ties and chunk boundaries included."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from rec_utils.evaluation.probability import bootstrap_ci
from rec_utils.evaluation.resampling import (
    _pair_wins,
    auc_difference,
    auc_draws,
    auc_interval,
    customer_draw_counts,
)


def _rows(seed: int, n: int = 900, n_customers: int = 120):
    rng = np.random.default_rng(seed)
    customers = rng.integers(1000, 1000 + n_customers, size=n)  # ids need not be 0..n-1
    y = (rng.random(n) < 0.3).astype(int)
    score = np.round(y + rng.normal(0, 1.5, n), 1)  # rounded: many ties, some across classes
    return y, score, customers


def test_each_resample_is_the_auc_of_the_drawn_customers_rows():
    y, score, customers = _rows(0)
    points, draws = auc_draws(y, score, customers, n_boot=6, seed=3)
    assert points[0] == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    codes = np.unique(customers, return_inverse=True)[1]
    counts = customer_draw_counts(codes.max() + 1, 6, 3)
    for b in range(6):
        rows = np.repeat(np.arange(len(y)), counts[b][codes].astype(int))  # customer drawn r times: rows r times
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


def test_interval_agrees_with_the_generic_grouped_bootstrap_in_distribution():
    y, score, customers = _rows(2, n=2000, n_customers=300)
    fast = auc_interval(y, score, customers, n_boot=400, seed=0)
    slow = bootstrap_ci(y, score, roc_auc_score, n_boot=400, seed=1, groups=customers)
    assert fast[0] == pytest.approx(slow[0])
    width_fast, width_slow = fast[2] - fast[1], slow[2] - slow[1]
    assert width_fast == pytest.approx(width_slow, rel=0.3)  # same resampling scheme, different draws


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
