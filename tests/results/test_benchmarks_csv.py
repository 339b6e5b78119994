"""Headline results of reports/benchmarks.csv, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pandas as pd

from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH


def test_benchmarks_file_has_rows():
    rows = pd.read_csv(BENCHMARKS_PATH)
    assert {"click_model", "topk", "metrics"} <= set(rows["benchmark"])
    is_difference = rows["metric"].str.contains("abs_difference")
    is_spread = rows["metric"].str.contains("_sd_")
    # Differences to a reference implementation are round-off; everything else measured is a time, rate or size.
    assert (rows.loc[is_difference, "value"].abs() <= 1e-9).all()
    assert (rows.loc[is_spread, "value"] >= 0).all()
    assert (rows.loc[~is_difference & ~is_spread, "value"] > 0).all()
