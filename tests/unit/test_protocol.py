"""The evaluation protocol: global time cut, windows, tasks, cold start; the comparison with paired intervals;
tuning on validation only; the saved choice of notebook 07 and its recomputation."""

import dataclasses
import json

import matplotlib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from rec_utils.data.interactions import cold_start_interactions, window_interactions
from rec_utils.data.split import time_window_split
from rec_utils.evaluation import choice as choice_module
from rec_utils.evaluation.choice import chosen_recommender, load_choice, save_choice
from rec_utils.evaluation.comparison import (
    RankingRun,
    compare_recommenders,
    compare_runs,
    comparison_table,
    strongest_on,
    verdict,
)
from rec_utils.evaluation.protocol import Protocol
from rec_utils.evaluation.resampling import bootstrap_means, mean_interval
from rec_utils.evaluation.tuning import candidate_settings, candidates_for, choose_recommender, tune, tune_classifier
from rec_utils.figures.plots import comparison_plot, tag_profile_plot, tuning_plot
from rec_utils.recommend.recommenders import RecommenderSpec

matplotlib.use("Agg")
START = pd.Timestamp("2011-01-01")


@pytest.fixture(scope="module")
def shop():
    """120 days of invoices: 60 customers (two countries), 40 products with a popular head; customers 56-59
    first buy after day 100 (cold start in the test window)."""
    rng = np.random.default_rng(1)
    rows = []
    for invoice in range(900):
        customer = int(rng.integers(0, 56)) if invoice < 850 else int(rng.integers(56, 60))
        day = int(rng.integers(0, 120)) if customer < 56 else int(rng.integers(101, 120))
        for product in rng.choice(40, size=3, replace=False, p=np.arange(40, 0, -1) / 820):
            rows.append({"InvoiceNo": str(invoice), "StockCode": f"P{product:02d}",
                         "Description": f"ITEM {product % 7}", "Quantity": 1,
                         "UnitPrice": 1.0 + product % 5, "CustomerID": customer,
                         "Country": "France" if customer % 4 == 0 else "United Kingdom",
                         "InvoiceDate": START + pd.Timedelta(days=day, hours=int(rng.integers(8, 18)))})
    frame = pd.DataFrame(rows)
    frame["Revenue"] = frame["Quantity"] * frame["UnitPrice"]
    return frame


PROTOCOL = Protocol(START + pd.Timedelta(days=100), validation_days=10, test_days=20)


def test_time_window_split_cuts_every_customer_at_one_moment(shop):
    cut = START + pd.Timedelta(days=100)
    history, window = time_window_split(shop, cut, 10)
    assert history["InvoiceDate"].max() < cut <= window["InvoiceDate"].min()
    assert window["InvoiceDate"].max() < cut + pd.Timedelta(days=10)
    with pytest.raises(ValueError, match="ends after the data"):
        time_window_split(shop, cut, 30)
    with pytest.raises(ValueError, match="nothing to train on"):
        time_window_split(shop, START, 5)


def test_tasks_differ_only_in_repeat_purchases(shop):
    history, window = time_window_split(shop, START + pd.Timedelta(days=100), 20)
    new = window_interactions(history, window, new_items_only=True)
    repeat = window_interactions(history, window, new_items_only=False)
    assert new.test.multiply(new.train > 0).nnz == 0  # nothing already bought is relevant for new_items
    assert repeat.test.multiply(repeat.train > 0).nnz > 0
    assert (repeat.test - repeat.test.multiply(repeat.train > 0) != new.test).nnz == 0
    assert set(new.users) == set(history["CustomerID"])  # only customers seen in training have rows
    assert new.countries[new.users.get_loc(4)] == "France"


def test_cold_start_customers_are_counted_apart(shop):
    split = PROTOCOL.split(shop, "test")
    assert set(split.cold_start.users) == {56, 57, 58, 59}
    assert not set(split.cold_start.users) & set(split.data.users)
    assert split.cold_start.train.nnz == 0 and split.cold_start.test.nnz > 0
    counts = split.describe()
    assert counts["cold-start customers (first purchase in the window)"] == 4
    assert (counts["ranked customers (seen in training, >= 1 relevant product)"]
            + counts["seen in training, no relevant product (not ranked)"] + 4
            == counts["customers buying in the window"])
    cold = split.for_cold_start()
    assert len(cold.users) == 4 and cold.exclude.nnz == 0


