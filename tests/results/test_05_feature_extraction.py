"""Headline results of notebook 05_feature_extraction, saved by the run before these tests
(`make test` runs the notebooks first)."""

import pytest

from rec_utils.runtime.errata import load_errata
from rec_utils.runtime.results import load_metrics


def test_05_feature_extraction():
    m = load_metrics("05_feature_extraction")
    assert m["as_printed_shape"] == [2, 2]  # the article's call learns from the two column names
    assert m["count_matrix_shape"][0] == m["n_impressions"] == 38_400
    assert m["vgg_top_dim"] == 1000 and m["vgg_base_dim"] == 512
    assert m["vgg16_random_shape"] == [2000, 512]
    assert m["click_rate"] == pytest.approx(0.30, abs=0.02)
    assert m["image_encoder"] == "catalog-pretrained" and "catalogue-pretrained" in m["image_features"]
    assert m["image_features_shape"] == [2000, 64]
    # held-out category accuracy of the trained network (2 epochs on the train split): measured 0.8145 on
    # TensorFlow (interval 0.806-0.822 over the held-out photos) and 0.8653 on JAX (seeded initial weights differ
    # between backends); the band spans both with a margin of three interval widths
    assert 0.76 <= m["heldout_accuracy"]["value"] <= 0.92
    low, high = m["heldout_accuracy"]["low"], m["heldout_accuracy"]["high"]
    assert low <= m["heldout_accuracy"]["value"] <= high
    # the gain of training over the same network with random weights: the committed run's paired interval over the
    # photos lay above 0 (+0.165), so its direction is checked, with this run's own interval
    gain = next(h for h in m["headline"] if h["name"].startswith("linear-probe accuracy gain"))
    assert gain["low"] > 0 and gain["value"] == pytest.approx(m["probe_margin_pretrained_vs_random"])
    assert {h["name"] for h in m["headline"]} and m["figure"] == "05_image_features_pca"


def test_05_errata_rows():
    errata = load_errata().set_index("claim_id")
    for claim in ("5.2-countvectorizer-columns", "5.2-vgg16-dimension", "refs-neural-collaborative-filtering",
                  "refs-recommender-systems-textbook", "refs-matrix-factorization-techniques",
                  "refs-large-scale-online-learning"):
        assert errata.loc[claim, "notebook"] == "05_feature_extraction"
    assert "Aggarwal" in errata.loc["refs-recommender-systems-textbook", "we_compute"]
