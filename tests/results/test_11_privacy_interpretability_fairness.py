"""Headline results of notebook 11_privacy_interpretability_fairness, saved by the run before these tests
(`make test` runs the notebooks first).

The DP counts, the scikit-learn logistic model, the recommenders and the re-ranking are deterministic numpy: a new
run reproduces the committed numbers inside their 95% intervals. The Keras-trained numbers (DP-SGD, federated
averaging, the click model) differ in the last digits between CPUs and backends: they are checked against the
committed intervals, for exact properties (the accountant's ε, completeness, the ceiling), and for the direction of a
comparison only where the committed paired interval excluded zero (recorded below).
"""

import numpy as np
import pandas as pd
import pytest
from front_page_checks import DEFAULT_PROTOCOL, assert_front_page
from ranking_checks import assert_headline

from rec_utils.models.privacy import dp_sgd_epsilon
from rec_utils.runtime.results import load_metrics


@pytest.fixture(scope="module")
def m():
    return load_metrics("11_privacy_interpretability_fairness")


def test_front_page_keys_and_protocol(m):
    assert_front_page(m, protocol=DEFAULT_PROTOCOL)


def test_headlines_reproduce_within_the_committed_intervals(m):
    assert_headline(m, {
        "DP-SGD ROC-AUC minus non-private at epsilon 0.25 (paired)": (-0.0027, -0.0043, -0.0015),
        "item-kNN NDCG@10 from DP counts at epsilon 16 minus exact (paired)": (-0.0449, -0.0516, -0.0383),
        "NDCG@10 cost of exposure-aware re-ranking (paired)": (-0.0190, -0.0253, -0.0130),
    })


def test_dp_counts_reproduce_and_cost_what_the_committed_intervals_said(m):
    curve = pd.DataFrame(m["count_curves"])
    committed = {("item-kNN, Gaussian", "none (exact counts)", None): (0.0759, 0.0692, 0.0832),
                 ("item-kNN, Gaussian", "gaussian", 4.0): (0.0224, 0.0193, 0.0256),
                 ("popularity, Laplace", "none (exact counts)", None): (0.0343, 0.0300, 0.0389),
                 ("popularity, Laplace", "laplace", 0.3): (0.0135, 0.0109, 0.0160)}
    for (release, mechanism, epsilon), (_, low, high) in committed.items():
        rows = curve[(curve["release"] == release) & (curve["mechanism"] == mechanism)]
        if epsilon is not None:
            rows = rows[rows["epsilon"] == epsilon]
        assert low <= rows["ndcg"].iloc[0] <= high, (release, mechanism, epsilon)
    # committed paired intervals below zero: item-kNN from DP counts at every ε, popularity at ε = 0.1 and 0.3
    private = curve[curve["mechanism"].isin(["laplace", "gaussian"])]
    below = private[(private["release"] == "item-kNN, Gaussian") | (private["epsilon"] < 1)]
    assert (below["diff_high"] < 0).all(), below[["release", "epsilon", "diff", "diff_low", "diff_high"]]


def test_dp_sgd_epsilon_is_the_accountants_and_utility_stays_near_the_committed_run(m):
    curve = pd.DataFrame(m["dp_sgd"])
    private = curve[curve["noise_multiplier"] > 0]
    for _, row in private.iterrows():  # ε is recomputed from the run's own sampling rate and steps
        assert row["epsilon"] == pytest.approx(dp_sgd_epsilon(row["sampling_probability"], row["noise_multiplier"],
                                                              int(row["steps"]), row["delta"]), rel=1e-9)
    assert private["epsilon"].is_monotonic_decreasing  # more noise, less privacy loss
    assert curve["epsilon"].isna().iloc[0]  # z = 0: plain SGD, no guarantee
    # committed run: AUC 0.8542 [0.8473, 0.8604] at z = 0.7 and 0.8522 [0.8446, 0.8589] at z = 8 (Keras-trained)
    by_z = curve.set_index("noise_multiplier")
    assert 0.8473 <= by_z.loc[0.7, "auc"] <= 0.8604 and 0.8446 <= by_z.loc[8.0, "auc"] <= 0.8589
    assert by_z.loc[8.0, "diff_high"] < 0  # committed [-0.0043, -0.0015]: the most private run costs AUC


def test_federated_averaging_against_central_training(m):
    federated = m["federated"]
    assert 0.8447 <= federated["auc"][0] <= 0.8577  # committed 0.8514 [0.8447, 0.8577]
    assert federated["high"] < 0  # committed difference -0.0035 [-0.0044, -0.0026]
    assert set(federated["clients"]) >= {"United Kingdom", "other countries"}


def test_explanations_are_exact_or_complete(m):
    assert m["contributions"]["max_gap"] < 1e-9  # the logistic contributions add up to the logit
    click = m["click_model"]
    assert click["ig_max_gap"] < 0.15 * click["ig_mean_change"]  # trapezoid error, far below what is explained
    assert click["to_ceiling"]["high"] < 0  # no model beats the oracle that reads the true click probability
    assert 0.6817 <= click["auc"][0] <= 0.7213  # committed 0.7013 [0.6817, 0.7213]
    assert click["taste_gap"]["low"] > 0  # committed [+0.0029, +0.0042]: more attribution where the taste acts
    towers = pd.DataFrame(click["towers"]).set_index("group")
    assert (towers["drop_mean"] > 0).all()


def test_fairness_numbers_and_directions(m):
    exposure = m["exposure"]
    committed_gaps = {"popularity (all time)": 0.8691, "recent popularity": 0.4165, "implicit ALS": 0.4376}
    for name, gap in committed_gaps.items():  # deterministic numpy: the same lists, the same gap
        assert exposure[name]["popularity bucket"]["gap"] == pytest.approx(gap, abs=1e-3)
    groups = pd.DataFrame(m["groups"]).set_index(["metric", "grouping", "group"])
    low_ndcg = groups.loc[("NDCG@10, implicit ALS", "activity", "low")]
    assert 0.1021 <= low_ndcg["value"] <= 0.1440 and low_ndcg["vs_rest_low"] > 0  # committed [+0.009, +0.056]
    low_auc = groups.loc[("ROC-AUC, logistic", "activity", "low")]
    assert 0.8136 <= low_auc["value"] <= 0.8354 and low_auc["vs_rest_high"] < 0  # committed [-0.048, -0.023]


def test_reranking_strength_was_chosen_on_validation(m):
    rerank = m["rerank"]
    table = pd.DataFrame(rerank["validation"]).sort_values("strength")
    halved = table[table["gap"] <= 0.5 * table["gap"].iloc[0]]
    expected = halved["strength"].iloc[0] if len(halved) else table.loc[table["gap"].idxmin(), "strength"]
    assert rerank["strength"] == expected
    assert rerank["gap_after"] == pytest.approx(0.2419, abs=1e-3) and rerank["gap_before"] == pytest.approx(0.4376,
                                                                                                            abs=1e-3)
    assert np.isfinite(rerank["difference"])
