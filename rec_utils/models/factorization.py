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


def als_confidence(X: sp.spmatrix, alpha: float) -> sp.csr_matrix:
    """c_ui - 1 = alpha * log1p(X_ui) on the nonzero entries of X (n_users, n_items), float64 CSR.

    Rejects negative counts and a negative alpha (the confidence would fall below the unobserved 1)."""
    confidence = sp.csr_matrix(X, dtype=float, copy=True)
    if confidence.data.size and confidence.data.min() < 0:
        raise ValueError("X must hold nonnegative purchase counts; it has negative entries")
    if not alpha >= 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    confidence.eliminate_zeros()  # a stored 0 is not a purchase
    confidence.data = alpha * np.log1p(confidence.data)
    return confidence


def implicit_als_objective(X: sp.spmatrix, U: np.ndarray, V: np.ndarray, alpha: float, regularization: float
                           ) -> float:
    """The loss implicit ALS minimises: Σ_ui c_ui (p_ui - u_u·v_i)² + λ(‖U‖² + ‖V‖²), with p_ui = [x_ui > 0] and
    c_ui = 1 + alpha log1p(x_ui), for X (n_users, n_items), U (n_users, f), V (n_items, f). The dense part
    (every c = 1, p = 0) is ‖U Vᵀ‖² = trace((UᵀU)(VᵀV)); the purchases add their extra terms from X's nonzeros."""
    confidence = als_confidence(X, alpha).tocoo()
    rows, cols = confidence.row, confidence.col
    predicted = np.einsum("nf,nf->n", U[rows], V[cols])
    bought = (1 + confidence.data) * (1 - predicted) ** 2 - predicted ** 2  # replaces the c = 1, p = 0 term
    return float(np.sum((U.T @ U) * (V.T @ V)) + bought.sum()
                 + regularization * (np.sum(U ** 2) + np.sum(V ** 2)))


def _als_start(X: sp.spmatrix, n_factors: int, alpha: float, seed: int, dtype) -> tuple:
    """Confidence (users x items) and its transpose, both CSR, and the seeded initial U, V (0.01 N(0, 1))."""
    if isinstance(n_factors, bool) or not isinstance(n_factors, (int, np.integer)) or n_factors < 1:
        raise ValueError(f"n_factors must be a positive integer, got {n_factors!r}")
    confidence = als_confidence(X, alpha)
    rng = np.random.default_rng(seed)
    U = (0.01 * rng.standard_normal((X.shape[0], n_factors))).astype(dtype)
    V = (0.01 * rng.standard_normal((X.shape[1], n_factors))).astype(dtype)
    return confidence, confidence.T.tocsr(), U, V