def test_validation_models_never_see_the_validation_or_test_window(shop):
    validation = PROTOCOL.split(shop, "validation")
    assert validation.data.history["InvoiceDate"].max() < PROTOCOL.cut_date - pd.Timedelta(days=10)
    assert validation.data.start == PROTOCOL.cut_date - pd.Timedelta(days=10)
    test = PROTOCOL.split(shop, "test")
    assert test.data.history["InvoiceDate"].max() < PROTOCOL.cut_date == test.data.start
    assert test.exclude is test.data.train and PROTOCOL.with_task("next_basket").split(shop, "test").exclude is None


def test_protocol_rejects_what_it_cannot_mean():
    with pytest.raises(ValueError, match="task"):
        Protocol("2011-01-01", task="clicks")
    with pytest.raises(ValueError, match="validation_days"):
        Protocol("2011-01-01", validation_days=0)
    with pytest.raises(ValueError, match="cut_date"):
        Protocol("not a date")
    with pytest.raises(ValueError, match="stage"):
        PROTOCOL.window("train")
    assert "2011-04-11" in str(PROTOCOL) and "new_items" in str(PROTOCOL)


def test_bootstrap_means_resample_customers_with_replacement():
    values = np.arange(5, dtype=float)[:, None]
    boot = bootstrap_means(values, n_boot=3, seed=7)
    draws = np.random.default_rng(7).integers(5, size=(3, 5))
    np.testing.assert_allclose(boot[:, 0], values[draws, 0].mean(axis=1))  # the same as drawing indices
    mean, low, high = mean_interval(np.r_[np.zeros(500), np.ones(500)], n_boot=2000, seed=0)
    assert mean == 0.5 and high - low == pytest.approx(2 * 1.96 * 0.5 / np.sqrt(1000), rel=0.15)


def _run(values):
    frame = pd.DataFrame({"ndcg@10": values, "recall@10": values / 2})
    return RankingRun(frame, np.zeros((len(values), 10), dtype=int))


def test_compare_runs_pairs_customers_and_picks_the_strongest_baseline():
    rng = np.random.default_rng(0)
    customer = rng.uniform(0, 1, 400)  # a large customer effect shared by every model
    runs = {"weak": _run(customer * 0.5), "strong": _run(customer), "model": _run(customer + 0.01),
            "same": _run(customer.copy())}
    frame = compare_runs(runs, ["weak", "strong"], n_boot=500, seed=0)
    assert set(frame["baseline"]) == {"strong"}
    row = frame[(frame["model"] == "model") & (frame["metric"] == "ndcg")].iloc[0]
    assert row["diff_vs_best_baseline"] == pytest.approx(0.01)
    assert row["diff_low"] == pytest.approx(0.01) and row["diff_high"] == pytest.approx(0.01)  # paired: no noise
    assert row["high"] - row["low"] > 0.05  # while each mean alone is uncertain
    same = frame[(frame["model"] == "same") & (frame["metric"] == "ndcg")].iloc[0]
    assert same["diff_low"] == same["diff_high"] == 0
    assert verdict(frame, "model").startswith("model beats strong")
    assert "not distinguishable" in verdict(frame, "same") and "strongest baseline on" in verdict(frame, "strong")
    assert verdict(frame, "weak").startswith("weak falls below")
    assert comparison_table(frame).loc["model", "ndcg@10"].count("[") == 1
    with pytest.raises(ValueError):
        compare_runs(runs, ["nobody"])


def test_strongest_baseline_chosen_on_validation_is_kept_on_the_test(shop):
    """The yardstick is picked before the test window is scored: compare_runs keeps it even where another
    baseline scores higher on the compared split, and says where it was chosen."""
    rng = np.random.default_rng(1)
    customer = rng.uniform(0, 1, 200)
    runs = {"weak": _run(customer * 0.5), "strong": _run(customer), "model": _run(customer + 0.01)}
    frame = compare_runs(runs, ["weak", "strong"], n_boot=50, strongest={"ndcg@10": "weak", "recall@10": "weak"},
                         chosen_on="validation")
    assert set(frame["baseline"]) == {"weak"} and set(frame["baseline_chosen_on"]) == {"validation"}
    assert "strongest baseline on validation" in verdict(frame, "model")
    with pytest.raises(ValueError, match="strongest must name baselines"):
        compare_runs(runs, ["weak"], strongest={"ndcg@10": "model", "recall@10": "model"})
    specs = {"popularity": RecommenderSpec.of("popularity"), "recent": RecommenderSpec.of("recent_popularity"),
             "svd": RecommenderSpec.of("truncated_svd", n_factors=4)}
    validation, test = PROTOCOL.split(shop, "validation"), PROTOCOL.split(shop, "test")
    chosen = strongest_on(validation, {b: specs[b] for b in ("popularity", "recent")}, ("ndcg",), (10,))
    frame = compare_recommenders(test, specs, metrics=("ndcg",), ks=(10,), baselines=["popularity", "recent"],
                                 validation=validation, n_boot=20)
    assert set(frame["baseline"]) == {chosen["ndcg@10"]} and set(frame["baseline_chosen_on"]) == {"validation"}
    with pytest.raises(ValueError, match="validation split"):
        compare_recommenders(test, specs, baselines=["popularity"], validation=test, n_boot=20)


