"""Headline results of notebook 04_logistic_regression, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pytest

from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.results import load_metrics


def test_04_logistic_regression():
    m = load_metrics("04_logistic_regression")
    ex = m["worked_example"]
    assert ex["p_correct"] == pytest.approx(0.3318, abs=1e-4) and ex["p_printed"] == pytest.approx(0.9370, abs=1e-4)
    assert ex["correct_decreasing"] and ex["printed_increasing"]
    assert m["roc_auc"] == pytest.approx(0.853, abs=0.02)
    assert m["log_loss"] < m["base_rate_log_loss"]
    assert m["example_by_hand"] == pytest.approx(m["example_model"], abs=1e-9)
    assert m["positive_rate"] == pytest.approx(1 / 5, abs=0.03)  # 4 negatives sampled per positive


def test_errata_record_has_the_checked_claims():
    errata = load_errata().set_index("claim_id")
    assert errata.loc["4.2-cosine-example", "status"] == "wrong"
    assert "0.9746" in errata.loc["4.2-cosine-example", "we_compute"]
    assert errata.loc["4.3-logistic-sign", "status"] == "wrong"
    assert errata.loc["4.1-svd-example", "status"] == "confirmed"
