"""Helpers that notebooks 07-14 used to define in their cells: each does what the cell did."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from rec_utils.chapters.explore_exploit.bandit_results import regret_change_text, share_text
from rec_utils.chapters.explore_exploit.figures import moving_mean, seed_band
from rec_utils.chapters.explore_exploit.off_policy_study import ESTIMATORS, off_policy_runs, off_policy_table
from rec_utils.chapters.interpretability_fairness.readings import (
    bucket_line,
    group_verdict,
    responsibility_lesson,
    rows_of,
)
from rec_utils.chapters.privacy.readings import (
    clipping_note,
    dp_sgd_ndcg_note,
    guarantee_strength,
    pair_arrays,
    privacy_lesson,
    utility_band,
)
from rec_utils.chapters.scenarios.lessons import LESSONS, lesson_sentence
from rec_utils.chapters.scenarios.rules import basket_lines
from rec_utils.evaluation.claims import difference_interval, measured_row, measured_sentence
from rec_utils.evaluation.comparison import rows_at
from rec_utils.evaluation.resampling import Comparison
from rec_utils.features.categories import UNCATEGORISED


def test_rows_at_keeps_the_metrics_at_one_length():
    frame = pd.DataFrame({"metric": ["ndcg", "ndcg", "recall", "map"], "k": [10, 5, 10, 10], "mean": [1, 2, 3, 4]})
    assert rows_at(frame, ("ndcg", "recall"), 10)["mean"].tolist() == [1, 3]


def test_comparison_record_holds_tables_choices_and_protocol_but_not_the_per_customer_values():
    result = Comparison(pd.DataFrame({"mean": [0.5]}, index=["a"]),
                        pd.DataFrame({"difference": [0.1]}, index=["a - b"]), pd.DataFrame({"a": [1.0, 0.0]}),
                        {"w": 0.5}, "test window")
    assert result.record() == {"table": {"a": {"mean": 0.5}}, "paired": {"a - b": {"difference": 0.1}},
                               "chosen": {"w": 0.5}, "protocol": "test window"}


def test_regret_change_text_says_only_what_the_interval_supports():
    assert regret_change_text((-677.0, -795.0, -558.0)).startswith("lowers the regret")
    assert regret_change_text((5.0, 1.0, 9.0)).startswith("raises the regret")
    assert regret_change_text((5.0, -1.0, 9.0)).startswith("does not measurably change")


def test_share_text_reads_the_share_and_its_interval_columns():
    table = pd.DataFrame({"s": [0.201], "s low": [0.2], "s high": [0.202]}, index=["best slates"])
    assert share_text(table, "best slates", "s") == "20.1% [20.0%, 20.2%]"


def test_moving_mean_and_the_seed_band_of_runs():
    per_seed = np.array([[0.0, 2.0, 4.0, 6.0], [2.0, 4.0, 6.0, 8.0]])
    np.testing.assert_allclose(moving_mean(per_seed, 2), [[1, 3, 5], [3, 5, 7]])
    fig, ax = plt.subplots()
    seed_band(ax, np.arange(4), per_seed, "policy")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1, 3, 5, 7])  # the mean over runs
    plt.close(fig)


def test_basket_lines_leave_uncategorised_lines_out_of_category_baskets_only():
    lines = pd.DataFrame({"StockCode": ["a", "b"], "category": ["home", UNCATEGORISED]})
    assert len(basket_lines(lines, "StockCode")) == 2
    assert basket_lines(lines, "category")["StockCode"].tolist() == ["a"]


def test_lesson_sentence_states_the_lesson_the_paired_interval_supports():
    section = "6.3 user profiles"
    above = measured_row(section, "precision", 0.85, 0.83, 0.86, against="most common", difference=0.06,
                         diff_low=0.05, diff_high=0.08)
    assert difference_interval(above) == (0.06, 0.05, 0.08)
    assert lesson_sentence(above).endswith("excludes 0 — " + LESSONS[section][0])
    unclear = {**above, "diff_low": -0.01}
    assert lesson_sentence(unclear).endswith("includes 0 — " + LESSONS[section][2])
    chosen = measured_row("6.1 personalised", "NDCG", 0.3, 0.29, 0.31)
    assert "07 chose this baseline" in lesson_sentence(chosen)


def test_the_off_policy_study_scores_every_estimator_on_every_run_against_the_truth():
    rng = np.random.default_rng(0)
    runs, n, m, k = 3, 50, 4, 2
    mu = rng.uniform(0.1, 0.9, (runs, n, m))
    shown = np.zeros((runs, n, m), dtype=bool)
    shown[..., :k] = True  # the logger shows the first two candidates: propensity 1 there, 0 elsewhere
    logging = shown.astype(float)
    rewards = (rng.random((runs, n, m)) < mu).astype(float)
    uniform = np.zeros((runs, n), dtype=bool)
    uniform[:, :10] = True
    table = off_policy_table(off_policy_runs(rewards, shown, logging, uniform, mu, mu, {"logger": logging}, k))
    assert set(table.index.get_level_values("estimator")) == set(ESTIMATORS)
    truth = np.mean([np.mean(np.sum(logging[s] * mu[s], axis=1)) / k for s in range(runs)])
    assert table["true CTR"].to_numpy() == pytest.approx(truth)
    assert table.loc[("logger", "DM"), "bias"] == pytest.approx(0.0, abs=1e-12)  # DM with the true click probabilities


def test_measured_sentence_names_the_interval_it_reads():
    row = measured_row("2.4 privacy", "DP-SGD ROC-AUC", 0.85, 0.84, 0.86, against="non-private", difference=-0.003,
                       diff_low=-0.004, diff_high=-0.001)
    assert measured_sentence(row, "costs AUC") == (
        "- 2.4 privacy — DP-SGD ROC-AUC: 0.8500 [0.8400, 0.8600]; minus non-private: -0.0030 [-0.0040, -0.0010], "
        "paired 95% interval excludes 0 — costs AUC")
    assert "group and rest resampled apart, excludes 0" in measured_sentence(row, "x", paired=False)
    assert "customer-bootstrap interval excludes 0" in measured_sentence(row, "x",
                                                                         interval="customer-bootstrap interval")


def test_privacy_readings_say_what_each_interval_supports():
    release = pd.Series({"max_items": 50.0, "diff_clipped": 0.001, "diff_clipped_low": -0.001,
                         "diff_clipped_high": 0.002})
    clipped = pd.DataFrame({"max_items": [10.0, 50.0], "diff": [0.003, 0.002], "diff_low": [0.001, 0.0007],
                            "diff_high": [0.005, 0.003]})
    note = clipping_note(clipped, release, seed=42)
    assert "clipping alone to m = 50, no noise, is 0.0020 [0.0007, 0.0030]" in note
    assert note.endswith("(not separated from 0): the gain is clipping's")
    row = measured_row("2.4 privacy", "item-kNN, Gaussian: NDCG@10 at ε = 16", 0.03, 0.025, 0.035, against="exact",
                       difference=-0.045, diff_low=-0.05, diff_high=-0.04)
    assert privacy_lesson(row, {}) == "at this ε the release keeps 40% of the exact-count NDCG"
    federated = {**row, "measure": "federated averaging ROC-AUC", "diff_low": -0.01, "diff_high": 0.01}
    assert privacy_lesson(federated, {}) == "keeping pairs on their country's client is not shown to cost AUC"
    curve = pd.DataFrame({"epsilon": [1.0, 0.5], "auc": [0.8, 0.7], "low": [0.7, 0.6], "high": [0.9, 0.8]})
    assert utility_band(curve, "auc", "low", "high").columns.tolist() == ["epsilon", "value", "low", "high"]


def test_guarantee_strength_reads_e_to_the_epsilon():
    assert guarantee_strength(0.25).endswith("up to 1.28: a strong guarantee")
    assert guarantee_strength(3.0).endswith("up to 20.1: a moderate guarantee")
    assert "up to 8,886,111: a weak guarantee" in guarantee_strength(16.0)


def test_dp_sgd_ndcg_note_only_where_an_interval_lies_above_zero():
    dp = pd.DataFrame({"noise_multiplier": [1.0, 2.0], "ndcg_diff_difference": [0.002, 0.001],
                       "ndcg_diff_low": [0.001, -0.001], "ndcg_diff_high": [0.003, 0.002], "diff_high": [-0.1, -0.1]})
    plain = pd.Series({"ndcg_diff_difference": 0.0, "ndcg_diff_low": -0.001, "ndcg_diff_high": 0.001})
    note = dp_sgd_ndcg_note(dp, plain, 0.05, 10)
    assert note.startswith("DP-SGD's NDCG@10 is above the non-private model's at z = 1 (by at most 0.0020, 4% of its "
                           "0.0500; not separated")
    assert dp_sgd_ndcg_note(dp.assign(ndcg_diff_low=-1.0), plain, 0.05, 10) == ""


def test_pair_arrays_and_rows_of_keep_the_rows_aligned():
    class Scale:
        def transform(self, frame):
            return frame.to_numpy() * 2.0
    pairs = pd.DataFrame({"a": [1, 2], "label": [1, 0], "CustomerID": [7, 8]})
    X, y, customers = pair_arrays(pairs, Scale(), ["a"])
    assert X.tolist() == [[2.0], [4.0]] and y.dtype == float and customers.tolist() == [7, 8]
    kept = rows_of({"x": np.arange(4), "y": np.arange(4) * 10}, np.array([True, False, True, False]))
    assert kept["x"].tolist() == [0, 2] and kept["y"].tolist() == [0, 20]


def test_responsibility_readings():
    assert group_verdict(-0.05, -0.01).startswith("this group is below the other customers")
    assert "includes 0" in group_verdict(-0.01, 0.01)
    row = measured_row("8 fairness", "NDCG@10 re-ranked", 0.078, 0.07, 0.085, against="without",
                       difference=-0.0193, diff_low=-0.0257, diff_high=-0.0136)
    assert responsibility_lesson(row, unpaired=[], gap_before=0.438, gap_after=0.242, gap_quota=0.01) == (
        "re-ranking for exposure costs 0.0193 of NDCG (20% of it), for an exposure gap of 0.438 before and 0.242 "
        "after (point estimates)")
    group = {**row, "measure": "ROC-AUC, logistic: low-activity customers", "diff_low": -0.05, "diff_high": -0.02}
    assert responsibility_lesson(group, unpaired=[group["measure"]], gap_before=0, gap_after=0, gap_quota=0) == (
        "ROC-AUC of the logistic model is lower for low-activity customers than for the others")
    quota = {**row, "measure": "NDCG@10 of implicit ALS under the exposure quota", "difference": -0.01}
    assert responsibility_lesson(quota, unpaired=[], gap_before=0.4, gap_after=0.242, gap_quota=0.012) == (
        "the quota costs 0.0100 more NDCG than the soft re-ranking, for an exposure gap of 0.012 against the soft "
        "re-ranking's 0.242 (point estimates)")
    odds = {**row, "measure": "equalized-odds difference by activity", "value": 0.22, "diff_low": 0.2,
            "diff_high": 0.25}
    assert responsibility_lesson(odds, unpaired=[], gap_before=0, gap_after=0, gap_quota=0).startswith(
        "the decision's true- or false-positive rate differs between activity groups by 0.220")
    tables = {name: pd.DataFrame({"merit_share": [0.28], "exposure_share": [share]}, index=["tail"])
              for name, share in (("original", 0.05), ("quota", 0.19))}
    assert bucket_line(tables, "tail") == (
        "the tail bucket holds 28% of the merit; its share of exposure: 5% original, 19% quota (point estimates)")


def test_held_out_probabilities_are_cross_val_predict_and_are_read_back_until_the_folds_change(monkeypatch):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, KFold, cross_val_predict

    from rec_utils.chapters.model_evaluation import cross_validation
    from rec_utils.chapters.model_evaluation.cross_validation import held_out_probabilities
    from rec_utils.runtime import trained

    rng = np.random.default_rng(0)
    features = pd.DataFrame({"x": rng.normal(size=120), "z": rng.normal(size=120)})
    labels = (features["x"] + rng.normal(size=120) > 0).astype(int).to_numpy()
    groups = np.repeat(np.arange(30), 4)
    folds = KFold(3, shuffle=True, random_state=1)
    expected = cross_val_predict(LogisticRegression(), features, labels, cv=folds, method="predict_proba")[:, 1]
    np.testing.assert_array_equal(held_out_probabilities(LogisticRegression(), features, labels, cv=folds), expected)
    stored = sorted((trained.TRAINED_DIR / "07_model_evaluation").glob("*.npz"))
    assert [path.name.split("-")[:3] for path in stored] == [["held_out", "LogisticRegression", "KFold"]]
    with monkeypatch.context() as patch:  # read back, not fitted again
        patch.setattr(cross_validation, "cross_val_predict", None)
        np.testing.assert_array_equal(held_out_probabilities(LogisticRegression(), features, labels, cv=folds),
                                      expected)
    np.savez(stored[0], held_out=np.zeros(120))  # a changed file is not whole: it is computed again
    np.testing.assert_array_equal(held_out_probabilities(LogisticRegression(), features, labels, cv=folds), expected)
    by_customer = held_out_probabilities(LogisticRegression(C=0.1), features, labels, cv=GroupKFold(3), groups=groups)
    np.testing.assert_array_equal(by_customer, cross_val_predict(LogisticRegression(C=0.1), features, labels,
                                                                 cv=GroupKFold(3), groups=groups,
                                                                 method="predict_proba")[:, 1])
    assert len(list((trained.TRAINED_DIR / "07_model_evaluation").glob("*.npz"))) == 2
