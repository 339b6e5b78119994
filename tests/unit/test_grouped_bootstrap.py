"""The vectorised customer bootstrap agrees with the reference implementation row for row."""

import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from rec_utils.evaluation.grouped_bootstrap import interval_table, resample_weights, weighted_auc, weighted_log_loss
from rec_utils.evaluation.probability import metrics_table, paired_bootstrap


def _data():
    rng = np.random.default_rng(2)
    groups = rng.integers(0, 120, 1500)
    y = rng.integers(0, 2, 1500)
    a = np.round(np.clip(0.3 * y + 0.7 * rng.random(1500), 0.01, 0.99), 2)  # rounded: many ties
    b = np.clip(0.1 * y + 0.9 * rng.random(1500), 0.01, 0.99)
    return y, a, b, groups


def test_weighted_auc_equals_roc_auc_on_duplicated_rows():
    y, a, _, _ = _data()
    counts = np.random.default_rng(0).integers(0, 3, len(y))
    rows = np.repeat(np.arange(len(y)), counts)
    assert weighted_auc(y, a, counts[None].astype(float))[0] == pytest.approx(roc_auc_score(y[rows], a[rows]),
                                                                             abs=1e-12)
    assert weighted_log_loss(y, a, counts[None].astype(float))[0] == pytest.approx(log_loss(y[rows], a[rows]),
                                                                                  abs=1e-12)


def test_same_intervals_as_the_reference_bootstrap():
    y, a, b, groups = _data()
    fast = interval_table(y, {"a": a, "b": b}, groups=groups, reference="b", n_boot=60, seed=5)
    slow = metrics_table(y, {"a": a, "b": b}, n_boot=60, seed=5, groups=groups)
    for column in slow.columns:
        np.testing.assert_allclose(fast[column], slow[column], atol=1e-12)
    paired = paired_bootstrap(y, a, b, groups=groups, n_boot=60, seed=5)
    assert fast.loc["a", "Δ AUC vs reference"] == pytest.approx(paired["difference"], abs=1e-12)
    assert fast.loc["a", "Δ low"] == pytest.approx(paired["low"], abs=1e-12)
    assert fast.loc["a", "Δ high"] == pytest.approx(paired["high"], abs=1e-12)
    assert fast.loc["a", "P(not better)"] == pytest.approx(paired["p_not_better"], abs=1e-12)


def test_resample_weights_draw_whole_groups():
    weights = resample_weights(np.array([5, 5, 9, 7, 9]), n_boot=4, seed=0)
    assert weights.shape == (4, 5)
    np.testing.assert_array_equal(weights[:, 0], weights[:, 1])  # rows of one group share their weight
    np.testing.assert_array_equal(weights[:, 2], weights[:, 4])
    np.testing.assert_array_equal(weights[:, [0, 2, 3]].sum(axis=1), 3)  # three groups drawn per resample
