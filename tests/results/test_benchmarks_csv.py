"""Headline results of reports/benchmarks.csv, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pandas as pd

from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH


def test_benchmarks_file_has_rows():
    every_row = pd.read_csv(BENCHMARKS_PATH)
    assert {"click_model", "topk", "metrics"} <= set(every_row["benchmark"])
    rows = every_row[every_row["benchmark"] != "portability"]  # checked by the test below
    is_difference = rows["metric"].str.contains("abs_difference")
    is_spread = rows["metric"].str.contains("_sd_")
    # Differences to a reference implementation are round-off; everything else measured is a time, rate or size.
    assert (rows.loc[is_difference, "value"].abs() <= 1e-9).all()
    assert (rows.loc[is_spread, "value"] >= 0).all()
    assert (rows.loc[~is_difference & ~is_spread, "value"] > 0).all()


def test_portability_rows_are_counts_times_and_differences():
    """benchmarks/portability.py's rows: tests passed and seconds per setting, and per notebook how many saved
    metrics differ between settings and by how much (differences between trained models, not round-off only)."""
    rows = pd.read_csv(BENCHMARKS_PATH)
    rows = rows[rows["benchmark"] == "portability"]
    by_metric = rows.groupby("metric")["value"]
    for metric, values in by_metric:
        if metric in {"tests_passed", "make_test_seconds"}:
            assert (values > 0).all(), metric
        else:
            assert metric in {"metrics_differing", "largest_metric_abs_difference"}, metric
            assert (values >= 0).all(), metric
