"""Headline results of notebook 06_click_model, saved by the run before these tests
(`make test` runs the notebooks first).

Tolerances: the ceilings and the scikit-learn models on real data are numpy/scikit-learn computations on seeded
data (they repeat to the printed digits), so they get tight tolerances; the Keras models and everything fed by the
trained image encoder differ between CPUs and backends, so they get tolerances of about their 95% interval's
half-width (0.015 AUC for 160 test users) doubled. No direction between models is asserted here: the notebook
states only the directions whose paired intervals exclude zero.
"""

import pytest

from rec_utils.click_experiment import (
    ACHIEVABLE,
    ACHIEVABLE_HISTORY,
    BASELINES,
    CEILINGS,
    FUSED,
    INTEREST,
    ORACLE,
    cells,
)
from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.results import load_metrics


def test_06_ceilings_and_their_monte_carlo_error():
    m = load_metrics("06_click_model")
    ab = m["ablation"]
    assert set(CEILINGS) <= set(ab)
    assert ab[ORACLE]["ROC-AUC"] == pytest.approx(0.829, abs=0.003)
    assert ab[ACHIEVABLE]["ROC-AUC"] == pytest.approx(0.750, abs=0.003)
    assert ab[ACHIEVABLE_HISTORY]["ROC-AUC"] == pytest.approx(0.767, abs=0.005)
    d = m["ceiling_diagnostics"]
    assert d["quadrature_vs_monte_carlo_max_abs_z"] < 4.5  # quadrature and forward simulation agree
    assert abs(d["history_test_auc_seed_a"] - d["history_test_auc_seed_b"]) < 0.005  # importance sampling settles


def test_06_every_model_of_the_factorial_has_a_paired_interval():
    m = load_metrics("06_click_model")
    ab = m["ablation"]
    assert set(cells()) | set(BASELINES) <= set(ab)
    assert m["strongest_baseline"] in BASELINES
    assert ab[m["strongest_baseline"]]["ROC-AUC"] == pytest.approx(0.745, abs=0.03)
    for name in cells():
        assert {"Δ AUC vs reference", "Δ low", "Δ high"} <= set(ab[name])
    assert ab[FUSED]["ROC-AUC"] == pytest.approx(0.731, abs=0.03)
    assert ab[INTEREST]["ROC-AUC"] == pytest.approx(0.728, abs=0.03)
    assert m["reload_max_diff"] < 1e-5
    assert m["figure"] == "06_ablation_auc" and len(m["headline"]) == 3


def test_06_real_purchases_like_for_like():
    retail = load_metrics("06_click_model")["retail"]
    uniform, popular = retail["uniform"], retail["popularity"]
    assert uniform["logistic regression (notebook 04)"]["ROC-AUC"] == pytest.approx(0.853, abs=0.005)
    assert uniform["logistic regression + description words"]["ROC-AUC"] == pytest.approx(0.882, abs=0.005)
    assert uniform["popularity only"]["ROC-AUC"] == pytest.approx(0.810, abs=0.005)
    assert uniform["Keras: description words + the same features"]["ROC-AUC"] == pytest.approx(0.88, abs=0.03)
    assert popular["popularity only"]["ROC-AUC"] == pytest.approx(0.538, abs=0.005)
    assert popular["logistic regression + description words"]["ROC-AUC"] == pytest.approx(0.798, abs=0.005)
    assert popular["Keras: description words + the same features"]["ROC-AUC"] == pytest.approx(0.80, abs=0.03)


def test_06_errata_rows():
    errata = load_errata().set_index("claim_id")
    for claim in ("5.3-listing-cannot-be-built", "5.4-train-test-split-unpacking", "5.4-predict-text-twice"):
        assert errata.loc[claim, "notebook"] == "06_click_model"
    assert "Concatenate" in errata.loc["5.3-listing-cannot-be-built", "we_compute"]
    assert "too many values to unpack" in errata.loc["5.4-train-test-split-unpacking", "we_compute"]
    assert "5.4-click-probability-0.8" in errata.index  # restated by notebook 06 (notebook 07 still writes it too)
