"""Headline results of reports/benchmarks.csv, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pandas as pd

from rec_utils.runtime.benchmark_log import BENCHMARKS_PATH


def test_benchmarks_file_has_rows():
    rows = pd.read_csv(BENCHMARKS_PATH)
    assert {"click_model", "topk", "metrics"} <= set(rows["benchmark"])
    measured = rows[rows["metric"] != "ndcg_abs_difference"]
    assert (measured["value"] > 0).all()
    assert (rows.loc[rows["metric"] == "ndcg_abs_difference", "value"] <= 1e-9).all()