def test_compare_recommenders_on_a_protocol_split(shop):
    test = PROTOCOL.split(shop, "test")
    specs = {"popularity": RecommenderSpec.of("popularity"), "svd": RecommenderSpec.of("truncated_svd", n_factors=4)}
    frame, runs = compare_recommenders(test, specs, metrics=("ndcg", "hit_rate"), ks=(5, 10), n_boot=50,
                                       return_runs=True)
    assert list(frame.columns[:10]) == ["model", "kind", "metric", "k", "mean", "low", "high", "baseline",
                                        "baseline_chosen_on", "diff_vs_best_baseline"]
    assert len(frame) == 2 * 2 * 2 and (frame["n_users"] == len(test.users)).all()
    bought = test.data.train[test.users]
    recommended = runs["svd"].recommended
    assert bought[np.arange(len(recommended))[:, None], recommended].nnz == 0  # new_items excludes past purchases


def test_candidate_settings_respect_the_budget_and_the_seed():
    space = {"a": [1, 2, 3], "b": [10, 20, 30]}
    assert len(candidate_settings(space, budget=9)) == 9
    subset = candidate_settings(space, budget=4, seed=3)
    assert len(subset) == 4 and len({tuple(s.items()) for s in subset}) == 4
    assert subset == candidate_settings(space, budget=4, seed=3)
    assert subset != candidate_settings(space, budget=4, seed=4)
    assert candidate_settings({}, budget=2) == [{}]
    assert "buy_again" in candidates_for("next_basket") and "buy_again" not in candidates_for("new_items")


def test_tuning_uses_validation_only_and_keeps_the_best_setting(shop):
    validation = PROTOCOL.split(shop, "validation")
    with pytest.raises(ValueError, match="validation stage only"):
        tune(PROTOCOL.split(shop, "test"), "truncated_svd")
    result = tune(validation, "recent_popularity", {"window_days": [2, 5, 50]}, n_boot=50)
    assert len(result.table) == 3 and result.table["chosen"].sum() == 1
    best = result.table.loc[result.table["chosen"]].iloc[0]
    assert best["mean"] == result.table["mean"].max() and result.best.settings["window_days"] == best["window_days"]
    assert "3 of 3 settings" in result.describe()


def test_searches_are_read_back_until_the_split_changes_and_a_choice_is_the_searches_it_makes(shop, monkeypatch):
    from rec_utils.evaluation import tuning

    validation = PROTOCOL.split(shop, "validation")
    first = tune(validation, "item_knn", budget=2, seed=3, n_boot=50)
    choice = choose_recommender(validation, ["popularity", "item_knn"], budget=2, seed=3, n_boot=50)
    with monkeypatch.context() as patch:  # read back, no recommender fitted again
        patch.setattr(RecommenderSpec, "__call__", None)
        again = tune(validation, "item_knn", budget=2, seed=3, n_boot=50)
        choice_again = choose_recommender(validation, ["popularity", "item_knn"], budget=2, seed=3, n_boot=50)
    pd.testing.assert_frame_equal(again.table, first.table)
    assert again.best == first.best and choice_again.best == choice.best
    for name, result in choice.results.items():  # one stored search for all, the same as each searched alone
        alone = tune(validation, name, budget=2, seed=3, fixed={"seed": 3}, n_boot=50)
        pd.testing.assert_frame_equal(result.table, alone.table)
        assert result.best == alone.best
    fingerprint = tuning.split_fingerprint(validation)
    assert tuning.split_fingerprint(PROTOCOL.split(shop, "validation")) == fingerprint
    assert tuning.split_fingerprint(PROTOCOL.with_task("next_basket").split(shop, "validation")) != fingerprint
    more = dataclasses.replace(validation.data, train=validation.data.train * 2)
    assert tuning.split_fingerprint(dataclasses.replace(validation, data=more)) != fingerprint


