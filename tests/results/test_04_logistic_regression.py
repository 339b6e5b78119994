"""Headline results of notebook 04_logistic_regression, saved by the run before these tests
(`make test` runs the notebooks first). Tolerances are the committed run's 95% intervals."""

import pytest
from ranking_checks import assert_headline

from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.results import load_metrics

# value, 95% customer-bootstrap interval of the committed run
HEADLINE = {
    "ROC-AUC, held-out customers": (0.8534, 0.8379, 0.8679),
    "log-loss, held-out customers": (0.3608, 0.3406, 0.3859),
}


@pytest.fixture(scope="module")
def m():
    return load_metrics("04_logistic_regression")


def test_worked_example(m):
    ex = m["worked_example"]
    assert ex["p_correct"] == pytest.approx(0.3318, abs=1e-4) and ex["p_printed"] == pytest.approx(0.9370, abs=1e-4)
    assert ex["correct_decreasing"] and ex["printed_increasing"]
    low, high = ex["p_range_other_betas"]
    assert low < ex["p_correct"] < high and high - low > 0.5  # the example's answer is set by the chosen β
    assert m["example_by_hand"] == pytest.approx(m["example_model"], abs=1e-9)


def test_propensity_model_on_held_out_customers(m):
    assert m["C"] in [row["value"] for row in m["C_curve"]]
    assert m["C"] == max(m["C_curve"], key=lambda row: row["validation"])["value"]  # chosen on validation
    assert_headline(m, HEADLINE)
    # the committed paired interval of log-loss minus the base rate's excluded zero (below): the sign must hold
    assert m["log_loss_minus_base_rate"]["high"] < 0
    assert m["positive_rate"] == pytest.approx(1 / 5, abs=0.03)  # 4 negatives sampled per positive


def test_errata_record_has_the_checked_claims():
    errata = load_errata().set_index("claim_id")
    assert errata.loc["4.3-logistic-sign", "status"] == "wrong"
    assert errata.loc["4.3-beta-values", "status"] == "not reproducible"
    assert "repository's choice" in errata.loc["4.3-beta-values", "we_compute"]
    assert errata.loc["4.1-svd-example", "status"] == "confirmed"
    assert errata.loc["4.1-svd-pca-zeros", "status"] == "confirmed with caveats"
    assert errata.loc["4.2-cosine-example", "status"] == "wrong"
