"""Headline results of notebook 14_scale_out, saved by the run before these tests
(`make test` runs the notebooks first). Engine agreement (accounting, matrices, lists, metrics on the same lists)
is exact; the ALS results of the two solvers are checked against the committed run's intervals, and the
tolerance verdict only for its consistency with the numbers (the data decide it, not the test)."""

import pytest
from front_page_checks import DEFAULT_PROTOCOL, assert_front_page
from ranking_checks import assert_headline

from rec_utils.runtime.results import load_metrics

# The committed run's headlines: (value, low, high), customer bootstrap over the 1,264 ranked customers.
COMMITTED = {
    "new_items NDCG@10: Spark implicit ALS minus numpy implicit ALS (paired, test window)": (-0.0013, -0.0058, 0.0031),
    "new_items NDCG@10, numpy implicit ALS (test window)": (0.0850, 0.0773, 0.0934),
}


@pytest.fixture(scope="module")
def m():
    return load_metrics("14_scale_out")


def test_cleaning_accounting_is_notebook_01s(m):
    assert m["accounting_spark"] == m["accounting_pandas"]
    notebook_01 = load_metrics("01_data_preparation")
    assert {r: m["accounting_spark"][r] for r in notebook_01["dropped"]} == notebook_01["dropped"]
    assert m["accounting_spark"]["kept"] == notebook_01["rows_kept"]
    assert m["accounting_spark"]["rows_in"] == notebook_01["rows_in"]


def test_same_matrix_same_lists_same_metrics(m):
    assert all(m["matrices_identical"].values())
    assert m["topk_identical_share"] == 1.0
    assert m["metric_max_abs_difference"] < 1e-12


def test_als_results_stay_inside_the_committed_intervals(m):
    assert_headline(m, COMMITTED)


def test_als_table_and_tolerance_are_consistent(m):
    als = m["als"]
    numpy_row, spark_row = als["ndcg"]["numpy implicit ALS"], als["ndcg"]["Spark implicit ALS"]
    assert als["tolerance"] == pytest.approx((numpy_row["high"] - numpy_row["low"]) / 2)
    assert als["within_tolerance"] == (abs(als["gap"]["difference"]) <= als["tolerance"])
    assert als["gap"]["low"] <= als["gap"]["difference"] <= als["gap"]["high"]
    assert als["gap"]["difference"] == pytest.approx(spark_row["mean"] - numpy_row["mean"])
    assert als["numpy"]["ndcg@10"] == pytest.approx(numpy_row["mean"])
    assert als["spark"]["ndcg@10"] == pytest.approx(spark_row["mean"], abs=1e-12)  # RankingEvaluator = own mean
    assert numpy_row["n"] == spark_row["n"] == m["n_eval_customers"]


def test_scaling_runs_finished_and_agree_on_the_data(m):
    runs = m["scaling"]["runs"]
    assert {r["engine"] for r in runs} == {"pandas", "spark"}
    assert all(r["status"] == "ok" for r in runs)
    by_factor = {}
    for run in runs:  # both engines see the same lines, pairs and customers at every size
        by_factor.setdefault(run["factor"], []).append(run)
    for factor, pair in by_factor.items():
        assert len({(r["rows_in"], r["rows_kept"], r["n_users"], r["n_items"], r["n_train_pairs"]) for r in pair}) == 1
        assert pair[0]["rows_kept"] == factor * m["accounting_spark"]["kept"]
    crossover = m["scaling"]["crossover_factor"]
    assert crossover is None or crossover in by_factor


def test_data_parallel_step_matches_one_device(m):
    dp = m["data_parallel"]
    if dp is None:
        pytest.skip("the run had no jax, so the data-parallel section was skipped")
    assert dp["agrees"] and dp["max_abs_difference"] <= dp["tolerance"] < dp["max_abs_step"] / 100
    model_auc = next(v for name, v in dp["auc"].items() if name.startswith("click model"))
    ceiling = next(v for name, v in dp["auc"].items() if name.startswith("oracle"))
    assert 0.5 < model_auc["ROC-AUC"] <= ceiling["ROC-AUC high"]  # learns something, never above the ceiling
    assert m["backend"] == "jax"


def test_front_page(m):
    assert_front_page(m, protocol=DEFAULT_PROTOCOL)


def test_scaling_fit_is_consistent_with_its_numbers(m):
    scaling = m["scaling"]
    if scaling["costs"] is None:
        pytest.skip(f"{scaling['fit_source']} had too few sizes per engine for a fixed + per-copy fit")
    costs = scaling["costs"]
    for engine, row in costs.items():
        assert row["fixed_low"] <= row["fixed_s"] <= row["fixed_high"], engine
        assert row["per_copy_low"] <= row["per_copy_s"] <= row["per_copy_high"], engine
        assert row["n_points"] >= 3
    pandas, spark = costs["pandas"], costs["spark"]
    difference = scaling["per_copy_difference"]
    assert difference["difference"] == pytest.approx(spark["per_copy_s"] - pandas["per_copy_s"])
    assert difference["low"] <= difference["difference"] <= difference["high"]
    headline = next(h for h in m["headline"] if h["name"].startswith("wall seconds per copy"))
    assert headline["value"] == pytest.approx(difference["difference"])
    meet = scaling["break_even"]
    crossing = (spark["fixed_s"] - pandas["fixed_s"]) / (pandas["per_copy_s"] - spark["per_copy_s"])
    if meet["size"] is None:  # the lines meet at no positive size
        assert not crossing > 0
    else:
        assert meet["size"] == pytest.approx(crossing)
    memory_gap = scaling["memory_per_copy_difference"]
    spark_memory, pandas_memory = scaling["memory_costs"]["spark"], scaling["memory_costs"]["pandas"]
    assert memory_gap["difference"] == pytest.approx(spark_memory["per_copy_s"] - pandas_memory["per_copy_s"])
    assert memory_gap["low"] <= memory_gap["difference"] <= memory_gap["high"]
    memory, at_limit = scaling["memory_costs"]["pandas"], scaling["copies_at_memory_limit"]
    if at_limit["size"] is not None:
        assert memory["fixed_s"] + memory["per_copy_s"] * at_limit["size"] == pytest.approx(scaling["memory_limit_gib"])
