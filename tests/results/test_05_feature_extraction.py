"""Headline results of notebook 05_feature_extraction, saved by the run before these tests
(`make test` runs the notebooks first)."""




import pytest

from rec_utils.runtime.results import load_metrics


def test_05_feature_extraction():
    m = load_metrics("05_feature_extraction")
    assert m["as_printed_shape"] == [2, 2]  # the article's call learns from the two column names
    assert m["count_matrix_shape"][0] == m["n_impressions"] == 38_400
    assert m["vgg_top_dim"] == 1000 and m["vgg_base_dim"] == 512
    assert m["image_features_shape"] == [2000, 512]
    assert m["click_rate"] == pytest.approx(0.30, abs=0.02)
    # a linear probe recovers the product class from the image features far above chance (0.1)
    assert min(m["probe_accuracy"].values()) > 0.6
