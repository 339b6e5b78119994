"""Differential privacy: clipping, sensitivities, noise scales against their formulas, and the accountants
against published values."""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import norm

from rec_utils.models.privacy import (
    TF_PRIVACY_ORDERS,
    classic_rdp_epsilon,
    clip_items_per_customer,
    count_sensitivity,
    dp_sgd_epsilon,
    dp_sgd_event,
    dp_sgd_noise_multiplier,
    gaussian_epsilon,
    gaussian_noise_multiplier,
    item_counts,
    laplace_scale,
    private_item_counts,
    rdp_curve,
    similarity_from_counts,
)
from rec_utils.models.similarity import item_cosine_similarity


def _random_purchases(n_users=60, n_items=15, density=0.4, seed=0):
    rng = np.random.default_rng(seed)
    return sp.csr_matrix((rng.random((n_users, n_items)) < density) * rng.integers(1, 4, (n_users, n_items)))


def test_clipping_keeps_at_most_m_items_chosen_from_the_customers_own():
    bought = _random_purchases()
    clipped = clip_items_per_customer(bought, 3, seed=1)
    per_row = np.diff(clipped.indptr)
    original = np.diff(bought.indptr)
    np.testing.assert_array_equal(per_row, np.minimum(original, 3))
    assert set(clipped.data) == {1.0}
    assert (clipped.multiply(bought != 0) != clipped).nnz == 0  # only items the customer bought
    small = original <= 3  # customers already within the bound keep everything
    np.testing.assert_array_equal(clipped[small].toarray(), (bought[small] != 0).toarray())
    assert (clip_items_per_customer(bought, 3, seed=1) != clipped).nnz == 0  # seeded
    with pytest.raises(ValueError):
        clip_items_per_customer(bought, 0)


def test_clipping_choice_is_uniform_within_a_row():
    row = sp.csr_matrix(np.ones((1, 4)))
    kept = np.zeros(4)
    for seed in range(1000):
        kept += clip_items_per_customer(row, 1, seed=seed).toarray().ravel()
    np.testing.assert_allclose(kept / 1000, 0.25, atol=0.05)


@pytest.mark.parametrize("m", [1, 2, 5])
def test_sensitivities_match_the_largest_change_one_customer_makes(m):
    # hand formulas: popularity moves m cells by 1, co-occurrence (with diagonal) m(m+1)/2 cells by 1
    assert count_sensitivity("popularity", m, 1) == m
    assert count_sensitivity("popularity", m, 2) == pytest.approx(math.sqrt(m))
    assert count_sensitivity("cooccurrence", m, 1) == m * (m + 1) / 2
    assert count_sensitivity("cooccurrence", m, 2) == pytest.approx(math.sqrt(m * (m + 1) / 2))
    base = clip_items_per_customer(_random_purchases(), m)
    newcomer = sp.csr_matrix(np.r_[np.ones(m), np.zeros(15 - m)][None, :])  # a customer with m items
    added = sp.vstack([base, newcomer])
    for statistic in ("popularity", "cooccurrence"):
        diff = item_counts(added, statistic) - item_counts(base, statistic)
        upper = np.triu(diff) if statistic == "cooccurrence" else diff  # released cells: upper triangle
        assert np.abs(upper).sum() == count_sensitivity(statistic, m, 1)
        assert np.sqrt((upper ** 2).sum()) == pytest.approx(count_sensitivity(statistic, m, 2))


def test_laplace_noise_has_the_scale_of_its_formula():
    assert laplace_scale(6.0, 2.0) == 3.0
    # one customer bought item 0 only: every other released count is pure noise, then clipped at 0
    noisy, info = private_item_counts(sp.csr_matrix(np.eye(1, 20_000)), "popularity", max_items=4,
                                      mechanism="laplace", epsilon=0.5, seed=3)
    assert info["laplace_scale"] == pytest.approx(4 / 0.5) and info["delta"] == 0.0
    # clipped at 0: for Laplace(0, b) the mean of max(X, 0) is b / 2
    assert noisy[1:].mean() == pytest.approx(info["laplace_scale"] / 2, rel=0.05)


def test_gaussian_noise_has_the_scale_of_its_formula_and_is_symmetric():
    bought = _random_purchases(n_users=10_000, n_items=40, density=1.0)  # pair counts ~38, 3.7 sigma above 0
    noisy, info = private_item_counts(bought, "cooccurrence", max_items=3, mechanism="gaussian", epsilon=1.0,
                                      delta=1e-6, seed=5)
    assert info["l2_sensitivity"] == pytest.approx(math.sqrt(6))
    assert info["gaussian_sigma"] == pytest.approx(info["noise_multiplier"] * math.sqrt(6))
    np.testing.assert_array_equal(noisy, noisy.T)
    exact = item_counts(clip_items_per_customer(bought, 3, seed=5), "cooccurrence")
    residual = (noisy - exact)[np.triu_indices(40)]  # one draw per unordered pair
    assert residual.mean() == pytest.approx(0.0, abs=3 * info["gaussian_sigma"] / np.sqrt(residual.size))
    assert residual.std() == pytest.approx(info["gaussian_sigma"], rel=0.1)


