"""Exposure and fairness metrics on hand-computed cases; customer-bootstrap helpers."""

import numpy as np
import pandas as pd
import pytest

from rec_utils.evaluation.fairness import (
    disparate_treatment_ratio,
    exposure_table,
    item_exposure,
    mean_by_group,
    metric_by_group,
    popularity_buckets,
    position_weights,
    rerank_for_exposure,
)
from rec_utils.evaluation.resampling import mean_interval, paired_difference, ratio_interval

SECOND = 1 / np.log2(3)  # attention at rank 2


def test_exposure_by_group_and_singh_joachims_ratio_by_hand():
    np.testing.assert_allclose(position_weights(3), [1.0, SECOND, 0.5])
    recommended = np.array([[0, 2], [0, 1]])
    exposure = item_exposure(recommended, 4)
    np.testing.assert_allclose(exposure, [2.0, SECOND, SECOND, 0.0])
    table = exposure_table(exposure, merit=np.ones(4), groups=np.array(["A", "A", "B", "B"]))
    total = 2 + 2 * SECOND
    assert table.loc["A", "exposure_share"] == pytest.approx((2 + SECOND) / total)
    assert table.loc["B", "merit_share"] == pytest.approx(0.5)
    assert table.attrs["gap"] == pytest.approx((2 + SECOND) / total - 0.5)
    # Exposure(B)/Merit(B) over Exposure(A)/Merit(A) with per-item means: (SECOND / 2) / ((2 + SECOND) / 2)
    assert disparate_treatment_ratio(table, "B", "A") == pytest.approx(SECOND / (2 + SECOND))
    proportional = exposure_table(np.array([2.0, 2.0, 1.0]), np.array([4.0, 4.0, 2.0]), np.array(["x", "x", "y"]))
    assert proportional.attrs["gap"] == pytest.approx(0.0)
    np.testing.assert_allclose(proportional["exposure_to_merit"], 1.0)


def test_popularity_buckets_follow_cumulative_shares():
    buckets = popularity_buckets(np.array([5, 30, 50, 10, 5]), head_share=0.2, tail_share=0.2)
    # sorted 50 | 30 | 10 5 5: shares above each item 0, .5, .8, .9, .95
    assert list(buckets) == ["tail", "mid", "head", "tail", "tail"]


def test_metric_by_group_uses_fairlearn_values_and_customer_intervals():
    rng = np.random.default_rng(0)
    groups = np.repeat(["a", "b"], 200)
    values = np.r_[rng.normal(0.2, 0.05, 200), rng.normal(0.4, 0.05, 200)]
    table = mean_by_group(np.append(values, np.nan), np.append(groups, "a"), n_boot=100)
    assert list(table.index) == ["overall", "a", "b"]
    assert table.loc["a", "value"] == pytest.approx(values[:200].mean())
    assert table.loc["b", "difference"] == pytest.approx(values[200:].mean() - values.mean())
    assert (table["low"] <= table["value"]).all() and (table["value"] <= table["high"]).all()
    assert table.loc["a", "high"] < table.loc["b", "low"]
    # per-row metric with several rows per customer: the interval resamples customers
    y = np.tile([0, 1], 200)
    score = y + rng.normal(0, 1.0, 400)
    customers = np.repeat(np.arange(100), 4)
    auc = metric_by_group(y, score, groups, lambda t, s: float(np.mean(s[t == 1]) - np.mean(s[t == 0])),
                          customers=customers, n_boot=50)
    assert auc.loc["overall", "n_rows"] == 400


def test_rerank_trades_position_for_exposure_deficit():
    candidates = np.array([[0, 1, 2, 3]])
    groups = np.array(["A", "A", "B", "B"])
    target = {"A": 0.5, "B": 0.5}
    np.testing.assert_array_equal(rerank_for_exposure(candidates, groups, 2, 0.0, target), [[0, 1]])
    np.testing.assert_array_equal(rerank_for_exposure(candidates, groups, 2, 0.3, target), [[0, 2]])
    np.testing.assert_array_equal(rerank_for_exposure(candidates, groups, 2, 1.0, target), [[2, 3]])
    with pytest.raises(ValueError):
        rerank_for_exposure(candidates, groups, 5, 1.0, target)


