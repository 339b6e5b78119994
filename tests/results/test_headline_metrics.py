"""Headline results saved by the notebook run that precedes these tests (see `make test`).

Tolerances are stated per value: exact for counts on the embedded data, relative for
statistics that depend on floating point or on seeded training.
"""

import pytest

from rec_utils.results import load_metrics


def test_00_environment():
    m = load_metrics("00_environment")
    assert m["rows"] == 541_909 and m["sha256_matches"] is True
    assert m["device"] in {"cpu", "gpu"}


def test_01_data_preparation():
    m = load_metrics("01_data_preparation")
    assert m["balanced"] is True
    assert m["rows_in"] == m["rows_kept"] + sum(m["dropped"].values())
    assert m["rows_in"] == 541_909
    assert m["dropped"]["exact_duplicate"] == 5_268
    assert m["rows_kept"] == pytest.approx(391_150, abs=0)
    assert m["n_customers"] == 4_334 and m["n_products"] == 3_659
    assert m["top20_share"] == pytest.approx(0.63, abs=0.05)  # long tail: top 20% hold most purchases