def test_analytic_gaussian_calibration_satisfies_balle_and_wang():
    # Balle & Wang (2018), Theorem 8: the Gaussian mechanism with sensitivity 1 and noise sigma is
    # (eps, delta)-DP iff Phi(1/(2 sigma) - eps sigma) - e^eps Phi(-1/(2 sigma) - eps sigma) <= delta
    for epsilon, delta in [(1.0, 1e-6), (0.5, 1e-5), (3.0, 1e-8)]:
        sigma = gaussian_noise_multiplier(epsilon, delta)
        achieved = norm.cdf(1 / (2 * sigma) - epsilon * sigma) - math.exp(epsilon) * norm.cdf(
            -1 / (2 * sigma) - epsilon * sigma)
        assert achieved == pytest.approx(delta, rel=1e-3)
        if epsilon < 1:  # the classical calibration (Dwork & Roth 2014, Thm A.1) is looser
            assert sigma < math.sqrt(2 * math.log(1.25 / delta)) / epsilon
    calibrated = gaussian_noise_multiplier(1.0, 1e-6)
    assert gaussian_epsilon(calibrated, 1e-6, accountant="pld") == pytest.approx(1.0, abs=0.01)
    with pytest.raises(ValueError):
        gaussian_noise_multiplier(0.0, 1e-6)


# TensorFlow Privacy, tutorials/README.md, "Select Parameters": DP-SGD on MNIST (60,000 examples,
# 256 examples per step, delta = 1e-5) -> epsilon computed with the RDP accountant and the classic conversion.
TF_PRIVACY_TABLE = [(1.12, 60, 2.92), pytest.param(0.6, 30, 9.74, marks=pytest.mark.slow),
                    pytest.param(1.2, 10, 1.20, marks=pytest.mark.slow)]


@pytest.mark.parametrize("noise_multiplier, epochs, published", TF_PRIVACY_TABLE)
def test_dp_sgd_accounting_reproduces_tensorflow_privacy_published_epsilons(noise_multiplier, epochs, published):
    q, steps = 256 / 60_000, epochs * 60_000 // 256
    orders, rdp_values = rdp_curve(dp_sgd_event(q, noise_multiplier, steps), TF_PRIVACY_ORDERS)
    assert classic_rdp_epsilon(orders, rdp_values, 1e-5) == pytest.approx(published, abs=0.03)
    tight = dp_sgd_epsilon(q, noise_multiplier, steps, 1e-5)
    assert tight <= published  # dp-accounting's conversion is tighter than the classic one
    assert dp_sgd_epsilon(q, noise_multiplier, steps, 1e-5, accountant="pld") <= tight + 1e-9


def test_customer_level_sampling_rates_are_accounted_without_warnings(caplog):
    with caplog.at_level("WARNING"):
        epsilon = dp_sgd_epsilon(64 / 975, 0.8, 152, 1e-5)
        # little noise: dp-accounting's series fails at orders 1.5 and 1.75, which are left out quietly
        low_noise = dp_sgd_epsilon(64 / 1106, 0.7, 86, 1e-5)
    assert 0 < epsilon < np.inf and 0 < low_noise < np.inf and not caplog.records
    assert low_noise <= dp_sgd_epsilon(64 / 1106, 0.7, 86, 1e-5, accountant="pld") * 1.5  # still a sane bound


def test_noise_multiplier_calibration_inverts_the_accountant():
    q, steps, delta = 0.01, 500, 1e-5
    z = dp_sgd_noise_multiplier(2.0, q, steps, delta)
    assert dp_sgd_epsilon(q, z, steps, delta) == pytest.approx(2.0, abs=0.02)
    assert dp_sgd_epsilon(q, z * 1.5, steps, delta) < 2.0
    with pytest.raises(ValueError):
        dp_sgd_epsilon(q, 1.0, steps, delta, accountant="moments")


