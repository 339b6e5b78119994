"""Linear bandit policies: one ridge regression per group (one shared model, or one per user) on candidate features
x (S, U, M, d), vectorised over S seeds, with the interface of rec_utils.models.bandits (select, update):

    A = λ I + Σ x xᵀ,  b = Σ r x,  θ̂ = A⁻¹ b
    LinUCB         score = θ̂ᵀ x + α · sqrt(xᵀ A⁻¹ x)        (Li, Chu, Langford & Schapire 2010)
    linear TS      score = θ̃ᵀ x,  θ̃ ~ N(θ̂, v² A⁻¹)         (Agrawal & Goyal 2013)
"""

from __future__ import annotations

import numpy as np

from rec_utils.models.bandits import top_k_positions
from rec_utils.simulation.episode import Context


class _RidgePolicy:
    """Ridge regression of clicks on candidate features, one model per group and seed.

    groups: "shared" (one model for everyone) or "user" (one per user; needs n_users).
    A⁻¹ (S, G, d, d), b (S, G, d) and θ̂ = A⁻¹ b, refreshed for the groups updated in a round
    (A itself is kept, and inverted, only for the shared model).
    """

    def __init__(self, dim: int, n_seeds: int, *, ridge: float = 1.0, groups: str = "shared",
                 n_users: int | None = None, seed: int = 0):
        if groups not in {"shared", "user"}:
            raise ValueError(f"groups must be 'shared' or 'user', got {groups!r}")
        if groups == "user" and not n_users:
            raise ValueError("groups='user' needs n_users")
        if ridge <= 0:
            raise ValueError(f"ridge must be positive, got {ridge}")
        n_groups = 1 if groups == "shared" else n_users
        self.dim, self.n_seeds, self.ridge, self.groups = dim, n_seeds, ridge, groups
        self.A = np.broadcast_to(ridge * np.eye(dim), (n_seeds, 1, dim, dim)).copy() if groups == "shared" else None
        self.A_inv = np.broadcast_to(np.eye(dim) / ridge, (n_seeds, n_groups, dim, dim)).copy()
        self.b = np.zeros((n_seeds, n_groups, dim))
        self.theta = np.zeros((n_seeds, n_groups, dim))
        self.rng = np.random.default_rng(seed)

    def _group(self, context: Context) -> tuple[np.ndarray, np.ndarray]:
        seeds = np.broadcast_to(np.arange(self.n_seeds)[:, None], context.users.shape)
        return seeds, (context.users if self.groups == "user" else np.zeros_like(context.users))

    def _check(self, context: Context) -> np.ndarray:
        features = context.features
        if features.shape[-1] != self.dim:
            raise ValueError(f"the policy was built for {self.dim} features, the context has {features.shape[-1]}")
        return features

    def update(self, context: Context, chosen: np.ndarray, clicks: np.ndarray) -> None:
        x = np.take_along_axis(self._check(context), chosen[..., None], axis=2)  # (S, U, k, d)
        x_t = np.swapaxes(x, -1, -2)
        seeds, groups = self._group(context)
        # sum each visit's x xᵀ and r x into its (seed, group); a group may have several visits in a round
        keys = (seeds * self.b.shape[1] + groups).ravel()
        order = np.argsort(keys, kind="stable")
        starts = np.flatnonzero(np.r_[True, keys[order][1:] != keys[order][:-1]])
        s, g = np.divmod(keys[order][starts], self.b.shape[1])
        self.b[s, g] += np.add.reduceat((x_t @ clicks[..., None].astype(float)).reshape(keys.size, self.dim)[order],
                                        starts, axis=0)
        if self.groups == "shared":  # few groups: accumulate A and invert it
            self.A[s, g] += np.add.reduceat((x_t @ x).reshape(keys.size, self.dim, self.dim)[order], starts, axis=0)
            self.A_inv[s, g] = np.linalg.inv(self.A[s, g])
        else:  # Woodbury: (A + XᵀX)⁻¹ = A⁻¹ − A⁻¹Xᵀ (I + X A⁻¹ Xᵀ)⁻¹ X A⁻¹, one pass per repeat of a group
            rank = np.empty(keys.size, dtype=int)
            rank[order] = np.arange(keys.size) - np.repeat(starts, np.diff(np.r_[starts, keys.size]))
            x_flat = x.reshape(keys.size, -1, self.dim)
            seeds_flat, groups_flat = seeds.ravel(), groups.ravel()
            for repeat in range(rank.max() + 1):
                visit = rank == repeat
                vs, vg, vx = seeds_flat[visit], groups_flat[visit], x_flat[visit]
                a_inv_x = self.A_inv[vs, vg] @ np.swapaxes(vx, -1, -2)  # (n, d, k)
                inner = np.eye(vx.shape[1]) + vx @ a_inv_x
                self.A_inv[vs, vg] -= a_inv_x @ np.linalg.solve(inner, np.swapaxes(a_inv_x, -1, -2))
        self.theta[s, g] = (self.A_inv[s, g] @ self.b[s, g][..., None])[..., 0]

    def _mean_and_inverse(self, context: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features x (S, U, M, d), θ̂ᵀx (S, U, M) and each visit's A⁻¹ (S, U, d, d) (a view when shared)."""
        x = self._check(context)
        seeds, groups = self._group(context)
        if self.groups == "shared":
            theta, a_inv = self.theta[:, 0][:, None], self.A_inv[:, 0][:, None]
        else:
            theta, a_inv = self.theta[seeds, groups], self.A_inv[seeds, groups]
        return x, (x @ theta[..., None])[..., 0], a_inv


class LinUCB(_RidgePolicy):
    """θ̂ᵀx + α sqrt(xᵀA⁻¹x); α = 0 is greedy on the online ridge fit."""

    def __init__(self, dim: int, n_seeds: int, alpha: float = 1.0, **kwargs):
        super().__init__(dim, n_seeds, **kwargs)
        if alpha < 0:
            raise ValueError(f"alpha must be >= 0, got {alpha}")
        self.alpha = alpha

    def scores(self, context: Context) -> np.ndarray:
        """Upper confidence bounds of the candidates: (S, U, M)."""
        x, mean, a_inv = self._mean_and_inverse(context)
        if self.alpha == 0:
            return mean
        spread = np.sum((x @ a_inv) * x, axis=-1)
        return mean + self.alpha * np.sqrt(np.maximum(spread, 0.0))

    def select(self, context: Context, k: int) -> np.ndarray:
        return top_k_positions(self.scores(context), k)  # continuous scores: ties have probability 0


class LinearThompson(_RidgePolicy):
    """θ̃ ~ N(θ̂, v² A⁻¹) drawn per user visit; score θ̃ᵀx."""

    def __init__(self, dim: int, n_seeds: int, v: float = 0.5, **kwargs):
        super().__init__(dim, n_seeds, **kwargs)
        if v < 0:
            raise ValueError(f"v must be >= 0, got {v}")
        self.v = v

    def select(self, context: Context, k: int) -> np.ndarray:
        x, mean, a_inv = self._mean_and_inverse(context)
        chol = np.linalg.cholesky(a_inv)
        noise = chol @ self.rng.standard_normal(context.users.shape + (self.dim, 1))  # (S, U, d, 1) ~ N(0, A⁻¹)
        return top_k_positions(mean + self.v * (x @ noise)[..., 0], k)
