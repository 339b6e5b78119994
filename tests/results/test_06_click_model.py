"""Headline results of notebook 06_click_model, saved by the run before these tests
(`make test` runs the notebooks first).

Tolerances: the oracle and the two ceilings are simulator computations on seeded data that do not read the trained
image encoder (they repeat to the printed digits), so they get tight tolerances; the baselines read the encoder's
image components and the Keras models are trained networks, and both differ between CPUs and backends, so they get
tolerances of about their 95% interval's half-width (0.004 AUC for 1,600 test users) doubled, or tripled for the
networks. No direction between models is asserted here: the notebook states only the directions whose paired
intervals exclude zero.
"""

import pytest

from rec_utils.chapters import click_model as ch
from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.results import load_metrics


def test_06_ceilings_and_their_monte_carlo_error():
    m = load_metrics("06_click_model")
    ab = m["ablation"]
    assert set(ch.CEILINGS) <= set(ab)
    assert ab[ch.ORACLE]["ROC-AUC"] == pytest.approx(0.834, abs=0.003)
    assert ab[ch.CEILING_NONE]["ROC-AUC"] == pytest.approx(0.749, abs=0.003)
    assert ab[ch.CEILING_FULL]["ROC-AUC"] == pytest.approx(0.769, abs=0.005)
    assert all("gap to that ceiling" not in ab[name] for name in ch.CEILINGS)  # a ceiling has no ceiling
    d = m["ceiling_diagnostics"]
    assert d["quadrature_vs_monte_carlo_max_abs_z"] < 4.5  # quadrature and forward simulation agree
    assert abs(d["history_test_auc_seed_a"] - d["history_test_auc_seed_b"]) < 0.005  # importance sampling settles


def test_06_every_model_has_a_paired_interval_and_a_gap_to_its_ceiling():
    m = load_metrics("06_click_model")
    ab = m["ablation"]
    deep = set(ch.ablation_specs()) | {ch.ARTICLE}
    assert set(ch.BASELINES) | deep <= set(ab)
    assert m["strongest_baseline"] in ch.BASELINES
    for name in set(ch.BASELINES) | deep:
        assert {"Δ AUC vs reference", "Δ low", "Δ high", "gap to that ceiling"} <= set(ab[name])
        assert ab[name]["Δ low"] <= ab[name]["Δ AUC vs reference"] <= ab[name]["Δ high"]
    lr_full = f"{ch.LOGISTIC}{ch.SUMMARY_NAMES['full']}"
    assert ab[ch.LOGISTIC]["ROC-AUC"] == pytest.approx(0.748, abs=0.01)
    assert ab[lr_full]["ROC-AUC"] == pytest.approx(0.753, abs=0.01)
    assert ab[ch.FULL]["ROC-AUC"] == pytest.approx(0.753, abs=0.015)
    assert ab[ch.ARTICLE]["ROC-AUC"] == pytest.approx(0.744, abs=0.015)
    assert m["reload_max_diff"] < 1e-5
    assert m["figure"] == "06_ablation_auc" and len(m["headline"]) == 4


def test_06_verdicts_and_learning_curve_are_recorded():
    m = load_metrics("06_click_model")
    for verdict in m["verdicts"].values():
        assert verdict["low"] <= verdict["difference"] <= verdict["high"]
    sizes = {row["training users"] for row in m["learning_curve"]}
    assert max(sizes) == 4800 and len(sizes) >= 2
    assert {row["model"] for row in m["learning_curve"]} == set(ch.CURVE_MODELS)
    assert 0.3 < m["taste_coordinates_recovered"] <= 1.0


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
