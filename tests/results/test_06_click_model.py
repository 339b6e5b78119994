"""Headline results of notebook 06_click_model, saved by the run before these tests
(`make test` runs the notebooks first)."""




import pytest

from rec_utils.runtime.results import load_metrics


def test_06_click_model():
    m = load_metrics("06_click_model")
    ab = m["ablation"]
    bayes, fused = ab["Bayes-optimal (true p)"]["ROC-AUC"], ab["text + image + attributes"]["ROC-AUC"]
    assert bayes == pytest.approx(0.83, abs=0.02)
    assert fused == pytest.approx(0.70, abs=0.03) and fused < bayes
    assert ab["text + image"]["ROC-AUC"] > ab["text only"]["ROC-AUC"]  # measured here: the image adds signal
    assert fused > ab["logistic regression"]["ROC-AUC"]
    for row in ab.values():
        assert row["ROC-AUC low"] <= row["ROC-AUC"] <= row["ROC-AUC high"]
    assert m["reload_max_diff"] < 1e-5
    retail = m["retail"]
    assert retail["logistic regression (notebook 04)"]["ROC-AUC"] == pytest.approx(0.853, abs=0.02)
    assert retail["fused model: text + attributes"]["ROC-AUC"] == pytest.approx(0.88, abs=0.03)
