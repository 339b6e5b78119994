"""Matrix factorisation: the article's SVD example, gradient-descent MF, and implicit ALS.

Shapes: X is (n_users, n_items); user factors U (n_users, f); item factors V (n_items, f);
predicted scores U @ V.T.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from rec_utils.runtime.progress import progress_bar


def rank_k_approximation(X: np.ndarray, rank: int) -> np.ndarray:
    """Best rank-`rank` approximation of X in Frobenius norm (truncated SVD, Eckart–Young)."""
    U, s, Vt = np.linalg.svd(np.asarray(X, dtype=float), full_matrices=False)
    return (U[:, :rank] * s[:rank]) @ Vt[:rank]


def eckart_young_error(singular_values: np.ndarray, rank: int) -> float:
    """Frobenius error of the best rank-`rank` approximation: sqrt(sum of the dropped s_i^2)."""
    return float(np.sqrt(np.sum(np.asarray(singular_values)[rank:] ** 2)))


def factorize_gd(X: np.ndarray, rank: int, *, learning_rate: float = 0.02, n_steps: int = 3000,
                 init_scale: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The article's procedure: initialise U, V randomly, minimise ||X - U Vᵀ||_F² by gradient descent.

    Full-batch gradient descent on L = ||X - U Vᵀ||_F². Returns (U, V, losses) with losses the
    Frobenius error ||X - U Vᵀ||_F after each step (length n_steps).
    """
    X = np.asarray(X, dtype=float)
    rng = np.random.default_rng(seed)
    U = init_scale * rng.standard_normal((X.shape[0], rank))
    V = init_scale * rng.standard_normal((X.shape[1], rank))
    losses = np.empty(n_steps)
    for step in range(n_steps):
        residual = X - U @ V.T
        U, V = U + learning_rate * 2 * residual @ V, V + learning_rate * 2 * residual.T @ U
        losses[step] = np.linalg.norm(X - U @ V.T)
    return U, V, losses


def truncated_svd_factors(X: sp.spmatrix, n_factors: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """PureSVD: scikit-learn's randomized truncated SVD of X. Returns (U Σ, V), scores = U Σ Vᵀ."""
    svd = TruncatedSVD(n_components=n_factors, algorithm="randomized", n_iter=7, random_state=seed)
    user_factors = svd.fit_transform(X)
    return user_factors, svd.components_.T


def implicit_als(X: sp.spmatrix, n_factors: int = 32, *, alpha: float = 10.0, regularization: float = 0.1,
                 n_iterations: int = 10, seed: int = 0, show_progress: bool | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Implicit-feedback ALS (Hu, Koren & Volinsky 2008) with L2 regularisation.

    Preference p_ui = 1 where X_ui > 0, confidence c_ui = 1 + alpha * log1p(X_ui); minimises
    sum c_ui (p_ui - u_i·v_j)² + regularization (|U|² + |V|²) by alternating exact solves.
    X: (n_users, n_items) nonnegative counts. Returns (U, V).
    """
    X = sp.csr_matrix(X, dtype=float)
    confidence = X.copy()
    confidence.data = alpha * np.log1p(confidence.data)  # c_ui - 1
    rng = np.random.default_rng(seed)
    U = 0.01 * rng.standard_normal((X.shape[0], n_factors))
    V = 0.01 * rng.standard_normal((X.shape[1], n_factors))
    by_item = confidence.T.tocsr()
    for _ in progress_bar(range(n_iterations), desc="ALS", unit="it", enabled=show_progress):
        U = _als_solve(confidence, V, regularization)
        V = _als_solve(by_item, U, regularization)
    return U, V


def _als_solve(confidence: sp.csr_matrix, fixed: np.ndarray, regularization: float) -> np.ndarray:
    """One ALS half-step: for each row r, (FᵀF + Fᵀ(C_r - I)F + λI)⁻¹ Fᵀ C_r p_r."""
    n_factors = fixed.shape[1]
    gram = fixed.T @ fixed + regularization * np.eye(n_factors)
    solved = np.zeros((confidence.shape[0], n_factors))
    indptr, indices, data = confidence.indptr, confidence.indices, confidence.data
    for row in range(confidence.shape[0]):  # each row is an independent k x k solve
        cols = indices[indptr[row]:indptr[row + 1]]
        if cols.size == 0:
            continue
        c = data[indptr[row]:indptr[row + 1]]
        F = fixed[cols]
        solved[row] = np.linalg.solve(gram + (F.T * c) @ F, F.T @ (1.0 + c))
    return solved
