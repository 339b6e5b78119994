"""Headline results of notebook 12_privacy, saved by the run before these tests (`make test` runs the notebooks
first).

The DP counts and the scikit-learn logistic model are deterministic numpy: a new run reproduces the committed numbers
inside their 95% intervals. The Keras-trained numbers (DP-SGD, federated averaging) differ in the last digits between
CPUs and backends: they are checked against the committed intervals, for exact properties (the accountant's ε), and
for the direction of a comparison only where the committed paired interval excluded zero (recorded below). The
headlines are means over ten DP runs with intervals over customers and runs; the default run's noise is seeded,
labelled as not private, and the attack on it recovers the counts exactly.
"""

import pandas as pd
import pytest
from front_page_checks import DEFAULT_PROTOCOL, assert_front_page
from ranking_checks import assert_headline

from rec_utils.models.privacy import dp_sgd_epsilon
from rec_utils.runtime.results import load_metrics


@pytest.fixture(scope="module")
def m():
    return load_metrics("12_privacy")


def test_front_page_keys_and_protocol(m):
    assert_front_page(m, protocol=DEFAULT_PROTOCOL)


def test_headlines_reproduce_within_the_committed_intervals(m):
    assert_headline(m, {
        "DP-SGD ROC-AUC minus non-private at epsilon 0.25, mean of 10 runs (paired; seeded noise)":
            (-0.0054, -0.0080, -0.0034),
        "item-kNN NDCG@10 from DP counts at epsilon 16 minus exact, mean of 10 runs (paired; seeded noise)":
            (-0.0447, -0.0508, -0.0393),
        "DP-SGD ROC-AUC minus non-private at epsilon 0.29 with a public panel's product tables (20% of customers), "
        "mean of 10 runs (paired; seeded noise)": (-0.0071, -0.0091, -0.0053),
    })


def test_headlines_average_ten_runs_and_their_interval_covers_the_runs(m):
    for key in ("dp_sgd_runs", "knn_runs"):
        runs = m[key]
        assert runs["runs"] == 10, key
        assert runs["low"] <= runs["difference"] <= runs["high"], key
        assert runs["run_min"] <= runs["difference"] <= runs["run_max"], key  # a mean lies between its runs
        assert runs["run_sd"] > 0, key  # the runs differ: the seeds reach the noise and the batches
        assert runs["high"] < 0, key  # committed intervals [-0.0080, -0.0034] and [-0.0508, -0.0393]
    assert m["dp_sgd_runs"]["noise_multiplier"] == 8.0 and m["knn_runs"]["epsilon"] == 16.0


def test_seeded_noise_is_labelled_and_the_attack_recovers_it_while_secure_noise_resists(m):
    assert m["noise_source"] == "seeded" and "not private" in m["noise"]
    assert set(m["assumed_public"]) == {"counts", "dp_sgd", "dp_sgd_panel"}
    assert m["seeded_attack"]["exact"] == 1.0 and m["seeded_attack"]["unclipped"] > 0
    assert m["secure_attack"]["exact"] < 0.2  # Laplace noise of scale 100 on integer counts: rarely a hit
    assert m["secure_attack"]["median_error"] > 10


def test_the_public_panel_variant_is_accounted_for_its_own_run(m):
    panel = m["panel"]
    assert 0 < panel["customers"] and panel["share"] == 0.2
    assert panel["epsilon"] == pytest.approx(dp_sgd_epsilon(panel["sampling_probability"], panel["noise_multiplier"],
                                                            int(panel["steps"]), panel["delta"]), rel=1e-9)
    rows = panel["rows"]
    assert set(rows) == {"non-private, full tables, customers outside the panel", "non-private, panel tables",
                         "DP-SGD, tables assumed public", "DP-SGD, panel tables"}
    for name in ("DP-SGD, tables assumed public", "DP-SGD, panel tables"):
        assert rows[name]["runs"] == 10 and rows[name]["low"] <= rows[name]["difference"] <= rows[name]["high"]
    # scikit-learn is deterministic numpy: committed -0.0034 [-0.0041, -0.0027] with the panel's tables, and
    # -0.0000 [-0.0001, 0.0001] with full tables on the customers outside the panel only
    assert -0.0041 <= rows["non-private, panel tables"]["difference"] <= -0.0027
    assert -0.0001 <= rows["non-private, full tables, customers outside the panel"]["difference"] <= 0.0001


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
    assert private["noise_multiplier"].max() >= 64  # the curve runs on until it bends
    # committed run: AUC 0.8542 [0.8473, 0.8604] at z = 0.7 and 0.8522 [0.8446, 0.8589] at z = 8 (Keras-trained)
    by_z = curve.set_index("noise_multiplier")
    assert 0.8473 <= by_z.loc[0.7, "auc"] <= 0.8604 and 0.8446 <= by_z.loc[8.0, "auc"] <= 0.8589
    assert by_z.loc[8.0, "diff_high"] < 0  # committed [-0.0043, -0.0015]: the guarantee costs AUC
    # committed -0.1245 [-0.1321, -0.1162] at z = 64: where the curve has bent
    assert -0.1321 <= by_z.loc[64.0, "diff"] <= -0.1162


def test_federated_averaging_against_central_training(m):
    federated = m["federated"]
    assert 0.8447 <= federated["auc"][0] <= 0.8577  # committed 0.8514 [0.8447, 0.8577]
    assert federated["high"] < 0  # committed difference -0.0035 [-0.0044, -0.0026]
    assert set(federated["clients"]) >= {"United Kingdom", "other countries"}
