"""Group-fairness criteria with customer-bootstrap intervals, and the calibrated exposure constraint."""

import numpy as np
import pytest

from rec_utils.evaluation.exposure_quota import rerank_to_exposure_quota
from rec_utils.evaluation.fairness import exposure_table, item_exposure, position_weights
from rec_utils.evaluation.group_criteria import CRITERIA, group_criteria, group_rates


@pytest.fixture(scope="module")
def decisions():
    rng = np.random.default_rng(3)
    customers = rng.integers(0, 300, 6000)
    groups = np.array(["low", "medium", "high"])[customers % 3]
    y = (rng.random(6000) < 0.2 + 0.1 * (customers % 3 == 0)).astype(int)
    decision = (rng.random(6000) < 0.25 + 0.15 * y + 0.1 * (customers % 3 == 1)).astype(int)
    return y, decision, groups, customers


def test_criteria_equal_fairlearns_and_their_intervals_cover_them(decisions):
    y, decision, groups, customers = decisions
    table = group_criteria(y, decision, groups, customers, n_boot=300, seed=1)
    assert list(table.index) == list(CRITERIA)
    for name, criterion in CRITERIA.items():
        assert table.loc[name, "value"] == pytest.approx(criterion(y, decision, sensitive_features=groups), abs=1e-12)
        assert table.loc[name, "low"] <= table.loc[name, "value"] <= table.loc[name, "high"]
    rates = group_rates(y, decision, groups)
    spread = rates["selection rate"].max() - rates["selection rate"].min()
    assert table.loc["demographic-parity difference", "value"] == pytest.approx(spread)
    assert rates["n_rows"].sum() == len(y)


def test_equal_treatment_gives_zero_difference_and_unit_ratio():
    customers = np.repeat(np.arange(40), 4)
    groups = np.where(customers < 20, "a", "b")
    y = np.tile([1, 0, 1, 0], 40)
    decision = np.tile([1, 1, 0, 0], 40)
    table = group_criteria(y, decision, groups, customers, n_boot=50, seed=0)
    assert table.loc["demographic-parity difference", "value"] == 0
    assert table.loc["equalized-odds ratio", "value"] == 1


def test_bad_inputs_are_named(decisions):
    y, decision, groups, customers = decisions
    with pytest.raises(ValueError, match="0/1"):
        group_criteria(y, decision * 0.7, groups, customers)
    with pytest.raises(ValueError, match="one group"):
        group_criteria(y, decision, np.roll(groups, 1), customers)
    with pytest.raises(ValueError, match="one entry per row"):
        group_criteria(y[:-1], decision, groups, customers)


def test_quota_holds_every_groups_exposure_share_to_its_target():
    rng = np.random.default_rng(0)
    n_items = 600
    item_groups = rng.choice(["head", "mid", "tail"], n_items, p=[0.1, 0.3, 0.6])
    candidates = np.argsort(rng.random((200, n_items)), axis=1)[:, :50]
    target = {"head": 0.5, "mid": 0.3, "tail": 0.2}
    lists = rerank_to_exposure_quota(candidates, item_groups, 10, target)
    shares = exposure_table(item_exposure(lists, n_items), np.ones(n_items), item_groups)["exposure_share"]
    total = position_weights(10).sum() * len(lists)
    for group, share in target.items():  # within one slot's attention of the target
        assert abs(shares[group] - share) <= 1 / total + 1e-12
    for user, row in enumerate(lists):  # each list: distinct candidates, in candidate order within a group
        assert len(set(row)) == 10 and set(row) <= set(candidates[user])
        for group in target:
            position = [list(candidates[user]).index(i) for i in row if item_groups[i] == group]
            assert position == sorted(position)


def test_quota_rejects_targets_that_are_not_shares():
    candidates = np.arange(20).reshape(2, 10)
    with pytest.raises(ValueError, match="summing to 1"):
        rerank_to_exposure_quota(candidates, np.array(["a", "b"] * 10), 5, {"a": 0.7, "b": 0.7})
    with pytest.raises(ValueError, match="k must be"):
        rerank_to_exposure_quota(candidates, np.array(["a", "b"] * 10), 11, {"a": 0.5, "b": 0.5})