def test_similarity_from_exact_counts_is_the_item_cosine():
    bought = _random_purchases()
    from_counts = similarity_from_counts(item_counts(bought, "cooccurrence"))
    np.testing.assert_allclose(from_counts, item_cosine_similarity(bought).toarray(), atol=1e-12)
    noisy = np.array([[0.0, 3.0], [3.0, 4.0]])  # an item whose noisy popularity is 0 gets similarity 0
    np.testing.assert_array_equal(similarity_from_counts(noisy), np.zeros((2, 2)))
    counts = np.array([[4.0, 1.5, 2.0], [1.5, 9.0, 6.0], [2.0, 6.0, 16.0]])
    thresholded = similarity_from_counts(counts, min_count=1.8)  # the pair count 1.5 is taken as 0
    np.testing.assert_allclose(thresholded, [[0, 0, 2 / 8], [0, 0, 6 / 12], [2 / 8, 6 / 12, 0]])


def test_private_scorers_exact_clipped_and_noisy():
    from rec_utils.recommend.private import private_scorer, top_n_per_row

    train = _random_purchases(n_users=80, n_items=12, seed=3)
    users = np.arange(80)
    score, info = private_scorer(train, "item_knn", epsilon=None, top_n=None)
    expected = (sp.csr_matrix(train) > 0).astype(float) @ item_cosine_similarity(train).toarray()
    np.testing.assert_allclose(score(users), expected)  # exact counts: the plain item-kNN
    assert info["epsilon"] == np.inf and info["kept_share"] == 1.0
    popularity, _ = private_scorer(train, "popularity", epsilon=None)
    np.testing.assert_array_equal(popularity(users[:2])[0], np.asarray((train > 0).sum(axis=0)).ravel())
    clipped, info = private_scorer(train, "popularity", epsilon=None, max_items=2)
    assert clipped(users[:1]).sum() == clip_items_per_customer(train, 2).nnz and info["kept_share"] < 1
    noisy, info = private_scorer(train, "item_knn", epsilon=2.0, max_items=3, top_n=4, threshold_sigmas=1.0)
    assert info["threshold"] == pytest.approx(info["gaussian_sigma"]) and noisy(users).shape == (80, 12)
    with pytest.raises(ValueError, match="max_items"):
        private_scorer(train, "popularity", epsilon=1.0)
    with pytest.raises(ValueError):
        private_scorer(train, "svd", epsilon=None)
    kept = top_n_per_row(np.array([[0.0, 0.5, 0.2, 0.9], [0.1, 0.0, 0.0, 0.0]]), 2).toarray()
    np.testing.assert_array_equal(kept, [[0, 0.5, 0, 0.9], [0.1, 0, 0, 0]])  # zeros are not kept
    ties = top_n_per_row(np.array([[0.3, 0.7, 0.3, 0.3, 0.7, 0.3]]), 3).toarray()
    np.testing.assert_array_equal(ties, [[0.3, 0.7, 0, 0, 0.7, 0]])  # of equal values the lowest columns stay


def test_the_seeded_release_is_regenerated_and_the_secure_one_is_not():
    """A reader who knows the public seed recovers every count a seeded release did not clip at 0; with secure
    noise the same steps recover (almost) nothing, and two secure releases with the same seed differ."""
    from rec_utils.chapters.privacy.attack import attack_summary, seeded_noise_attack
    from rec_utils.models.privacy import item_counts

    rng = np.random.default_rng(3)
    bought = sp.csr_matrix(rng.random((2_000, 300)) < 0.05)
    exact = item_counts(clip_items_per_customer(bought, 5, seed=42), "popularity")
    seeded, info = private_item_counts(bought, "popularity", max_items=5, mechanism="laplace", epsilon=1.0, seed=42)
    found = attack_summary(seeded_noise_attack(seeded, info, seed=42), exact)
    assert found["exact"] == 1.0 and found["unclipped"] == found["cells"] == 300
    secure, secure_info = private_item_counts(bought, "popularity", max_items=5, mechanism="laplace", epsilon=1.0,
                                              seed=42, noise="secure")
    again, _ = private_item_counts(bought, "popularity", max_items=5, mechanism="laplace", epsilon=1.0, seed=42,
                                   noise="secure")
    assert secure_info["noise"] == "secure" and not np.array_equal(secure, again)
    assert attack_summary(seeded_noise_attack(secure, secure_info, seed=42), exact)["exact"] < 0.2
    cooccurrence, co_info = private_item_counts(bought, "cooccurrence", max_items=5, mechanism="gaussian",
                                                epsilon=1.0, seed=42)
    result = seeded_noise_attack(cooccurrence, co_info, seed=42)
    above = ~np.isnan(result["recovered"])
    exact_co = item_counts(clip_items_per_customer(bought, 5, seed=42), "cooccurrence")
    assert np.array_equal(result["recovered"][above], exact_co[above])
    assert (exact_co[~above] <= result["upper_bound"][~above] + 1e-9).all()  # a clipped cell: only a bound
    with pytest.raises(ValueError, match="noise must be one of"):
        private_item_counts(bought, "popularity", max_items=5, epsilon=1.0, noise="random")
