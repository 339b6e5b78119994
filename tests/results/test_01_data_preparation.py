"""Headline results of notebook 01_data_preparation, saved by the run before these tests
(`make test` runs the notebooks first)."""




import pytest

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
