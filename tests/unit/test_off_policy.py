"""Off-policy estimators (IPS, SNIPS, DM, DR, replay) and the Gini coefficient of exposure."""

import numpy as np
import pytest

from rec_utils.evaluation.concentration import gini, lorenz_share
from rec_utils.evaluation.off_policy import (
    ZeroPropensityError,
    direct_method,
    doubly_robust,
    ips,
    replay,
    snips,
)


def _bandit_problem(seed=0, n=4000, n_actions=4):
    """A k = 1 contextual bandit: true click probabilities (n, A), a stochastic logging policy, a target."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.6, size=(n, n_actions))
    logging = rng.dirichlet(np.ones(n_actions), size=n) * 0.8 + 0.2 / n_actions  # every action possible
    target = np.eye(n_actions)[np.argmax(p + rng.normal(0, 0.1, p.shape), axis=1)]  # a decent deterministic policy
    return p, logging, target


def _log(rng, p, logging):
    """One logged data set: the action drawn from the logging policy, its click; rewards (n, A), shown (n, A)."""
    cdf = np.cumsum(logging, axis=1)
    action = np.minimum((rng.random((len(p), 1)) > cdf).sum(axis=1), p.shape[1] - 1)
    shown = np.eye(p.shape[1], dtype=bool)[action]
    rewards = np.where(shown, rng.random(p.shape) < p, 0).astype(float)
    return rewards, shown


def test_ips_is_unbiased_within_its_monte_carlo_standard_error():
    p, logging, target = _bandit_problem()
    truth = np.mean(np.sum(target * p, axis=1))  # the target's value on these contexts
    rng = np.random.default_rng(1)
    estimates = {"IPS": [], "DR": []}
    biased_model = np.clip(p + 0.15, 0, 1)  # a wrong reward model: DR must still be unbiased
    for _ in range(400):
        rewards, shown = _log(rng, p, logging)
        estimates["IPS"].append(ips(rewards, shown, logging, target))
        estimates["DR"].append(doubly_robust(rewards, shown, logging, target, biased_model))
    for values in estimates.values():
        values = np.array(values)
        standard_error = values.std(ddof=1) / np.sqrt(len(values))
        assert abs(values.mean() - truth) < 3 * standard_error
    assert direct_method(biased_model, target) - truth == pytest.approx(0.15, abs=0.01)  # DM inherits the bias


def test_slate_ips_with_inclusion_probabilities_is_unbiased():
    """k of M shown uniformly at random (inclusion k/M), additive independent clicks."""
    rng = np.random.default_rng(2)
    n, m, k = 3000, 6, 2
    p = rng.uniform(0.05, 0.5, size=(n, m))
    target = np.zeros((n, m))
    np.put_along_axis(target, np.argsort(-p, axis=1)[:, :k], 1.0, axis=1)
    truth = np.mean(np.sum(target * p, axis=1))
    logging = np.full((n, m), k / m)
    values = []
    for _ in range(300):
        shown = np.zeros((n, m), dtype=bool)
        np.put_along_axis(shown, np.argsort(rng.random((n, m)), axis=1)[:, :k], True, axis=1)
        rewards = np.where(shown, rng.random((n, m)) < p, 0).astype(float)
        values.append(ips(rewards, shown, logging, target))
        assert replay(rewards, shown, logging, target) == pytest.approx(snips(rewards, shown, logging, target))
    values = np.array(values)
    assert abs(values.mean() - truth) < 3 * values.std(ddof=1) / np.sqrt(len(values))


def test_estimators_on_a_hand_example():
    rewards = np.array([[1.0, 0.0], [0.0, 0.0]])
    shown = np.array([[True, False], [False, True]])
    logging = np.array([[0.5, 0.5], [0.25, 0.75]])
    target = np.array([[1.0, 0.0], [0.0, 1.0]])
    predicted = np.array([[0.6, 0.2], [0.1, 0.3]])
    assert ips(rewards, shown, logging, target) == pytest.approx((1 / 0.5 * 1 + 1 / 0.75 * 0) / 2)
    assert snips(rewards, shown, logging, target) == pytest.approx(1.0 * (2.0 * 1) / (2.0 + 1 / 0.75))
    assert direct_method(predicted, target) == pytest.approx((0.6 + 0.3) / 2)
    assert doubly_robust(rewards, shown, logging, target, predicted) == pytest.approx(
        0.45 + (2.0 * (1 - 0.6) + (1 / 0.75) * (0 - 0.3)) / 2)
    assert doubly_robust(rewards, shown, logging, target, np.zeros((2, 2))) == pytest.approx(
        ips(rewards, shown, logging, target))


def test_zero_propensity_for_a_logged_action_is_a_named_error():
    rewards, shown = np.array([[1.0, 0.0]]), np.array([[True, False]])
    for bad in (np.array([[0.0, 1.0]]), np.array([[np.nan, 1.0]]), np.array([[1.5, 0.0]])):
        for estimator in (ips, snips, replay):
            with pytest.raises(ZeroPropensityError, match="logging propensity"):
                estimator(rewards, shown, bad, np.array([[1.0, 0.0]]))
    # a zero propensity where nothing was logged is fine
    assert ips(rewards, shown, np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])) == 1.0


def test_replay_refuses_non_uniform_logging_and_empty_matches():
    rewards, shown = np.array([[1.0, 0.0]]), np.array([[True, False]])
    with pytest.raises(ValueError, match="uniformly random"):
        replay(rewards, shown, np.array([[0.7, 0.3]]), np.array([[1.0, 0.0]]))
    with pytest.raises(ValueError, match="no logged action"):
        replay(rewards, shown, np.array([[0.5, 0.5]]), np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="shape"):
        ips(rewards, shown, np.array([0.5, 0.5]), np.array([[1.0, 0.0]]))


def _dense_reference(rewards, shown, logging, target, predicted):
    """The estimators as first written, on full (n, M) arrays: the formulas the shown-entries code must equal."""
    w = np.where(shown, target / np.where(shown, logging, 1.0), 0.0)
    r = np.nan_to_num(rewards)
    dm = np.mean(np.sum(target * predicted, axis=1))
    return {"ips": np.mean(np.sum(w * r, axis=1)),
            "snips": np.mean(np.sum(target, axis=1)) * np.sum(w * r) / np.sum(w),
            "dm": dm, "dr": dm + np.mean(np.sum(w * (r - predicted), axis=1))}


@pytest.mark.parametrize("seed, k", [(0, 1), (1, 3), (2, 5)])
def test_shown_entry_estimators_equal_the_dense_formulas(seed, k):
    """Random slates of k of M = 7 candidates; unshown entries hold junk (NaN rewards, zero propensities) that
    every estimator must ignore."""
    rng = np.random.default_rng(seed)
    n, m = 5000, 7
    shown = np.zeros((n, m), dtype=bool)
    np.put_along_axis(shown, np.argsort(rng.random((n, m)), axis=1)[:, :k], True, axis=1)
    logging = np.where(shown | (rng.random((n, m)) < 0.5), rng.uniform(0.05, 1.0, (n, m)), 0.0)
    target = rng.uniform(0, 1, (n, m)) * (rng.random((n, m)) < 0.7)
    rewards = np.where(shown, rng.random((n, m)) < 0.3, np.nan)
    predicted = rng.uniform(0, 1, (n, m))
    expected = _dense_reference(rewards, shown, logging, target, predicted)
    got = {"ips": ips(rewards, shown, logging, target), "snips": snips(rewards, shown, logging, target),
           "dm": direct_method(predicted, target), "dr": doubly_robust(rewards, shown, logging, target, predicted)}
    for name, value in got.items():
        assert value == pytest.approx(expected[name], rel=0, abs=1e-12), name
    assert ips(shown.astype(int), shown, logging, target) == pytest.approx(
        _dense_reference(shown.astype(float), shown, logging, target, predicted)["ips"], rel=0, abs=1e-12)


def test_mismatched_or_empty_inputs_are_named():
    shown = np.array([[True, False]])
    logging, target = np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]])
    with pytest.raises(ValueError, match="rewards"):
        ips(np.array([[1.0]]), shown, logging, target)
    with pytest.raises(ValueError, match="predicted"):
        doubly_robust(np.array([[1.0, 0.0]]), shown, logging, target, np.array([[0.1]]))
    with pytest.raises(ValueError, match="target propensities"):
        ips(np.array([[1.0, 0.0]]), shown, logging, np.array([[1.5, 0.0]]))
    # IPS reads the target at the shown entry only; SNIPS also sums every entry, so it checks them all
    assert ips(np.array([[1.0, 0.0]]), shown, logging, np.array([[1.0, -0.5]])) == 2.0
    with pytest.raises(ValueError, match="target propensities"):
        snips(np.array([[1.0, 0.0]]), shown, logging, np.array([[1.0, -0.5]]))
    with pytest.raises(ValueError, match="empty"):
        ips(np.zeros((0, 2)), np.zeros((0, 2), bool), np.zeros((0, 2)), np.zeros((0, 2)))


def test_gini():
    assert gini(np.array([3, 3, 3, 3])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 8])) == pytest.approx(0.75)  # (n-1)/n: everything on one item
    counts = np.random.default_rng(0).poisson(3.0, size=(3, 50)) + 1
    mean_abs_difference = np.abs(counts[:, :, None] - counts[:, None, :]).mean(axis=(1, 2))
    np.testing.assert_allclose(gini(counts), mean_abs_difference / (2 * counts.mean(axis=1)))
    for bad in (np.array([]), np.array([0, 0]), np.array([1, -1])):
        with pytest.raises(ValueError):
            gini(bad)
    assert lorenz_share(np.array([0, 0, 0, 8]), 0.25) == 1.0
