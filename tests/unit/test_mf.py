"""The article's 3x3 SVD example and the factorisation procedures, checked independently."""

import numpy as np
import pytest
import scipy.sparse as sp

from rec_utils.models.factorization import (
    eckart_young_error,
    factorize_gd,
    implicit_als,
    rank_k_approximation,
    truncated_svd_factors,
)

X = np.array([[1, 2, 3], [0, 1, 0], [2, 0, 1]], dtype=float)


def test_svd_reconstructs_the_example():
    U, s, Vt = np.linalg.svd(X)
    np.testing.assert_allclose(U @ np.diag(s) @ Vt, X, atol=1e-12)
    # singular values are the square roots of the eigenvalues of XᵀX
    np.testing.assert_allclose(np.sort(s**2), np.sort(np.linalg.eigvalsh(X.T @ X)), rtol=1e-10)
    np.testing.assert_allclose(rank_k_approximation(X, 3), X, atol=1e-12)


@pytest.mark.parametrize("rank", [1, 2])
def test_eckart_young_and_gradient_descent_reach_the_same_optimum(rank):
    s = np.linalg.svd(X, compute_uv=False)
    assert np.linalg.norm(X - rank_k_approximation(X, rank)) == pytest.approx(eckart_young_error(s, rank), rel=1e-10)
    _, _, losses = factorize_gd(X, rank, n_steps=3000, seed=0)
    assert losses[-1] == pytest.approx(eckart_young_error(s, rank), rel=1e-5)
    assert losses[0] > losses[-1]


def test_truncated_svd_factors_reconstruct_a_low_rank_matrix():
    rng = np.random.default_rng(0)
    low_rank = rng.random((40, 3)) @ rng.random((3, 30))
    user_f, item_f = truncated_svd_factors(sp.csr_matrix(low_rank), 3)
    np.testing.assert_allclose(user_f @ item_f.T, low_rank, atol=1e-8)


def test_implicit_als_ranks_bought_items_first():
    rng = np.random.default_rng(0)
    blocks = np.kron(np.eye(2), np.ones((10, 8)))  # two groups of users buying two groups of items
    observed = blocks * (rng.random(blocks.shape) < 0.7)
    U, V = implicit_als(sp.csr_matrix(observed), 2, n_iterations=10, seed=0, show_progress=False)
    scores = U @ V.T
    in_block = scores[blocks == 1].mean()
    assert in_block > scores[blocks == 0].mean() + 0.5
