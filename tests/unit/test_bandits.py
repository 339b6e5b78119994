"""The interactive environment, the bandit policies and their run loop, the seed summaries and the benchmark."""

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from rec_utils.chapters.explore_exploit.bandit_results import (
    horizon_table,
    interval_frame,
    leaders,
    paired_difference,
    profile_error,
    seed_interval,
    share_of_gain,
    taste_agreement,
    with_intervals,
)
from rec_utils.data.fashion import load_fashion_mnist
from rec_utils.models.bandits import (
    UCB1,
    BetaThompson,
    EpsilonGreedy,
    GreedyScores,
    RandomPolicy,
    SlateMixture,
    shown_indicator,
    top_k_positions,
)
from rec_utils.models.linear_bandits import LinearThompson, LinUCB
from rec_utils.runtime.paths import REPO_ROOT
from rec_utils.simulation.bandit_run import run_in_segments, run_policy
from rec_utils.simulation.clicks import SimulatorConfig, simulate_clicks
from rec_utils.simulation.environment import QUERY_WORDS, BanditEnvironment, query_likelihood
from rec_utils.simulation.episode import ArmKey, Context

SMALL = SimulatorConfig(n_items=300, n_users=60, sessions_per_user=4, seed=3)


@pytest.fixture(scope="module")
def photos():
    images, labels, _ = load_fashion_mnist("test")
    return images[:2000], labels[:2000]


@pytest.fixture(scope="module")
def env(photos):
    return BanditEnvironment.from_photos(*photos, SMALL)


@pytest.fixture(scope="module")
def episode(env):
    return env.draw_episode(3, 40, 4, 10, seed=5)


# ---------------------------------------------------------------- environment

def test_environment_is_the_simulators_world(photos, env):
    """Same catalogue, and on precise queries (target known) exactly the simulator's click probabilities."""
    impressions, catalog = simulate_clicks(*photos, SMALL)
    pd.testing.assert_frame_equal(env.catalog, catalog)
    precise = impressions[impressions["search_keywords"].isin([w for w, p in zip(QUERY_WORDS, env.precise) if p])]
    queries = np.array([QUERY_WORDS.index(w) for w in precise["search_keywords"]])
    targets = env.named[queries].argmax(axis=1)
    p = env.click_probability(precise["user_id"].to_numpy(), targets, queries, precise["item_id"].to_numpy())
    np.testing.assert_allclose(p, precise["p_click"], atol=1e-6)


def test_query_model_and_posterior(env):
    likelihood = query_likelihood(0.6)
    np.testing.assert_allclose(likelihood.sum(axis=1), 1.0)
    assert likelihood[3, QUERY_WORDS.index("dress")] == pytest.approx(0.6)  # the only precise word of class 3
    np.testing.assert_allclose(env.posterior.sum(axis=2), 1.0, atol=1e-6)
    # a precise word reveals the target
    assert env.posterior[:, QUERY_WORDS.index("coat"), 4] == pytest.approx(1.0, abs=1e-6)


def test_mu_is_the_posterior_mean_of_the_true_probability(env):
    users, queries = np.array([0, 5, 9]), np.array([QUERY_WORDS.index(w) for w in ("top", "shoes", "boot")])
    items = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    mu = env.expected_click_probability(users, queries, items)
    by_target = np.stack([env.click_probability(users[:, None], np.full((3, 1), c), queries[:, None], items)
                          for c in range(10)], axis=-1)
    np.testing.assert_allclose(mu, np.einsum("nmc,nc->nm", by_target, env.posterior[users, queries]), rtol=1e-5)


