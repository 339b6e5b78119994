"""The article's 3x3 SVD example and the factorisation procedures, checked independently."""

import numpy as np
import pytest
import scipy.sparse as sp

from rec_utils.models.factorization import (
    als_confidence,
    eckart_young_error,
    factorize_gd,
    implicit_als,
    implicit_als_normal_equations,
    implicit_als_objective,
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


def _purchases(seed=0, shape=(60, 40)):
    """Random purchase counts with one user and one item that have none (their factors must be 0)."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 6, size=shape) * (rng.random(shape) < 0.15)
    counts[5], counts[:, 7] = 0, 0
    return sp.csr_matrix(counts.astype(float))


@pytest.mark.parametrize("alpha, regularization", [(10.0, 0.1), (1.0, 5.0)])
def test_conjugate_gradient_run_to_convergence_is_the_exact_als(alpha, regularization):
    X = _purchases()
    options = {"alpha": alpha, "regularization": regularization, "n_iterations": 6, "seed": 3, "show_progress": False}
    U_ref, V_ref = implicit_als_normal_equations(X, 8, **options)
    U, V = implicit_als(X, 8, cg_steps=40, dtype=np.float64, **options)  # CG is exact in f = 8 steps, up to rounding
    np.testing.assert_allclose(U, U_ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(V, V_ref, rtol=0, atol=1e-10)
    assert not U_ref[5].any() and not V_ref[7].any() and not U[5].any() and not V[7].any()


def test_few_conjugate_gradient_steps_only_approximate_each_half_step():
    X = _purchases()
    U_ref, V_ref = implicit_als_normal_equations(X, 8, n_iterations=1, show_progress=False)
    U, V = implicit_als(X, 8, cg_steps=1, dtype=np.float64, n_iterations=1, show_progress=False)
    assert np.abs(U @ V.T - U_ref @ V_ref.T).max() > 1e-3  # the test above is not passing by accident
    U32, V32 = implicit_als(X, 8, show_progress=False)
    assert U32.dtype == V32.dtype == np.float32


def test_confidence_ignores_stored_zeros_and_leaves_the_input_alone():
    X = sp.csr_matrix((np.array([2.0, 0.0, 1.0]), np.array([0, 1, 2]), np.array([0, 2, 3])), shape=(2, 3))
    confidence = als_confidence(X, alpha=10.0)
    assert confidence.nnz == 2 and X.nnz == 3
    np.testing.assert_allclose(confidence.toarray(), [[10 * np.log(3), 0, 0], [0, 0, 10 * np.log(2)]])


@pytest.mark.parametrize("bad, match", [({"n_factors": 0}, "n_factors"), ({"cg_steps": 0}, "cg_steps"),
                                        ({"alpha": -1.0}, "alpha"), ({"X": -1}, "nonnegative")])
def test_als_refuses_bad_arguments_by_name(bad, match):
    X = _purchases() * bad.pop("X", 1)
    with pytest.raises(ValueError, match=match):
        implicit_als(X, **{"n_factors": 4, **bad}, show_progress=False)


def test_als_objective_equals_the_dense_formula_and_falls_with_sweeps():
    rng = np.random.default_rng(0)
    counts = sp.random(30, 20, density=0.2, random_state=rng, data_rvs=lambda n: rng.integers(1, 4, n)).tocsr()
    U, V = rng.normal(size=(30, 3)), rng.normal(size=(20, 3))
    C, P = 1 + 10.0 * np.log1p(counts.toarray()), (counts.toarray() > 0).astype(float)
    dense = (C * (P - U @ V.T) ** 2).sum() + 0.1 * ((U ** 2).sum() + (V ** 2).sum())
    assert implicit_als_objective(counts, U, V, 10.0, 0.1) == pytest.approx(dense, rel=1e-12)
    settings = {"alpha": 10.0, "regularization": 0.1, "seed": 0, "show_progress": False}
    losses = [implicit_als_objective(counts, *implicit_als_normal_equations(counts, 3, n_iterations=n, **settings),
                                     10.0, 0.1) for n in (1, 5)]
    assert losses[1] < losses[0]