def implicit_als(X: sp.spmatrix, n_factors: int = 32, *, alpha: float = 10.0, regularization: float = 0.1,
                 n_iterations: int = 10, seed: int = 0, cg_steps: int = 3, dtype: type = np.float32,
                 show_progress: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Implicit-feedback ALS (Hu, Koren & Volinsky 2008), each half-step solved by conjugate gradient.

    Preference p_ui = 1 where X_ui > 0, confidence c_ui = 1 + alpha * log1p(X_ui); minimises
    sum c_ui (p_ui - u_i·v_j)² + regularization (|U|² + |V|²). Each half-step takes `cg_steps` conjugate-gradient
    steps per row, warm-started from the previous factors (Takács, Pilászy & Tikk 2011, as the `implicit`
    library does), applying (YᵀY + λI + Yᵀ(C_u - I)Y) p as YᵀY p plus a sum over the row's nonzeros only.
    With cg_steps >= n_factors (float64) every half-step is the exact solve of implicit_als_normal_equations.
    X: (n_users, n_items) nonnegative counts. dtype: of the factors (float32 as in `implicit`; float64 to
    compare with the reference). Returns (U (n_users, n_factors), V (n_items, n_factors)).
    """
    if isinstance(cg_steps, bool) or not isinstance(cg_steps, (int, np.integer)) or cg_steps < 1:
        raise ValueError(f"cg_steps must be a positive integer, got {cg_steps!r}")
    confidence, by_item, U, V = _als_start(X, n_factors, alpha, seed, dtype)
    user_side = _ConjugateGradient(confidence, n_factors, dtype)
    item_side = _ConjugateGradient(by_item, n_factors, dtype)
    for _ in progress_bar(range(n_iterations), desc="ALS", unit="it", enabled=show_progress):
        user_side.solve(U, V, regularization, cg_steps)
        item_side.solve(V, U, regularization, cg_steps)
    return U, V


class _ConjugateGradient:
    """One side of ALS (the rows of `confidence` = C - 1), cut into blocks of consecutive rows holding about
    BLOCK_BYTES of gathered fixed factors, so each block's conjugate-gradient steps run in cache."""

    BLOCK_BYTES = 1 << 20

    def __init__(self, confidence: sp.csr_matrix, n_factors: int, dtype):
        self.indptr, self.indices = confidence.indptr, confidence.indices
        self.weight = confidence.data.astype(dtype)  # c - 1
        self.empty = np.diff(self.indptr) == 0
        per_block = max(1, self.BLOCK_BYTES // (n_factors * np.dtype(dtype).itemsize))
        cuts = np.searchsorted(self.indptr, np.arange(per_block, self.indptr[-1], per_block), side="right") - 1
        bounds = np.unique(np.concatenate([[0], cuts, [confidence.shape[0]]]))
        self.blocks = []
        for start, stop in zip(bounds[:-1], bounds[1:]):
            lo, hi = self.indptr[start], self.indptr[stop]
            # rows_sum @ G sums the rows of G (one per nonzero) into their row of the block
            rows_sum = sp.csr_matrix((np.ones(hi - lo, dtype), np.arange(hi - lo), self.indptr[start:stop + 1] - lo),
                                     shape=(stop - start, hi - lo))
            self.blocks.append((start, stop, lo, hi, rows_sum, np.diff(self.indptr[start:stop + 1])))

    def solve(self, X: np.ndarray, Y: np.ndarray, regularization: float, cg_steps: int) -> None:
        """Update X (rows of this side) in place towards (YᵀY + λI + Yᵀ(C_u - I)Y)⁻¹ Yᵀ C_u p_u."""
        gram = Y.T @ Y + regularization * np.eye(Y.shape[1], dtype=Y.dtype)
        X[self.empty] = 0  # rows without nonzeros: the exact solution is 0
        for start, stop, lo, hi, rows_sum, counts in self.blocks:
            fixed, weight = Y.take(self.indices[lo:hi], axis=0), self.weight[lo:hi]
            x = X[start:stop]  # a view: updated in place
            # r = b - A x with b = Yᵀ C_u p_u: one pass over the nonzeros, weights c - (c - 1) y·x
            rows_sum.data = 1 + weight * (1 - np.einsum("ij,ij->i", fixed, np.repeat(x, counts, axis=0)))
            r = rows_sum @ fixed - x @ gram
            p, rs_old = r.copy(), np.einsum("ij,ij->i", r, r)
            tiny = np.finfo(r.dtype).tiny  # rows already solved (r = p = 0) take steps of 0, not 0 / 0
            for _ in range(cg_steps):
                Ap = p @ gram
                Ap += _times_extra(p, fixed, weight, rows_sum, counts)
                step = (rs_old / np.maximum(np.einsum("ij,ij->i", p, Ap), tiny))[:, None]
                x += step * p
                Ap *= step
                r -= Ap
                rs_new = np.einsum("ij,ij->i", r, r)
                p *= (rs_new / np.maximum(rs_old, tiny))[:, None]
                p += r
                rs_old = rs_new


def _times_extra(v: np.ndarray, fixed: np.ndarray, weight: np.ndarray, rows_sum: sp.csr_matrix,
                 counts: np.ndarray) -> np.ndarray:
    """Yᵀ (C_u - I) Y v_u for every row u of a block: v (rows, f); fixed = Y at the block's nonzeros (nnz, f),
    weight = their c - 1, counts = nonzeros per row; rows_sum sums nonzeros into rows (its data is overwritten)."""
    rows_sum.data = weight * np.einsum("ij,ij->i", fixed, np.repeat(v, counts, axis=0))
    return rows_sum @ fixed


def implicit_als_normal_equations(X: sp.spmatrix, n_factors: int = 32, *, alpha: float = 10.0,
                                  regularization: float = 0.1, n_iterations: int = 10, seed: int = 0,
                                  show_progress: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The teaching reference of implicit_als: each half-step solves every row's normal equations exactly,
    one (f x f) system per user and per item in a Python loop (Hu, Koren & Volinsky 2008, section 4).

    Same objective, confidence and seeded start as implicit_als; float64. Returns (U, V).
    """
    confidence, by_item, U, V = _als_start(X, n_factors, alpha, seed, np.float64)
    for _ in progress_bar(range(n_iterations), desc="ALS (normal equations)", unit="it", enabled=show_progress):
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