def test_episode_candidates_are_distinct_and_half_search_results(env, episode):
    s, t, u, m = episode.shape
    assert (s, t, u, m) == (3, 40, 4, 10)
    flat = np.sort(episode.candidates.reshape(-1, m), axis=1)
    assert not (flat[:, 1:] == flat[:, :-1]).any()
    named = env.named[episode.queries[..., None], env.category[episode.candidates]]
    assert (named.sum(axis=-1) >= m // 2).all()
    assert episode.mu.min() > 0 and episode.mu.max() < 1
    # the click coins follow the hidden-target probabilities
    assert episode.clicks.mean() == pytest.approx(episode.p.mean(), abs=0.02)


def test_episode_seed_does_not_depend_on_the_number_of_seeds(env):
    two = env.draw_episode(2, 10, 3, 8, seed=11)
    three = env.draw_episode(3, 10, 3, 8, seed=11)
    np.testing.assert_array_equal(two.candidates, three.candidates[:2])
    np.testing.assert_array_equal(two.clicks, three.clicks[:2])


def test_cold_start_items_appear_only_from_the_release(env):
    new = np.zeros(env.n_items, dtype=bool)
    new[::5] = True
    ep = env.draw_episode(2, 30, 4, 10, seed=1, new_items=new, release_round=12, chunk_rounds=7)
    assert not new[ep.candidates[:, :12]].any()
    assert new[ep.candidates[:, 12:]].mean() > 0.1
    with pytest.raises(ValueError, match="release_round"):
        env.draw_episode(1, 5, 2, 10, new_items=new)


def test_features_and_arm_keys(env, episode):
    context = episode.context(0)
    x = context.features
    assert x.shape == (3, 4, 10, env.n_features)
    np.testing.assert_array_equal(x[..., 0], 1.0)
    np.testing.assert_array_equal(x[..., 1], env.named[context.queries[..., None], context.categories])
    for kind in ("item", "category", "query_category", "user_category"):
        key = env.arm_key(kind)
        ids = key.ids(context)
        assert ids.shape == (3, 4, 10) and ids.min() >= 0 and ids.max() < key.n_arms
    with pytest.raises(ValueError, match="arm kind"):
        env.arm_key("colour")
    other = BanditEnvironment(env.catalog, np.zeros((env.n_items, 8)), SMALL, env.taste, np.zeros((60, 8)),
                              np.zeros(60), item_features=np.ones((env.n_items, 4)))
    assert other.n_features == 7


def test_category_click_rates_match_a_random_policys_click_rates(env):
    ep = env.draw_episode(4, 150, 8, 10, seed=2)
    truth = ep.category_click_rates()
    policy = EpsilonGreedy(env.arm_key("user_category"), 4, epsilon=1.0)
    run_policy(ep, policy, 3)
    pulls, clicks = policy.pulls.sum(axis=0).reshape(-1, 10), policy.clicks.sum(axis=0).reshape(-1, 10)
    seen = pulls >= 30
    error = clicks[seen] / pulls[seen] - truth[seen]
    standard_error = np.sqrt(truth[seen] * (1 - truth[seen]) / pulls[seen])
    assert np.mean(np.abs(error) < 3 * standard_error) > 0.95


# ---------------------------------------------------------------- run loop

def test_run_records_exact_regret(env, episode):
    run = run_policy(episode, RandomPolicy(0), 3, window=10)
    assert (run.oracle >= run.reward - 1e-9).all()  # no slate beats the best slate
    assert (np.diff(run.regret, axis=1) >= -1e-9).all()
    assert run.impressions.sum() == 3 * 40 * 4 * 3
    assert run.distinct_categories.shape == (3, 4)
    assert (run.distinct_categories >= 1).all() and (run.distinct_categories <= 10).all()
    # a random slate's expected CTR is the candidates' mean μ
    assert run.ctr.mean() == pytest.approx(episode.mu.mean(), abs=0.01)
    oracle = GreedyScores(lambda c: episode.mu[:, c.round_index])
    assert run_policy(episode, oracle, 3).regret[:, -1] == pytest.approx(0.0, abs=1e-4)


def test_run_rejects_bad_k_and_bad_selections(episode):
    with pytest.raises(ValueError, match="k must be"):
        run_policy(episode, RandomPolicy(), 11)

    class Broken(RandomPolicy):
        def select(self, context, k):
            return super().select(context, k)[..., :1]

    with pytest.raises(ValueError, match="shape"):
        run_policy(episode, Broken(), 2)


def test_segments_continue_one_run(env, episode):
    whole = run_policy(episode, EpsilonGreedy(env.arm_key("query_category"), 3, 0.1, seed=4), 2, window=10)
    policy = EpsilonGreedy(env.arm_key("query_category"), 3, 0.1, seed=4)
    parts = [run_policy(episode.rounds(a, b), policy, 2) for a, b in ((0, 15), (15, 40))]
    np.testing.assert_allclose(np.concatenate([p.reward for p in parts], axis=1), whole.reward)
    policy = EpsilonGreedy(env.arm_key("query_category"), 3, 0.1, seed=4)
    joined, seen = run_in_segments(episode, policy, 2, 4, lambda p: p.pulls.sum(axis=1))
    np.testing.assert_allclose(joined.regret, whole.regret)
    np.testing.assert_array_equal(joined.impressions, whole.impressions)
    np.testing.assert_allclose(joined.distinct_categories, whole.distinct_categories)
    np.testing.assert_array_equal(seen, np.outer(np.arange(1, 5) * 10 * 4 * 2, np.ones(3)))
    with pytest.raises(ValueError, match="divide"):
        run_in_segments(episode, policy, 2, 3, lambda p: 0)


# ---------------------------------------------------------------- policies on two-armed Bernoulli problems

def _two_armed(policy, p, n_seeds, n_rounds, seed=0):
    """Cumulative regret (n_seeds, n_rounds) of `policy` on Bernoulli arms p, one user and k = 1 per round."""
    rng = np.random.default_rng(seed)
    p = np.asarray(p)
    arms = np.broadcast_to(np.arange(len(p)), (n_seeds, 1, len(p)))
    nobody = np.zeros((n_seeds, 1), dtype=int)
    regret = np.zeros((n_seeds, n_rounds))
    for t in range(n_rounds):
        context = Context(t, nobody, nobody, arms, arms, None)
        chosen = policy.select(context, 1)
        policy.update(context, chosen, rng.random(chosen.shape) < p[chosen])
        regret[:, t] = p.max() - p[chosen[:, 0, 0]]
    return regret.cumsum(axis=1)


def _slopes(mean_regret):
    """Least-squares slopes of R(T) on ln T and of ln R(T) on ln T, over T from a tenth of the horizon to it."""
    horizon = len(mean_regret)
    ts = np.unique(np.geomspace(horizon / 10, horizon, 12).astype(int))
    per_log_t = np.polyfit(np.log(ts), mean_regret[ts - 1], 1)[0]
    log_log = np.polyfit(np.log(ts), np.log(mean_regret[ts - 1]), 1)[0]
    return per_log_t, log_log


P_TWO = (0.5, 0.7)
GAP = 0.2
KL = 0.5 * np.log(0.5 / 0.7) + 0.5 * np.log(0.5 / 0.3)  # KL(Bernoulli(0.5) || Bernoulli(0.7))


@pytest.mark.parametrize("make", [lambda key: UCB1(key, 200, seed=1), lambda key: BetaThompson(key, 200, seed=1)],
                         ids=["UCB1", "Thompson"])
def test_ucb1_and_thompson_regret_is_logarithmic(make):
    """Regret grows like ln T: its slope on ln T lies between half the Lai-Robbins constant Δ/KL (no policy does
    much better; a policy that peeks would) and Auer et al.'s UCB1 bound 8/Δ; on log-log axes the slope is far
    below the 1 of linear regret."""
    per_log_t, log_log = _slopes(_two_armed(make(ArmKey("item", 2)), P_TWO, 200, 5000).mean(axis=0))
    assert 0.5 * GAP / KL <= per_log_t <= 8 / GAP
    assert log_log < 0.6


def test_greedy_regret_is_linear_on_a_crafted_instance():
    """Arms 0.5 and 0.9, estimates start at 0: greedy locks onto the worse arm whenever its first click comes
    from it, which happens with probability 0.25 / (0.25 + 0.45) = 5/14; the regret is then 0.4 per round."""
    n_seeds, horizon = 200, 3000
    regret = _two_armed(EpsilonGreedy(ArmKey("item", 2), n_seeds, 0.0, seed=1), (0.5, 0.9), n_seeds, horizon)
    _, log_log = _slopes(regret.mean(axis=0))
    assert log_log > 0.95
    locked = 5 / 14
    per_round = regret[:, -1].mean() / horizon
    assert abs(per_round - 0.4 * locked) < 4 * 0.4 * np.sqrt(locked * (1 - locked) / n_seeds) + 0.01


# ---------------------------------------------------------------- linear policies

def _linear_context(rng, n_seeds, n_users, n_candidates, dim, users=None):
    users = rng.integers(n_users, size=(n_seeds, 3)) if users is None else users
    candidates = np.zeros(users.shape + (n_candidates,), dtype=int)
    context = Context(0, users, np.zeros_like(users), candidates, candidates, None)
    context.features = rng.standard_normal(users.shape + (n_candidates, dim))
    return context


@pytest.mark.parametrize("groups", ["shared", "user"])
def test_linucb_estimate_is_the_closed_form_ridge_solution(groups):
    rng = np.random.default_rng(0)
    n_seeds, n_users, dim, ridge = 2, 4, 5, 0.7
    policy = LinUCB(dim, n_seeds, alpha=0.5, ridge=ridge, groups=groups, n_users=n_users, seed=0)
    rows = {(s, g): ([], []) for s in range(n_seeds) for g in range(n_users)}
    for _ in range(25):
        context = _linear_context(rng, n_seeds, n_users, 6, dim)  # users repeat within a round
        chosen = policy.select(context, 2)
        clicks = rng.random(chosen.shape) < 0.4
        policy.update(context, chosen, clicks)
        x = np.take_along_axis(context.features, chosen[..., None], axis=2)
        for s in range(n_seeds):
            for u in range(3):
                group = context.users[s, u] if groups == "user" else 0
                rows[s, group][0].extend(x[s, u])
                rows[s, group][1].extend(clicks[s, u])
    for (s, g), (x, r) in rows.items():
        if groups == "shared" and g:
            continue
        x, r = np.array(x).reshape(-1, dim), np.array(r, dtype=float)
        a = ridge * np.eye(dim) + x.T @ x
        np.testing.assert_allclose(policy.theta[s, g], np.linalg.solve(a, x.T @ r), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(policy.A_inv[s, g], np.linalg.inv(a), rtol=1e-7, atol=1e-10)


def test_linucb_scores_are_mean_plus_width():
    rng = np.random.default_rng(1)
    policy = LinUCB(3, 1, alpha=2.0, ridge=1.0)
    context = _linear_context(rng, 1, 1, 4, 3)
    policy.update(context, np.array([[[0, 1], [2, 3], [0, 3]]]), np.array([[[1, 0], [0, 1], [1, 1]]], dtype=bool))
    x = context.features[0, 1]
    expected = x @ policy.theta[0, 0] + 2.0 * np.sqrt(np.einsum("md,de,me->m", x, policy.A_inv[0, 0], x))
    np.testing.assert_allclose(policy.scores(context)[0, 1], expected)


def test_linear_thompson_without_noise_is_greedy():
    rng = np.random.default_rng(2)
    context = _linear_context(rng, 2, 3, 7, 4)
    ts = LinearThompson(4, 2, v=0.0, groups="user", n_users=3)
    greedy = LinUCB(4, 2, alpha=0.0, groups="user", n_users=3)
    for policy in (ts, greedy):
        policy.update(context, np.tile([0, 1], (2, 3, 1)), np.ones((2, 3, 2), dtype=bool))
    np.testing.assert_array_equal(ts.select(context, 3), greedy.select(context, 3))


# ---------------------------------------------------------------- selection helpers and fixed policies

def test_top_k_breaks_ties_at_random():
    rng = np.random.default_rng(0)
    scores = np.tile([1.0, np.inf, np.inf, 0.0, np.inf], (4000, 1))
    chosen = top_k_positions(scores, 2, rng)
    assert set(np.unique(chosen)) == {1, 2, 4}
    share = np.bincount(chosen.ravel(), minlength=5)[[1, 2, 4]] / len(scores)  # each tied one in 2 of 3 rows
    np.testing.assert_allclose(share, 2 / 3, atol=4 * np.sqrt(2 / 9 / len(scores)))
    np.testing.assert_array_equal(top_k_positions(np.array([[3.0, 1.0, 2.0]]), 2), [[0, 2]])


def test_mixture_inclusion_matches_its_frequencies(episode):
    context = episode.context_all()
    greedy = GreedyScores(lambda c: -c.candidates.astype(float))
    mixture = SlateMixture(greedy, 0.3, seed=1)
    shown = np.mean([shown_indicator(mixture.select(context, 3), 10) for _ in range(300)], axis=0)
    inclusion = mixture.inclusion(context, 3)
    np.testing.assert_allclose(inclusion.sum(axis=-1), 3.0)
    assert np.abs(shown - inclusion).max() < 5 * np.sqrt(0.25 / 300)
    assert len(mixture.explored) == 300 and mixture.explored[0].shape == (3, 160)


def test_epsilon_decays_and_parameters_are_checked(env):
    key = env.arm_key("category")
    policy = EpsilonGreedy(key, 1, 0.4, decay_rounds=10)
    policy.rounds = 30
    assert policy.current_epsilon() == pytest.approx(0.1)
    for bad in (lambda: EpsilonGreedy(key, 1, 1.5), lambda: EpsilonGreedy(key, 1, 0.1, decay_rounds=0),
                lambda: UCB1(key, 1, alpha=-1), lambda: BetaThompson(key, 1, prior=(0, 1)),
                lambda: LinUCB(3, 1, alpha=-0.1), lambda: LinUCB(3, 1, groups="user"),
                lambda: LinUCB(3, 1, groups="item"), lambda: LinearThompson(3, 1, ridge=0),
                lambda: SlateMixture(GreedyScores.from_table(np.zeros((2, 2))), 2.0)):
        with pytest.raises(ValueError):
            bad()


def test_linear_policy_checks_the_feature_length(episode):
    with pytest.raises(ValueError, match="features"):
        LinUCB(3, 3).select(episode.context(0), 2)


def test_every_policy_runs_on_the_environment(env, episode):
    """A smoke test of every policy on the environment: the run completes with finite regret of the right shape."""
    s = episode.shape[0]
    table = np.random.default_rng(0).random((len(QUERY_WORDS), env.n_items))
    key = env.arm_key("query_category")
    for policy in (GreedyScores.from_table(table), EpsilonGreedy(key, s, 0.1), UCB1(key, s), BetaThompson(key, s),
                   LinUCB(env.n_features, s), LinearThompson(env.n_features, s, groups="user", n_users=env.n_users)):
        run = run_policy(episode, policy, 3)
        assert run.regret.shape == (3, 40) and np.isfinite(run.regret).all()


# ---------------------------------------------------------------- summaries over seeds

def test_seed_interval_is_a_student_t_interval():
    values = np.array([1.0, 2.0, 4.0, 7.0])
    mean, low, high = seed_interval(values)
    half = 3.182446305284263 * values.std(ddof=1) / 2
    assert mean == pytest.approx(3.5) and low == pytest.approx(3.5 - half) and high == pytest.approx(3.5 + half)
    assert seed_interval(np.array([2.0])) == (2.0, 2.0, 2.0)


def test_horizon_table_and_leaders(env, episode):
    runs = {"random": run_policy(episode, RandomPolicy(0), 3),
            "oracle": run_policy(episode, GreedyScores(lambda c: episode.mu[:, c.round_index]), 3)}
    table = horizon_table(runs, [10, 40])
    assert table.loc[("random", 40), "regret"] > table.loc[("oracle", 40), "regret"]
    assert (table["regret low"] <= table["regret"]).all() and (table["CTR"] <= table["CTR high"]).all()
    best = leaders(runs, [40])
    assert best.loc[40, "leader"] == "oracle" and bool(best.loc[40, "separated"])
    diff, low, high = paired_difference(runs["random"], runs["oracle"], 40)
    assert low <= diff <= high and diff > 0
    with pytest.raises(ValueError, match="horizon"):
        horizon_table(runs, [41])


def test_share_of_gain_is_a_per_seed_ratio():
    def run(ctr):  # a stand-in with what share_of_gain reads: per-seed CTR series over 2 rounds
        ctr = np.array(ctr, dtype=float)[:, None].repeat(2, axis=1)
        return SimpleNamespace(ctr=ctr, regret=np.zeros_like(ctr), reward=np.zeros_like(ctr))

    mean, low, high = share_of_gain(run([0.5, 0.6]), run([0.4, 0.5]), run([0.3, 0.2]), 2)
    assert mean == pytest.approx((0.1 / 0.2 + 0.1 / 0.4) / 2)  # the mean of the per-seed ratios 0.5 and 0.25
    assert low < mean < high
    assert share_of_gain(run([0.5, 0.6]), run([0.5, 0.6]), run([0.3, 0.2]), 2) == pytest.approx((0.0, 0.0, 0.0))


def test_taste_agreement_and_profile_error():
    taste = np.array([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1]])
    assert taste_agreement(taste[None], taste) == pytest.approx([1.0])
    assert taste_agreement(-taste[None], taste) == pytest.approx([-1.0])
    assert taste_agreement(np.zeros((1, 2, 3)), taste) == pytest.approx([0.0])  # nothing learnt
    partly_known = np.array([[0.1, 0.5, 0.4], [0.7, np.nan, 0.1]])
    assert taste_agreement(np.array([[[0.0, 1.0, 0.5], [0.0, 0.0, 9.0]]]), partly_known) == pytest.approx([1.0])
    estimates = np.stack([taste, taste + 0.1])
    np.testing.assert_allclose(profile_error(estimates, taste), [0.0, 0.1])
    np.testing.assert_allclose(profile_error(estimates, partly_known), [0.0, 0.1])


def test_arm_rates_are_the_policys_click_rates(env, episode):
    policy = BetaThompson(env.arm_key("category"), 3)
    run_policy(episode, policy, 2)
    rates = policy.arm_rates()
    assert rates.shape == (3, 10)
    np.testing.assert_allclose(rates * policy.pulls, policy.clicks)


def test_interval_tables():
    table = interval_frame({"a": {"x": (1.0, 0.5, 1.5)}, "b": {"x": (2.0, 1.0, 3.0), "y": (0.1, 0.0, 0.2)}})
    assert list(table.columns) == ["x", "x low", "x high", "y", "y low", "y high"]
    assert np.isnan(table.loc["a", "y"])
    text = with_intervals(table, ["x"], digits=1)
    assert text.loc["b", "x [95% CI]"] == "2.0 [1.0, 3.0]"


# ---------------------------------------------------------------- benchmark

@pytest.mark.slow
def test_bandit_benchmark_appends_rows(tmp_path):
    output = tmp_path / "b.csv"
    subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "bandits.py"), "--seeds", "2", "--rounds", "5",
                    "--repeats", "1", "--output", str(output)], check=True, capture_output=True, text=True, timeout=300)
    rows = pd.read_csv(output)
    assert "linucb_per_user_visits_per_s" in set(rows["metric"]) and (rows["value"] > 0).all()
    assert (rows["benchmark"] == "bandits").all() and (rows["backend"] == "numpy").all()


@pytest.mark.slow
def test_logged_click_model_scores_every_query_and_product(photos):
    from rec_utils.models.logged_click_model import train_logged_click_model
    from rec_utils.runtime.device import seed_everything
    from rec_utils.simulation.clicks import pixel_components

    impressions, catalog = simulate_clicks(*photos, SMALL)
    seed_everything(0)
    features = pixel_components(photos[0][catalog["image_index"].to_numpy()], 8)
    model = train_logged_click_model(impressions, catalog, features, epochs=2)
    table = model.score_table(catalog)
    assert table.shape == (len(QUERY_WORDS), SMALL.n_items)
    assert ((table > 0) & (table < 1)).all() and 1 <= model.epochs_run <= 2
    with pytest.raises(ValueError, match="rows"):
        train_logged_click_model(impressions, catalog, features[:5])
