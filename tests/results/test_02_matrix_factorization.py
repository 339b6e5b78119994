"""Headline results of notebook 02_matrix_factorization, saved by the run before these tests
(`make test` runs the notebooks first)."""




import pytest

from rec_utils.runtime.results import load_metrics


def test_02_matrix_factorization():
    m = load_metrics("02_matrix_factorization")
    assert m["singular_values"] == pytest.approx([4.0551, 1.7491, 0.7049], abs=1e-4)
    assert m["reconstruction_error"] < 1e-12
    for rank in ("1", "2"):  # gradient descent reaches the Eckart-Young optimum
        assert m["gd_final_error"][rank] == pytest.approx(m["eckart_young_error"][rank], rel=1e-5)
    popularity_ndcg = m["popularity"]["ndcg@10"]
    assert popularity_ndcg == pytest.approx(0.039, abs=0.005)
    # latent factors beat popularity clearly; the best NDCG@10 measured here was 0.096
    assert m["best_model"]["ndcg@10"] == pytest.approx(0.096, abs=0.01)
    assert m["best_model"]["ndcg@10"] > 2 * popularity_ndcg
