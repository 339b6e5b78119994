"""The ceilings computed from the simulator's generative model agree with independent Monte Carlo and with the
clicks they predict."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from rec_utils.data.fashion import load_fashion_mnist
from rec_utils.simulation.ceilings import (
    achievable_probability,
    history_probability,
    monte_carlo_achievable,
    query_likelihood,
)
from rec_utils.simulation.clicks import AMBIGUOUS_WORDS, PRECISE_WORDS, SimulatorConfig, simulate

CONFIG = SimulatorConfig(n_items=400, n_users=300, sessions_per_user=5, seed=7)


@pytest.fixture(scope="module")
def sim():
    images, labels, _ = load_fashion_mnist("test")
    return simulate(images[:3000], labels[:3000], CONFIG)


def test_query_likelihood_is_a_distribution_over_queries_for_every_class():
    table = query_likelihood(CONFIG)
    assert set(table) == {w for ws in PRECISE_WORDS.values() for w in ws} | set(AMBIGUOUS_WORDS)
    np.testing.assert_allclose(sum(table.values()), np.ones(10))  # Σ_q P(q | c) = 1 for each class c
    assert table["boot"][9] == pytest.approx(CONFIG.precise_query_rate)
    assert table["shoes"][7] == pytest.approx((1 - CONFIG.precise_query_rate) / 1)  # sneaker: one ambiguous word


def test_quadrature_matches_forward_monte_carlo(sim):
    rows = np.arange(0, len(sim.impressions), 37)
    exact = achievable_probability(sim)[rows]
    estimate, error = monte_carlo_achievable(sim, rows, n_samples=60_000, seed=3)
    z = (exact - estimate) / error
    assert np.abs(z).max() < 4.5  # ~160 rows: |z| > 4.5 has probability < 1e-3 when the two agree


def test_more_quadrature_nodes_change_nothing(sim):
    part = dataclasses.replace(sim, impressions=sim.impressions.iloc[:1000])
    np.testing.assert_allclose(achievable_probability(part), achievable_probability(part, n_nodes=120), atol=1e-7)


def test_history_estimate_reduces_to_the_achievable_probability_in_first_sessions(sim):
    users = np.arange(60)
    estimate = history_probability(sim, users, n_samples=2000, seed=0)
    first = (sim.impressions["session_id"].to_numpy()[estimate.rows] % CONFIG.sessions_per_user) == 0
    exact = achievable_probability(sim)[estimate.rows[first]]
    z = (estimate.probability[first] - exact) / estimate.standard_error[first]
    assert np.abs(z).max() < 5


def test_history_estimate_is_calibrated_on_the_clicks_it_predicts(sim):
    users = np.arange(CONFIG.n_users)
    estimate = history_probability(sim, users, n_samples=400, seed=1)
    clicked = sim.impressions["clicked"].to_numpy()[estimate.rows]
    bins = pd.qcut(estimate.probability, 5, labels=False)
    for b in range(5):
        inside = bins == b
        p = estimate.probability[inside].mean()
        assert abs(clicked[inside].mean() - p) < 4 * np.sqrt(p * (1 - p) / inside.sum()) + 0.01
    assert estimate.effective_samples.min() >= 1 and (estimate.standard_error >= 0).all()


def test_history_ceiling_matches_forward_simulation_by_rejection():
    """E[p | query, item, earlier session] for one user, against a sampler that shares nothing with the importance
    sampler: draw θ, t, s and each session's target from their priors, keep the draws whose simulated clicks on the
    earlier result page equal the observed ones (weighted by the likelihood of the two observed queries)."""
    config = SimulatorConfig(n_items=200, n_users=40, sessions_per_user=2, items_per_session=2, seed=3)
    images, labels, _ = load_fashion_mnist("test")
    world = simulate(images[:1000], labels[:1000], config)
    rows = np.flatnonzero(world.impressions["user_id"].to_numpy() == 5)
    estimate = history_probability(world, np.array([5]), n_samples=20_000, seed=0)
    later = estimate.rows[2:]  # the second session's two impressions
    log = world.impressions.iloc[rows]
    rng = np.random.default_rng(1)
    m = 2_000_000
    theta = rng.dirichlet(np.full(10, config.taste_concentration), size=m)
    taste, sensitivity = rng.standard_normal((m, config.visual_dims)), rng.random(m)
    likelihood = query_likelihood(config)
    weight = np.ones(m)
    for session, (first, last) in enumerate(((0, 2), (2, 4))):
        target = (theta.cumsum(axis=1) > rng.random(m)[:, None]).argmax(axis=1)
        query = log["search_keywords"].iloc[first]
        weight *= likelihood[query][target]
        items = log["item_id"].to_numpy()[first:last]
        item_class = world.catalog["category"].to_numpy()[items][None, :]
        relevance = np.where(item_class == target[:, None], config.relevance_weight,
                             np.where(likelihood[query][item_class] > 0, config.query_match_weight, 0.0))
        logit = (config.bias + relevance
                 + config.visual_weight * taste @ world.components[items].T / np.sqrt(config.visual_dims)
                 - config.price_weight * sensitivity[:, None] * world.price_z[items][None])
        p = 1 / (1 + np.exp(-logit))
        if session == 0:
            clicks = rng.random(p.shape) < p
            weight *= (clicks == log["clicked"].to_numpy()[:2].astype(bool)).all(axis=1)
        else:
            forward = (weight[:, None] * p).sum(axis=0) / weight.sum()
            error = np.sqrt((weight[:, None] ** 2 * (p - forward) ** 2).sum(axis=0)) / weight.sum()
    z = (estimate.probability[2:] - forward) / np.sqrt(error ** 2 + estimate.standard_error[2:] ** 2)
    assert (log.index[2:] == world.impressions.index[later]).all() and np.abs(z).max() < 4, z
    assert error.max() < 0.02  # the check has the power to see a wrong ceiling
