"""Headline results of notebook 03_cosine_similarity, saved by the run before these tests
(`make test` runs the notebooks first)."""




import pytest

from rec_utils.runtime.results import load_metrics


def test_03_cosine_similarity():
    m = load_metrics("03_cosine_similarity")
    assert m["worked_example"]["cosine"] == pytest.approx(0.9746, abs=5e-5)
    assert m["worked_example"]["dot"] == 32
    knn = m["knn"]["item-kNN (all neighbours)"]["ndcg@10"]
    assert knn == pytest.approx(0.079, abs=0.01)
    assert knn > 1.5 * m["knn"]["popularity"]["ndcg@10"]
    assert m["agreement"]["mean top-10 Jaccard overlap"] == pytest.approx(0.14, abs=0.05)
