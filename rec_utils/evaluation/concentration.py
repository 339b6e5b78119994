"""How concentrated a distribution is (purchases over products, exposure over items): top shares and Gini."""

from __future__ import annotations

import numpy as np


def lorenz_share(counts: np.ndarray, top_fraction: float) -> float:
    """Share of the total held by the `top_fraction` largest entries of `counts`."""
    counts = np.sort(np.asarray(counts, dtype=float))[::-1]
    top = max(1, int(round(top_fraction * len(counts))))
    return float(counts[:top].sum() / counts.sum())


def gini(counts: np.ndarray) -> np.ndarray | float:
    """Gini coefficient of non-negative counts along the last axis: 0 = all equal, (n−1)/n = all on one entry.

    G = Σᵢ (2i − n − 1) x₍ᵢ₎ / (n Σ x), x₍₁₎ ≤ … ≤ x₍ₙ₎ (half the relative mean absolute difference).
    counts (..., n) -> (...); a float for 1-D input.
    """
    counts = np.asarray(counts, dtype=float)
    if counts.shape[-1] == 0 or np.any(counts < 0):
        raise ValueError("gini needs a non-empty array of non-negative counts")
    totals = counts.sum(axis=-1)
    if np.any(totals == 0):
        raise ValueError("gini is undefined for all-zero counts")
    n = counts.shape[-1]
    rank_weights = 2 * np.arange(1, n + 1) - n - 1
    value = np.sum(np.sort(counts, axis=-1) * rank_weights, axis=-1) / (n * totals)
    return float(value) if value.ndim == 0 else value
