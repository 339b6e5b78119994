"""Headline results of notebook 01_data_preparation, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pytest

from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.results import load_metrics


def test_01_data_preparation():
    m = load_metrics("01_data_preparation")
    assert m["balanced"] is True
    assert m["rows_in"] == m["rows_kept"] + sum(m["dropped"].values())
    assert m["rows_in"] == 541_909
    assert m["dropped"]["exact_duplicate"] == 5_268
    assert m["rows_kept"] == pytest.approx(391_150, abs=0)
    assert m["n_customers"] == 4_334 and m["n_products"] == 3_659
    assert m["top20_share"] == pytest.approx(0.63, abs=0.05)  # long tail: top 20% hold most purchases
    assert m["figure"] == "01_long_tail" and 1 <= len(m["headline"]) <= 3
    assert m["headline"][0]["value"] == m["rows_kept"]


def test_01_fillna_erratum_holds_this_runs_counts():
    m = load_metrics("01_data_preparation")
    row = load_errata().set_index("claim_id").loc["5.1-fillna-zero"]
    assert row["status"] == "wrong" and row["notebook"] == "01_data_preparation"
    assert f"{m['fillna_customer0_lines']:,} lines without CustomerID" in row["we_compute"]
