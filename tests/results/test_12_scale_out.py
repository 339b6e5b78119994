"""Headline results of notebook 12_scale_out, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pytest

from rec_utils.runtime.paths import FIGURES_DIR
from rec_utils.runtime.results import load_metrics


@pytest.fixture(scope="module")
def m():
    return load_metrics("12_scale_out")


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


def test_als_solvers_agree_within_the_stated_tolerance(m):
    als = m["als"]
    numpy_ndcg, low, high = als["ndcg_interval"]["numpy implicit ALS"]
    assert als["tolerance"] == pytest.approx((high - low) / 2)
    assert abs(als["gap"]["difference"]) <= als["tolerance"]
    assert als["gap"]["low"] <= als["gap"]["difference"] <= als["gap"]["high"]
    assert als["numpy"]["ndcg@10"] == pytest.approx(numpy_ndcg)
    spark_ndcg, spark_low, spark_high = als["ndcg_interval"]["Spark implicit ALS"]
    assert als["spark"]["ndcg@10"] == pytest.approx(spark_ndcg, abs=1e-12)
    assert spark_low <= spark_ndcg <= spark_high


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
    ceiling = next(v for name, v in dp["auc"].items() if name.startswith("Bayes"))
    assert 0.5 < model_auc["ROC-AUC"] <= ceiling["ROC-AUC high"]  # learns something, never above the ceiling
    assert m["backend"] == "jax"


def test_headline_and_figure(m):
    assert 1 <= len(m["headline"]) <= 3
    assert all({"name", "value", "low", "high"} <= set(h) for h in m["headline"])
    assert (FIGURES_DIR / f"{m['figure']}.png").exists()
