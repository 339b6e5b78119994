"""Headline results of notebook 07_model_evaluation, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pytest

from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.results import load_metrics


def test_07_model_evaluation():
    m = load_metrics("07_model_evaluation")
    s = m["summary"]
    constant = s["always 'no click' (p = base rate)"]
    assert constant["accuracy"] == pytest.approx(1 - m["test_click_rate"], abs=1e-9)
    assert constant["ROC-AUC"] == 0.5
    fused = s["text + image + attributes"]
    assert fused["ROC-AUC"] > constant["ROC-AUC"] + 0.15 and fused["accuracy"] < 0.9  # no "accuracy above 90%"
    h = m["headline"]["ROC-AUC"]
    assert h["low"] <= h["estimate"] <= h["high"]
    assert 0.05 < m["threshold"] < 0.5  # F1-optimal threshold sits below 0.5 when clicks are a minority
    assert m["calibration"]["platt"]["log-loss"] <= m["calibration"]["raw"]["log-loss"] + 1e-3
    assert m["cv"]["folds of customers (GroupKFold)"]["mean AUC"] == pytest.approx(0.857, abs=0.02)
    r = m["ranking"]
    assert set(r) == {"popularity", "item_knn", "truncated_svd", "implicit_als", "logistic propensity"}
    assert r["truncated_svd"]["ndcg@10"] == pytest.approx(0.096, abs=0.01)
    for model in r.values():
        assert model["ndcg@5"] <= 1 and 0 < model["coverage@10"] <= 1
        assert model["recall@5"] <= model["recall@10"] <= model["recall@20"]
    assert r["popularity"]["coverage@10"] < r["item_knn"]["coverage@10"]


def test_errata_record_has_the_evaluation_claims():
    errata = load_errata().set_index("claim_id")
    for claim in ("5.4-accuracy-90", "5.4-click-probability-0.8", "5.2-countvectorizer-columns", "5.2-vgg16-dimension"):
        assert claim in errata.index