def test_choice_is_read_when_valid_and_recomputed_otherwise(shop, tmp_path, monkeypatch):
    path = tmp_path / "choice.json"
    validation = PROTOCOL.split(shop, "validation")
    choice = choose_recommender(validation, ["popularity", "recent_popularity"], budget=2, n_boot=50)
    save_choice(PROTOCOL, choice, path=path)
    spec, note = load_choice(PROTOCOL, path)
    assert spec == choice.best and "notebook 07" in note
    assert json.loads(path.read_text())["producer"] == "07_model_evaluation"

    def no_rerun(*args, **kwargs):
        raise AssertionError("a valid saved choice must not be recomputed")

    monkeypatch.setattr(choice_module, "choose_recommender", no_rerun)
    assert chosen_recommender(PROTOCOL, shop, path=path)[0] == choice.best
    assert load_choice(PROTOCOL.with_task("next_basket"), path)[0] is None  # no choice for that task
    other = Protocol(PROTOCOL.cut_date - pd.Timedelta(days=1), validation_days=10, test_days=20)
    assert "another protocol" in load_choice(other, path)[1]

    calls = []
    monkeypatch.setattr(choice_module, "choose_recommender", lambda split, **kw: calls.append(split.stage) or choice)
    path.write_text("{not json")
    spec, note = chosen_recommender(PROTOCOL, shop, path=path, budget=2)
    assert calls == ["validation"] and spec == choice.best
    assert "notebook 07" in note and "recomputed" in note


def test_cold_start_interactions_take_the_country_of_the_first_invoice():
    frame = pd.DataFrame({"CustomerID": [1, 2, 2], "StockCode": ["A", "A", "B"], "InvoiceNo": ["1", "2", "3"],
                          "InvoiceDate": pd.to_datetime(["2011-01-01", "2011-02-02", "2011-02-03"]),
                          "Country": ["UK", "Spain", "France"]})
    cold = cold_start_interactions(frame.iloc[:1], frame.iloc[1:])
    assert list(cold.users) == [2] and list(cold.countries) == ["Spain"]
    assert isinstance(cold.test, sp.csr_matrix) and cold.test.toarray().tolist() == [[1.0]]  # B unseen in history


def test_tune_classifier_keeps_the_value_best_on_validation():
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=400), "label": (x + rng.normal(size=400) > 0).astype(int)})
    fit, validation = frame.iloc[:300], frame.iloc[300:]
    # C is the strength of the fit: a tiny C shrinks the useful coefficient, so its validation AUC cannot be higher
    best, table = tune_classifier(lambda c: LogisticRegression(C=c), [1e-6, 1.0], fit, validation, ["x", "noise"])
    assert list(table["value"]) == [1e-6, 1.0] and best == table.loc[table["validation"].idxmax(), "value"]
    best, table = tune_classifier(lambda column: _Column(column), ["noise", "x"], fit, validation, ["x", "noise"])
    assert best == "x" and table["validation"].iloc[1] > 0.7 > table["validation"].iloc[0]


class _Column:
    """A 'classifier' that scores rows by one column: lets the test know which value must win."""

    def __init__(self, column):
        self.column = column

    def fit(self, X, y):
        return self

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-X[self.column].to_numpy()))
        return np.column_stack([1 - p, p])


def test_ranking_plots_draw_from_the_frames(shop):
    validation = PROTOCOL.split(shop, "validation")
    searches = {"recent": tune(validation, "recent_popularity", {"window_days": [2, 5]}, n_boot=20),
                "popularity": tune(validation, "popularity", n_boot=20)}
    assert len(tuning_plot(searches).axes) == 2
    frame = compare_runs({"a": _run(np.linspace(0, 1, 50)), "b": _run(np.linspace(0, 1, 50) ** 2)}, ["a"], n_boot=20)
    figure = comparison_plot(frame, "ndcg", 10, title="t")
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == ["a", "b"]
    tags = pd.DataFrame({"tags": [["red", "heart"]], "scores": [[0.3, 0.1]]}, index=[7])  # shares of the profile
    bars = tag_profile_plot(tags, [7]).axes[0].patches
    assert [b.get_width() for b in bars] == [0.3, 0.1]