def test_customer_bootstrap_helpers():
    values = np.r_[np.arange(10.0), np.nan]
    mean, low, high = mean_interval(values, n_boot=200, seed=0)
    assert mean == pytest.approx(4.5) and low < mean < high
    ratio, low, high = ratio_interval(np.array([1, 0, 2]), np.array([2, 2, 2]), n_boot=100)
    assert ratio == pytest.approx(0.5) and 0 <= low <= ratio <= high <= 1
    same = paired_difference(values, values, n_boot=50)
    assert same["difference"] == same["low"] == same["high"] == 0.0 and same["p_not_better"] == 1.0
    better = paired_difference(np.ones(50), np.zeros(50), denominator=np.full(50, 2.0), n_boot=50)
    assert better["difference"] == pytest.approx(0.5) and better["p_not_better"] == 0.0
    with pytest.raises(ValueError):
        mean_interval(np.array([np.nan]))


def test_exposure_table_groups_are_sorted_labels():
    table = exposure_table(np.array([1.0, 0.0]), np.array([1.0, 1.0]), np.array(["new", "established"]))
    assert list(table.index) == ["established", "new"]
    assert isinstance(table, pd.DataFrame)


def test_group_metrics_compare_each_group_with_the_rest_and_auc_uses_the_fast_bootstrap():
    from sklearn.metrics import roc_auc_score

    from rec_utils.evaluation.fairness import auc_by_group

    rng = np.random.default_rng(1)
    customers = np.repeat(np.arange(200), 5)
    groups = np.where(customers < 100, "a", "b")
    y = (rng.random(1000) < 0.3).astype(int)
    score = y * np.where(groups == "a", 2.0, 0.2) + rng.normal(0, 1, 1000)  # group a is far easier to rank
    table = auc_by_group(y, score, groups, customers, n_boot=100)
    assert table.loc["a", "value"] == pytest.approx(roc_auc_score(y[groups == "a"], score[groups == "a"]))
    assert table.loc["a", "vs_rest"] == pytest.approx(table.loc["a", "value"] - table.loc["b", "value"])
    assert table.loc["a", "vs_rest_low"] > 0 and table.loc["b", "vs_rest_high"] < 0
    assert np.isnan(table.loc["overall", "vs_rest"])
    means = mean_by_group(np.r_[np.zeros(50), np.ones(50)], np.repeat(["x", "y"], 50), n_boot=50)
    assert means.loc["y", "vs_rest"] == 1.0 and means.loc["y", "vs_rest_low"] == 1.0


def test_exposure_target_and_rerank_strength_are_set_before_the_window():
    import scipy.sparse as sp

    from rec_utils.evaluation.fairness import exposure_target, tune_rerank_strength

    history = pd.DataFrame({"CustomerID": [1, 2, 3, 1], "StockCode": ["h", "h", "t", "t"],
                            "InvoiceDate": pd.to_datetime(["2011-01-01", "2011-01-25", "2011-01-26", "2011-02-02"])})
    items = pd.Index(["h", "t"])
    target = exposure_target(history, items, np.array(["head", "tail"]), pd.Timestamp("2011-02-01"), days=10)
    assert target == {"head": 0.5, "tail": 0.5}  # buyers in [Jan 22, Feb 1): h by 2, t by 3; Feb 2 is after
    with pytest.raises(ValueError):
        exposure_target(history, items, np.array(["head", "tail"]), pd.Timestamp("2010-01-01"))
    # two users, candidates: two head items then two tail items; the tail holds all the merit
    candidates = np.array([[0, 1, 2, 3], [0, 1, 2, 3]])
    groups = np.array(["head", "head", "tail", "tail"])
    relevant = sp.csr_matrix(np.array([[0, 0, 1, 0], [0, 0, 0, 1]]))
    strength, table = tune_rerank_strength(candidates, relevant, groups, 2, [2.0, 0.3, 0.6], {"head": 0.5, "tail": 0.5})
    assert list(table["strength"]) == [0.0, 0.3, 0.6, 2.0]
    assert table.loc[0, "gap"] == 1.0 and table.loc[0, "ndcg"] == 0.0
    # 0.3 moves one tail item to rank 2 (gap 1 - 1/(1 + 1/log2 3) > 0.5); 0.6 puts it first (gap < 0.5)
    assert table.loc[1, "gap"] > 0.5 >= table.loc[2, "gap"]
    assert strength == 0.6 and table["chosen"].sum() == 1  # the smallest strength that halves the gap
